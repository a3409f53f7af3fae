import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

// A stand-in for the Hugging Face hub on 127.0.0.1, answering what @huggingface/hub asks, as the hub
// answers it: revision info (the commit sha), the recursive file listing with LFS metadata (sha256 oid,
// size), `resolve/<rev>/<path>` downloads with HTTP ranges and ETags, and the hub's error answers
// (X-Error-Code RepoNotFound / RevisionNotFound / EntryNotFound / GatedRepo, 401 without a token).

export type StandInRepo = {
  /** path in the repository -> bytes */
  files: Record<string, Buffer>;
  /** gated: "manual" as the hub reports it; downloads then need a token the hub accepts */
  gated?: boolean;
  /** files served with bytes other than the listing's hash describes (same size): a damaged download */
  corrupt?: string[];
};

export type StandInHub = {
  url: string;
  /** every request: method, path, Range header, Authorization present */
  requests: { method: string; path: string; range: string | null; auth: boolean }[];
  /** the commit sha of a repo */
  commitOf: (repo: string) => string;
  /** bytes per second for downloads (0: as fast as it can); changeable while running */
  setThrottle: (bytesPerSecond: number) => void;
  close: () => Promise<void>;
};

export const STAND_IN_TOKEN = "hf_stand_in_token";

const LFS = (p: string) => p.endsWith(".onnx") || p.endsWith(".onnx_data") || p.endsWith(".gz");

function gitOid(bytes: Buffer): string {
  return crypto.createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function commitSha(repo: string, files: Record<string, Buffer>): string {
  const h = crypto.createHash("sha1").update(repo);
  for (const p of Object.keys(files).sort()) h.update(p).update(gitOid(files[p]));
  return h.digest("hex");
}

function treeEntries(files: Record<string, Buffer>) {
  const dirs = new Set<string>();
  const entries: object[] = [];
  for (const p of Object.keys(files).sort()) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
    const bytes = files[p];
    const lfs = LFS(p)
      ? { oid: crypto.createHash("sha256").update(bytes).digest("hex"), size: bytes.length, pointerSize: 134 }
      : undefined;
    entries.push({ type: "file", oid: gitOid(bytes), size: bytes.length, path: p, ...(lfs && { lfs }) });
  }
  for (const d of dirs) entries.push({ type: "directory", oid: gitOid(Buffer.from(d)), size: 0, path: d });
  return entries;
}

/** A model folder on disk as a repository's files (relative paths, forward slashes). */
export function repoFilesFromFolder(dir: string): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, rel);
    if (fs.statSync(full).isFile()) files[rel.split(path.sep).join("/")] = fs.readFileSync(full);
  }
  return files;
}

function json(res: http.ServerResponse, status: number, body: unknown, errorCode?: string): void {
  res.writeHead(status, { "content-type": "application/json", ...(errorCode && { "x-error-code": errorCode }) });
  res.end(JSON.stringify(body));
}

export async function startStandInHub(repos: Record<string, StandInRepo>): Promise<StandInHub> {
  const requests: StandInHub["requests"] = [];
  let throttle = 0;
  const sockets = new Set<import("node:net").Socket>();
  const shaOf = Object.fromEntries(Object.entries(repos).map(([name, r]) => [name, commitSha(name, r.files)]));

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const auth = req.headers.authorization === `Bearer ${STAND_IN_TOKEN}`;
    requests.push({ method: req.method ?? "GET", path: url.pathname, range: req.headers.range ?? null, auth });
    const segs = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const api = segs[0] === "api" && segs[1] === "models";
    const repoName = api ? `${segs[2]}/${segs[3]}` : `${segs[0]}/${segs[1]}`;
    const repo = repos[repoName];
    if (!repo)
      // the hub answers 401 to anyone not signed in, 404 to a signed-in user: it does not say which exist
      return json(res, auth ? 404 : 401, { error: "Repository not found" }, "RepoNotFound");
    const sha = shaOf[repoName];
    const rev = api ? segs[5] : segs[3];
    if (rev !== "main" && rev !== "HEAD" && rev !== sha)
      return json(res, 404, { error: `Invalid rev id: ${rev}` }, "RevisionNotFound");

    if (api && segs[4] === "revision")
      return json(res, 200, {
        _id: crypto.createHash("md5").update(repoName).digest("hex").slice(0, 24),
        id: repoName,
        sha,
        private: false,
        gated: repo.gated ? "manual" : false,
        downloads: 0,
        likes: 0,
        lastModified: "2026-12-01T00:00:00.000Z",
        siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename })),
      });
    if (api && segs[4] === "tree") return json(res, 200, treeEntries(repo.files));
    if (!api && segs[2] === "resolve") {
      if (repo.gated && !auth)
        return json(
          res,
          401,
          {
            error: `Access to model ${repoName} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
          },
          "GatedRepo",
        );
      const file = segs.slice(4).join("/");
      let bytes = repo.files[file];
      if (!bytes) return json(res, 404, { error: "Entry not found" }, "EntryNotFound");
      if (repo.corrupt?.includes(file)) {
        bytes = Buffer.from(bytes);
        bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      }
      const etag = `"${crypto.createHash("sha256").update(repo.files[file]).digest("hex")}"`;
      const headers: http.OutgoingHttpHeaders = {
        "content-type": "application/octet-stream",
        "accept-ranges": "bytes",
        etag,
        "x-repo-commit": sha,
      };
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
      let body = bytes;
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
        if (start >= bytes.length) {
          res.writeHead(416, { "content-range": `bytes */${bytes.length}` });
          return res.end();
        }
        body = bytes.subarray(start, end + 1);
        res.writeHead(206, {
          ...headers,
          "content-range": `bytes ${start}-${end}/${bytes.length}`,
          "content-length": body.length,
        });
      } else res.writeHead(200, { ...headers, "content-length": body.length });
      if (req.method === "HEAD") return res.end();
      return void sendThrottled(res, body, () => throttle);
    }
    json(res, 404, { error: "Not found" });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    commitOf: (repo) => shaOf[repo],
    setThrottle: (bps) => (throttle = bps),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function sendThrottled(res: http.ServerResponse, body: Buffer, rate: () => number): Promise<void> {
  const CHUNK = 16 * 1024;
  for (let at = 0; at < body.length && !res.destroyed; at += CHUNK) {
    const piece = body.subarray(at, at + CHUNK);
    if (!res.write(piece)) await new Promise<void>((r) => res.once("drain", () => r()));
    const bps = rate();
    if (bps > 0) await new Promise((r) => setTimeout(r, (piece.length / bps) * 1000));
  }
  res.end();
}

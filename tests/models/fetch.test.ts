import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { closeEncoder, embedImages, embedTexts, loadEncoder } from "@/lib/models/encoder";
import { HubFetchError } from "@/lib/models/hub/errors";
import { fetchedModelDir, fetchHubModel } from "@/lib/models/hub/fetch-model";
import { registerModel } from "@/lib/models/registry";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { repoFilesFromFolder, STAND_IN_TOKEN, startStandInHub, type StandInHub } from "../helpers/stand-in-hub";
import { tempDir, tinyClipFolder } from "./model-folders";
import { clipMergesFile } from "./shared-fixtures";

// `fieldmark models fetch` against a stand-in hub on 127.0.0.1 serving the project's tiny CLIP test model
// as a hub repository (listing with LFS sha256 and sizes, ranged downloads, the hub's error answers).

const REPO = "fieldmark/tiny-clip";
const hubFor = (hub: StandInHub, token?: string) => ({ hubUrl: hub.url, accessToken: token });

async function noisePhoto(seed: number): Promise<Buffer> {
  const pixels = Buffer.alloc(120 * 90 * 3);
  let s = seed;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (s = (s * 1103515245 + 12345) % 2 ** 31) >> 23;
  return sharp(pixels, { raw: { width: 120, height: 90, channels: 3 } })
    .png()
    .toBuffer();
}

async function modelCount(name: string): Promise<number> {
  return Number((await db().query("SELECT count(*) AS n FROM models WHERE name = $1", [name])).rows[0].n);
}

async function fetchError(p: Promise<unknown>): Promise<HubFetchError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HubFetchError);
  return e as HubFetchError;
}

describe.each(dbKinds)("models fetch from a stand-in hub on %s", (kind) => {
  let t: TestDatabase;
  let hub: StandInHub;
  let local: string;
  let files: Record<string, Buffer>;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    local = tinyClipFolder(path.join(tempDir(), "tiny-clip"));
    files = repoFilesFromFolder(local);
    const extras = {
      "README.md": Buffer.from("# tiny CLIP\n"),
      "onnx/model.onnx": files["onnx/vision_model.onnx"], // a combined export the encoder does not need
      "pytorch_model.bin": crypto.randomBytes(4096),
    };
    hub = await startStandInHub({
      [REPO]: { files: { ...files, ...extras } },
      "fieldmark/gated-clip": { files, gated: true },
      "fieldmark/damaged-clip": { files, corrupt: ["onnx/text_model.onnx"] },
      "fieldmark/weights-only": {
        files: { "config.json": files["config.json"], "pytorch_model.bin": crypto.randomBytes(2048) },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
    await t?.close();
  });

  it("fetches only what the encoder needs, pins the commit, and embeds as `models add` on the same files", async () => {
    const fetched = await fetchHubModel({ repo: REPO, name: "hub-tiny", hub: hubFor(hub), dataDir: t.dataDir });
    const dir = fetchedModelDir("hub-tiny", t.dataDir);
    expect(fetched.folder).toBe(dir);
    expect(fetched.revision).toBe(hub.commitOf(REPO));
    const got = (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .map((f) => f.split(path.sep).join("/"))
      .sort();
    const tokenizer = Object.keys(files).find((f) => f.startsWith("bpe_") || f === "tokenizer.json")!;
    expect(got).toEqual(
      [
        "config.json",
        "hub-source.json",
        "onnx/text_model.onnx",
        "onnx/vision_model.onnx",
        "preprocessor_config.json",
        tokenizer,
      ].sort(),
    );
    for (const f of got.filter((f) => f !== "hub-source.json"))
      expect(fs.readFileSync(path.join(dir, f)).equals(files[f]), f).toBe(true);
    const downloaded = hub.requests.filter((r) => r.path.includes("/resolve/")).map((r) => r.path);
    expect(
      downloaded.some(
        (p) => p.endsWith("pytorch_model.bin") || p.endsWith("README.md") || p.endsWith("/onnx/model.onnx"),
      ),
    ).toBe(false);
    // every download asked for the pinned commit, not "main"
    expect(downloaded.every((p) => p.includes(`/resolve/${hub.commitOf(REPO)}/`))).toBe(true);

    const row = (await db().query("SELECT config FROM models WHERE name = 'hub-tiny'")).rows[0];
    expect(row.config.revision).toBe(hub.commitOf(REPO));
    expect(row.config.hub.repo).toBe(REPO);

    const added = await registerModel({ folder: local, name: "local-tiny" });
    expect(added.dim).toBe(fetched.dim);
    const a = await loadEncoder(local, { cacheDir: path.join(t.dataDir, "cache-a") });
    const b = await loadEncoder(dir, { cacheDir: path.join(t.dataDir, "cache-b") });
    try {
      const photos = await Promise.all([1, 2, 3].map(noisePhoto));
      const [va, vb] = [await embedImages(a, photos), await embedImages(b, photos)];
      for (let i = 0; i < photos.length; i++) expect(Array.from(vb[i])).toEqual(Array.from(va[i]));
      if (fs.existsSync(clipMergesFile)) {
        const texts = ["a monarch butterfly on milkweed", "an empty beach at dusk"];
        const [ta, tb] = [await embedTexts(a, texts), await embedTexts(b, texts)];
        for (let i = 0; i < texts.length; i++) expect(Array.from(tb[i])).toEqual(Array.from(ta[i]));
      }
    } finally {
      await closeEncoder(a);
      await closeEncoder(b);
    }

    // a second fetch of the same revision finds every file in place and downloads nothing
    const before = hub.requests.length;
    await fetchHubModel({
      repo: `${REPO}@${hub.commitOf(REPO)}`,
      name: "hub-tiny",
      hub: hubFor(hub),
      dataDir: t.dataDir,
    });
    expect(hub.requests.slice(before).filter((r) => r.path.includes("/resolve/"))).toEqual([]);
  }, 120_000);

  it("stopped mid-file, resumes from the .part with a range request and ends with the same bytes", async () => {
    const name = "hub-resumed";
    const dir = fetchedModelDir(name, t.dataDir);
    const part = path.join(dir, "onnx", "vision_model.onnx.part");
    const controller = new AbortController();
    hub.setThrottle(2 * 1024 * 1024);
    const stopped = fetchHubModel({
      repo: REPO,
      name,
      hub: hubFor(hub),
      dataDir: t.dataDir,
      signal: controller.signal,
    });
    const size = files["onnx/vision_model.onnx"].length;
    const deadline = Date.now() + 30_000;
    while ((fs.statSync(part, { throwIfNoEntry: false })?.size ?? 0) < size / 4 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const e = await fetchError(stopped);
    expect(e.code).toBe("aborted");
    hub.setThrottle(0);
    const kept = fs.statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(size);
    expect(await modelCount(name)).toBe(0);

    const before = hub.requests.length;
    await fetchHubModel({ repo: REPO, name, hub: hubFor(hub), dataDir: t.dataDir });
    const ranges = hub.requests
      .slice(before)
      .filter((r) => r.path.endsWith("/onnx/vision_model.onnx") && r.range !== "bytes=0-0");
    expect(ranges.map((r) => r.range)).toEqual([`bytes=${kept}-${size - 1}`]);
    expect(fs.readFileSync(path.join(dir, "onnx", "vision_model.onnx")).equals(files["onnx/vision_model.onnx"])).toBe(
      true,
    );
    expect(fs.existsSync(part)).toBe(false);
    expect(await modelCount(name)).toBe(1);
  }, 120_000);

  it("refuses a file whose SHA-256 is not the hub's, deletes it and registers nothing", async () => {
    const e = await fetchError(
      fetchHubModel({ repo: "fieldmark/damaged-clip", name: "damaged", hub: hubFor(hub), dataDir: t.dataDir }),
    );
    expect(e.code).toBe("checksum");
    expect(e.message).toContain("onnx/text_model.onnx is damaged");
    const sha = crypto.createHash("sha256").update(files["onnx/text_model.onnx"]).digest("hex");
    expect(e.message).toContain(sha);
    expect(await modelCount("damaged")).toBe(0);
    const dir = fetchedModelDir("damaged", t.dataDir);
    expect(fs.existsSync(path.join(dir, "onnx", "text_model.onnx"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "onnx", "text_model.onnx.part"))).toBe(false);
  }, 60_000);

  it("names a gated repository without a token, a token without access, and fetches it with one", async () => {
    const none = await fetchError(
      fetchHubModel({ repo: "fieldmark/gated-clip", name: "gated", hub: hubFor(hub), dataDir: t.dataDir }),
    );
    expect(none.code).toBe("gated");
    expect(none.message).toMatch(/gated.*set HF_TOKEN/);
    const wrong = await fetchError(
      fetchHubModel({ repo: "fieldmark/gated-clip", name: "gated", hub: hubFor(hub, "hf_wrong"), dataDir: t.dataDir }),
    );
    expect(wrong.code).toBe("gated");
    expect(wrong.message).toContain("your HF_TOKEN has no access");
    expect(await modelCount("gated")).toBe(0);
    const ok = await fetchHubModel({
      repo: "fieldmark/gated-clip",
      name: "gated",
      hub: hubFor(hub, STAND_IN_TOKEN),
      dataDir: t.dataDir,
    });
    expect(ok.dim).toBe(64);
  }, 60_000);

  it("names an unreachable hub, a missing repository or revision, and a repository with no ONNX export", async () => {
    const closed = await startStandInHub({});
    const url = closed.url;
    await closed.close();
    const down = await fetchError(
      fetchHubModel({ repo: REPO, name: "x", hub: { hubUrl: url, accessToken: undefined }, dataDir: t.dataDir }),
    );
    expect(down.code).toBe("unreachable");
    expect(down.message).toContain(`cannot reach the Hugging Face hub at ${url}`);
    expect(down.message).toContain("HF_ENDPOINT");

    const missing = await fetchError(
      fetchHubModel({ repo: "fieldmark/nope", name: "x", hub: hubFor(hub), dataDir: t.dataDir }),
    );
    expect(missing.code).toBe("not-found");
    expect(missing.message).toContain("no repository fieldmark/nope");
    const rev = await fetchError(
      fetchHubModel({ repo: `${REPO}@v9`, name: "x", hub: hubFor(hub), dataDir: t.dataDir }),
    );
    expect(rev.code).toBe("revision-not-found");

    const weights = await fetchError(
      fetchHubModel({ repo: "fieldmark/weights-only", name: "x", hub: hubFor(hub), dataDir: t.dataDir }),
    );
    expect(weights.code).toBe("no-onnx");
    expect(weights.message).toContain("has no ONNX export");
    expect(weights.message).toContain("scripts/export-openclip.py");
    const fp16 = await fetchError(
      fetchHubModel({ repo: REPO, name: "x", variant: "fp16", hub: hubFor(hub), dataDir: t.dataDir }),
    );
    expect(fp16.message).toContain("missing the text tower onnx/text_model_fp16.onnx");
    expect(fp16.message).toContain("--variant fp32");
    expect(await modelCount("x")).toBe(0);
  }, 60_000);
});

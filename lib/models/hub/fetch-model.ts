import fs from "node:fs";
import path from "node:path";
import { HubApiError, listFiles, modelInfo } from "@huggingface/hub";
import { readConfig } from "@/lib/config";
import { db } from "@/lib/db/client";
import { registerModel, type RegisteredModel } from "../registry";
import { alreadyThere, downloadHubFile, type HubRequest } from "./download";
import { HubFetchError } from "./errors";
import { planFetch, VARIANTS, type FetchPlan, type HubFile, type Variant } from "./plan";
import { readHubSettings, type HubSettings } from "@/lib/config";

// `fieldmark models fetch` and the models page's fetch job: resolve the revision to a commit, list the
// repository there, pick the files an encoder needs, download each (resumable, checked against the size
// and hash the hub publishes), then register the folder exactly as `models add` does and record where
// it came from (repo, commit, files) in the model's config.

export type FetchProgress = {
  phase: "resolving" | "downloading" | "verifying" | "registering";
  /** the file being downloaded, its bytes so far and its size */
  file?: string;
  fileDone?: number;
  fileTotal?: number;
  /** all files' bytes so far and in all */
  done: number;
  total: number;
  fileIndex?: number;
  fileCount?: number;
};

export type FetchRequest = {
  /** "owner/name" or "owner/name@revision" */
  repo: string;
  name: string;
  variant?: Variant;
  half?: boolean;
  onProgress?: (p: FetchProgress) => void;
  signal?: AbortSignal;
  hub?: HubSettings;
  dataDir?: string;
};

export type FetchedModel = RegisteredModel & { repo: string; revision: string; files: HubFile[] };

const NAME = /^[\w.@+-]{1,100}$/;
const REPO = /^[\w.-]+\/[\w.-]+$/;

export function parseRepoArg(arg: string): { repo: string; revision: string | undefined } {
  const at = arg.indexOf("@");
  const repo = (at < 0 ? arg : arg.slice(0, at)).trim();
  const revision = at < 0 ? undefined : arg.slice(at + 1).trim();
  if (!REPO.test(repo) || repo.includes(".."))
    throw new HubFetchError("bad-input", `"${arg}" is not a hub repository: write owner/name, optionally @revision`);
  if (revision !== undefined && !/^[\w./-]{1,200}$/.test(revision))
    throw new HubFetchError("bad-input", `"${revision}" is not a revision: a branch, tag or commit sha`);
  return { repo, revision };
}

/** Where a fetched model's files go: the data folder's models/<name>. */
export function fetchedModelDir(name: string, dataDir = readConfig().dataDir): string {
  return path.join(dataDir, "models", name);
}

/** @huggingface/hub's fetch, remembering the hub's X-Error-Code of the last failed answer and honouring `signal`. */
function hubFetch(signal: AbortSignal | undefined, seen: { errorCode: string | null }): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, { ...init, signal });
    if (!res.ok) seen.errorCode = res.headers.get("x-error-code");
    return res;
  };
}

/** Turns the client's errors into ones that say what happened and what to do. */
function explain(e: unknown, repo: string, revision: string, hub: HubSettings, errorCode: string | null): unknown {
  if (e instanceof HubFetchError) return e;
  if ((e as Error)?.name === "AbortError") return new HubFetchError("aborted", `the fetch of ${repo} was stopped`);
  if (e instanceof HubApiError) {
    const page = `${hub.hubUrl}/${repo}`;
    if (errorCode === "GatedRepo" || (e.statusCode === 403 && /gated|restricted/i.test(e.message)))
      return new HubFetchError(
        "gated",
        hub.accessToken
          ? `${repo} is gated and your HF_TOKEN has no access to it (${e.statusCode}): accept its conditions at ${page} with that account.`
          : `${repo} is gated (${e.statusCode}): accept its conditions at ${page}, then set HF_TOKEN to an access token of that account.`,
      );
    if (errorCode === "RevisionNotFound")
      return new HubFetchError("revision-not-found", `${repo} has no revision "${revision}" (a branch, tag or commit)`);
    if (errorCode === "RepoNotFound" || e.statusCode === 404 || (e.statusCode === 401 && !hub.accessToken))
      return new HubFetchError(
        "not-found",
        `no repository ${repo} on ${hub.hubUrl} (${e.statusCode})${hub.accessToken ? "" : "; if it is private, set HF_TOKEN"}`,
      );
    if (e.statusCode === 401)
      return new HubFetchError("unauthorized", `${hub.hubUrl} refused HF_TOKEN (401): check the token, or unset it`);
    return new HubFetchError("hub-error", `${hub.hubUrl} answered ${e.statusCode} for ${repo}: ${e.message}`);
  }
  if (e instanceof TypeError && /fetch failed/i.test(e.message)) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return new HubFetchError(
      "unreachable",
      `cannot reach the Hugging Face hub at ${hub.hubUrl} (${cause?.code ?? cause?.message ?? e.message}): check the network connection, or set HF_ENDPOINT to a mirror you can reach`,
    );
  }
  return e;
}

async function resolveAndList(
  repo: string,
  revision: string,
  hub: HubSettings,
  f: typeof fetch,
): Promise<{ commit: string; gated: boolean; files: HubFile[] }> {
  const info = await modelInfo({
    name: repo,
    revision,
    additionalFields: ["sha"],
    hubUrl: hub.hubUrl,
    accessToken: hub.accessToken,
    fetch: f,
  });
  if (!info.sha) throw new HubFetchError("hub-error", `${hub.hubUrl} gave no commit for ${repo} at ${revision}`);
  const files: HubFile[] = [];
  for await (const entry of listFiles({
    repo,
    revision: info.sha,
    recursive: true,
    hubUrl: hub.hubUrl,
    accessToken: hub.accessToken,
    fetch: f,
  })) {
    if (entry.type !== "file") continue;
    files.push({
      path: entry.path,
      size: entry.lfs?.size ?? entry.size,
      sha256: entry.lfs?.oid,
      gitOid: entry.lfs ? undefined : entry.oid,
    });
  }
  return { commit: info.sha, gated: Boolean(info.gated), files };
}

/** Resolves and plans without downloading: what `fetchHubModel` would fetch. */
export async function planHubFetch(
  repoArg: string,
  variant: Variant = "fp32",
  hub: HubSettings = readHubSettings(),
  signal?: AbortSignal,
): Promise<FetchPlan & { repo: string; commit: string; gated: boolean }> {
  const { repo, revision = "main" } = parseRepoArg(repoArg);
  const seen = { errorCode: null as string | null };
  try {
    const listed = await resolveAndList(repo, revision, hub, hubFetch(signal, seen));
    return {
      repo,
      commit: listed.commit,
      gated: listed.gated,
      ...planFetch(repo, listed.commit, listed.files, variant),
    };
  } catch (e) {
    throw explain(e, repo, revision, hub, seen.errorCode);
  }
}

export async function fetchHubModel(req: FetchRequest): Promise<FetchedModel> {
  const hub = req.hub ?? readHubSettings();
  const variant = req.variant ?? "fp32";
  if (!VARIANTS.includes(variant))
    throw new HubFetchError("bad-input", `variant "${variant}" is not one of ${VARIANTS.join(", ")}`);
  const name = req.name.trim();
  if (!NAME.test(name) || /^\.+$/.test(name))
    throw new HubFetchError("bad-input", `model name "${req.name}" must be 1-100 letters, digits or . _ - @ +`);
  const { repo, revision = "main" } = parseRepoArg(req.repo);
  const dir = fetchedModelDir(name, req.dataDir);
  const existing = (await db().query("SELECT folder FROM models WHERE name = $1", [name])).rows[0];
  if (existing && path.resolve(existing.folder) !== dir)
    throw new HubFetchError(
      "name-taken",
      `a model named "${name}" is already registered from ${existing.folder}; choose another name`,
    );

  const progress = req.onProgress ?? (() => {});
  const seen = { errorCode: null as string | null };
  const f = hubFetch(req.signal, seen);
  try {
    progress({ phase: "resolving", done: 0, total: 0 });
    const listed = await resolveAndList(repo, revision, hub, f);
    if (listed.gated && !hub.accessToken)
      throw new HubFetchError(
        "gated",
        `${repo} is gated: accept its conditions at ${hub.hubUrl}/${repo}, then set HF_TOKEN to an access token of that account.`,
      );
    const plan = planFetch(repo, listed.commit, listed.files, variant);
    const request: HubRequest = {
      repo,
      revision: listed.commit,
      hubUrl: hub.hubUrl,
      accessToken: hub.accessToken,
      fetch: f,
    };
    const total = plan.files.reduce((s, file) => s + file.size, 0);
    let before = 0;
    for (const [i, file] of plan.files.entries()) {
      const dest = path.join(dir, file.target);
      const at = { file: file.path, fileIndex: i + 1, fileCount: plan.files.length, total };
      progress({ phase: "verifying", ...at, fileDone: 0, fileTotal: file.size, done: before });
      if (!(await alreadyThere(dest, file))) {
        fs.rmSync(dest, { force: true });
        await downloadHubFile(
          request,
          file,
          dest,
          (d, t) => progress({ phase: "downloading", ...at, fileDone: d, fileTotal: t, done: before + d }),
          req.signal,
        );
      }
      before += file.size;
      progress({ phase: "downloading", ...at, fileDone: file.size, fileTotal: file.size, done: before });
    }
    const source = {
      repo,
      revision: listed.commit,
      requested: revision,
      variant,
      hub: hub.hubUrl,
      files: plan.files.map((x) => ({ path: x.path, target: x.target, size: x.size, sha256: x.sha256 ?? null })),
    };
    fs.writeFileSync(path.join(dir, "hub-source.json"), `${JSON.stringify(source, null, 2)}\n`);
    progress({ phase: "registering", done: total, total });
    const model = await registerModel({ folder: dir, name, half: req.half });
    // the commit is recorded with the model, so a rerank set or a run names the exact weights
    await db().query(
      `UPDATE models SET config = coalesce(config, '{}'::jsonb) || jsonb_build_object('revision', $2::text, 'hub', $3::jsonb) WHERE id = $1`,
      [model.id, listed.commit, JSON.stringify(source)],
    );
    return { ...model, repo, revision: listed.commit, files: plan.files };
  } catch (e) {
    if (req.signal?.aborted && !(e instanceof HubFetchError && e.code !== "aborted"))
      throw new HubFetchError("aborted", `the fetch of ${repo} was stopped; run it again to resume`);
    throw explain(e, repo, revision, hub, seen.errorCode);
  }
}

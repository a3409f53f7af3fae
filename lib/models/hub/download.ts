import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { downloadFile, fileDownloadInfo } from "@huggingface/hub";
import { HubFetchError } from "./errors";
import type { PlannedFile } from "./plan";

// One file from the hub into the model folder, resumable: bytes go to `<target>.part`; a later run asks
// the hub (through @huggingface/hub's ranged blob) for the rest from where the .part ends. Only a file
// whose size and hash match what the hub publishes is renamed into place.

export type HubRequest = {
  repo: string;
  /** a commit sha: every file of one fetch comes from the same commit */
  revision: string;
  hubUrl: string;
  accessToken: string | undefined;
  fetch: typeof fetch;
};

export type FileProgress = (done: number, total: number) => void;

/** The hash the hub publishes for a file: sha256 of its bytes (LFS), else git's blob sha1. */
export function expectedHash(file: PlannedFile): { algorithm: "sha256" | "sha1"; hex: string } | null {
  if (file.sha256) return { algorithm: "sha256", hex: file.sha256 };
  if (file.gitOid) return { algorithm: "sha1", hex: file.gitOid };
  return null;
}

function newHasher(file: PlannedFile): crypto.Hash | null {
  const expected = expectedHash(file);
  if (!expected) return null;
  const h = crypto.createHash(expected.algorithm);
  if (expected.algorithm === "sha1") h.update(`blob ${file.size}\0`); // git hashes a header, then the bytes
  return h;
}

async function hashFile(file: string, hasher: crypto.Hash, onBytes?: (n: number) => void): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) {
    hasher.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
}

/** Whether a file already on disk is this one (size, then hash): a rerun skips it. */
export async function alreadyThere(dest: string, file: PlannedFile): Promise<boolean> {
  const stat = fs.statSync(dest, { throwIfNoEntry: false });
  if (!stat || stat.size !== file.size) return false;
  const hasher = newHasher(file);
  if (!hasher) return true;
  await hashFile(dest, hasher);
  return hasher.digest("hex") === expectedHash(file)!.hex;
}

/**
 * Downloads `file` to `dest`, resuming a `.part` left by an interrupted run, and checks its size and
 * published hash. A mismatch deletes the .part (its bytes cannot be trusted) and throws, naming both hashes.
 */
export async function downloadHubFile(
  request: HubRequest,
  file: PlannedFile,
  dest: string,
  onProgress: FileProgress = () => {},
  signal?: AbortSignal,
): Promise<{ resumedFrom: number }> {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  let offset = fs.statSync(part, { throwIfNoEntry: false })?.size ?? 0;
  if (offset > file.size) {
    fs.rmSync(part); // longer than the file the hub has: not a piece of it
    offset = 0;
  }
  const resumedFrom = offset;
  const hasher = newHasher(file);
  if (offset > 0 && hasher) await hashFile(part, hasher);
  onProgress(offset, file.size);

  if (offset < file.size) {
    const params = {
      repo: request.repo,
      path: file.path,
      revision: request.revision,
      hubUrl: request.hubUrl,
      accessToken: request.accessToken,
      fetch: request.fetch,
    };
    const info = await fileDownloadInfo(params);
    if (!info)
      throw new HubFetchError("missing-files", `${request.repo} has no file ${file.path} at ${request.revision}`);
    // xet: false: the plain resolve URL with HTTP ranges, which mirrors and the stand-in hub serve too
    const blob = await downloadFile({ ...params, downloadInfo: { ...info, xet: undefined }, xet: false });
    if (!blob)
      throw new HubFetchError("missing-files", `${request.repo} has no file ${file.path} at ${request.revision}`);
    if (blob.size !== file.size)
      throw new HubFetchError(
        "size",
        `${file.path}: the hub lists ${file.size} bytes but serves ${blob.size}; nothing was registered. Try again later, or another revision.`,
      );
    const out = fs.createWriteStream(part, { flags: "a" });
    let done = offset;
    try {
      const reader = blob.slice(offset).stream().getReader();
      for (;;) {
        if (signal?.aborted) {
          await reader.cancel().catch(() => {});
          throw new HubFetchError(
            "aborted",
            `the download of ${file.path} was stopped at ${done} of ${file.size} bytes`,
          );
        }
        let next;
        try {
          next = await reader.read();
        } catch (e) {
          // WebBlob's stream aborts with the reason's text; the bytes so far stay in the .part
          throw e instanceof Error ? e : new Error(String(e));
        }
        if (next.done) break;
        const chunk = Buffer.from(next.value);
        hasher?.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
        done += chunk.length;
        onProgress(done, file.size);
      }
    } finally {
      await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    }
  }

  const got = fs.statSync(part).size;
  if (got !== file.size) {
    if (got > file.size) fs.rmSync(part);
    throw new HubFetchError(
      "size",
      `${file.path}: received ${got} bytes, the hub lists ${file.size}; nothing was registered. Run the fetch again to resume.`,
    );
  }
  const expected = expectedHash(file);
  if (hasher && expected) {
    const actual = hasher.digest("hex");
    if (actual !== expected.hex) {
      fs.rmSync(part);
      throw new HubFetchError(
        "checksum",
        `${file.path} is damaged: its ${expected.algorithm.toUpperCase()} is ${actual}, the hub publishes ${expected.hex}. The file was deleted and nothing was registered; run the fetch again.`,
      );
    }
  }
  fs.renameSync(part, dest);
  return { resumedFrom };
}

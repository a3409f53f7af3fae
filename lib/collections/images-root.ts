import fs from "node:fs";
import path from "node:path";
import { checkImagesRoot, type Via } from "@/lib/images/allowed-roots";
import { ImportError } from "./errors";

// Where a collection's image files live: a local folder or an http(s) base URL (object storage).
// Images stay where they are; the database keeps each image's path relative to this root, and no
// path may point outside it. Which roots are allowed at all is lib/images/allowed-roots.ts's call.

export type ImagesRoot = { kind: "folder"; path: string } | { kind: "url"; url: string };

export const URL_PROBE_TIMEOUT_MS = 5_000;

export function imagesRootLabel(root: ImagesRoot): string {
  return root.kind === "folder" ? root.path : root.url;
}

/**
 * A folder must exist; a URL must answer (any HTTP status will do: the host is reachable). First it
 * must be allowed (checkImagesRoot: never the data folder; for "web", only FIELDMARK_IMAGE_ROOTS),
 * before anything is probed, so a refused root is never fetched. `via` defaults to "cli".
 * Throws ImageAccessError when refused, ImportError when missing or unreachable.
 */
export async function resolveImagesRoot(
  spec: string,
  opts: { timeoutMs?: number; via?: Via } = {},
): Promise<ImagesRoot> {
  const checked = checkImagesRoot(spec, { via: opts.via ?? "cli" });
  if (checked.kind === "url") {
    // the URL as given (ending in /), as it was always stored
    const url = spec.endsWith("/") ? spec : `${spec}/`;
    await probeUrl(url, opts.timeoutMs ?? URL_PROBE_TIMEOUT_MS);
    return { kind: "url", url };
  }
  const folder = path.resolve(spec);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch {
    throw new ImportError("images-root-not-found", `images root ${folder} does not exist`, { file: folder });
  }
  if (!stat.isDirectory())
    throw new ImportError("images-root-not-found", `images root ${folder} is not a folder`, { file: folder });
  return { kind: "folder", path: checked.path };
}

async function probeUrl(url: string, timeoutMs: number): Promise<void> {
  try {
    const res = await fetch(url, { method: "HEAD", redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const cause = err.cause?.message ?? err.cause?.code ?? err.message;
    const why =
      err.name === "TimeoutError" || err.name === "AbortError"
        ? `no answer within ${timeoutMs / 1000} s`
        : cause === "bad port"
          ? `port ${new URL(url).port} is one that fetch refuses to use`
          : cause;
    throw new ImportError("images-root-unreachable", `images root ${url} is unreachable: ${why}`, { file: url });
  }
}

/**
 * The path of an image relative to the root, normalised with forward slashes, or null when it
 * escapes the root (`../`, an absolute path elsewhere, another host).
 */
export function pathWithinRoot(root: ImagesRoot, fileName: string): string | null {
  let rel: string;
  if (root.kind === "url") {
    if (/^[a-z][a-z0-9+.-]*:/i.test(fileName)) {
      if (!fileName.startsWith(root.url)) return null;
      rel = fileName.slice(root.url.length);
    } else {
      rel = fileName;
    }
    let decoded = rel;
    try {
      decoded = decodeURIComponent(rel);
    } catch {
      return null;
    }
    // judge the decoded form too, so %2e%2e/ cannot sneak past
    if (decoded.startsWith("/") || escapes(path.posix.normalize(decoded))) return null;
    rel = path.posix.normalize(rel);
  } else {
    const absolute = path.isAbsolute(fileName);
    rel = absolute ? path.relative(root.path, fileName) : path.normalize(fileName);
    if (path.isAbsolute(rel)) return null;
    rel = rel.split(path.sep).join("/");
  }
  if (escapes(rel) || rel === "." || rel === "") return null;
  return rel;
}

function escapes(rel: string): boolean {
  return rel === ".." || rel.startsWith("../");
}

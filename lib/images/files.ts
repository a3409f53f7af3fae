import fs from "node:fs/promises";
import { constants as fsConstants } from "node:fs";
import path from "node:path";
import { readImageSettings } from "@/lib/config";
import { assertServable, ImageAccessError, realPathOf } from "./allowed-roots";
import { SNIFF_BYTES, sniffImageType } from "./sniff";

// Images stay where they are: under a local folder or an http(s) base URL (object storage).
// Every path is resolved against its root and refused if it escapes it; a local file is checked
// again once opened (its real path, symlinks resolved) against the data folder and its root; a remote
// one follows redirects only on its own origin. Only bytes that are an image are ever returned, with
// the type their first bytes say, and never more than FIELDMARK_MAX_IMAGE_BYTES of them.

/** A file name that leaves its images root. */
export class ImagePathError extends ImageAccessError {
  constructor(publicMessage: string, detail: string) {
    super("outside-root", publicMessage, detail);
    this.name = "ImagePathError";
  }
}

export function isUrlRoot(root: string): boolean {
  return /^https?:\/\//i.test(root);
}

/** Where an image's bytes live: an absolute file path or a URL, never outside the images root. */
export function resolveImageLocation(imagesRoot: string | null, fileName: string): string {
  if (!imagesRoot)
    throw new ImageAccessError(
      "not-found",
      "no images root is set for this collection",
      `no images root is set for this collection, so ${fileName} cannot be found`,
    );
  const escapes = () =>
    new ImagePathError(
      "the image's path escapes its images root",
      `image path ${fileName} escapes the images root ${imagesRoot}`,
    );
  if (fileName.includes("\0")) throw escapes();
  if (isUrlRoot(imagesRoot)) {
    const base = new URL(imagesRoot.endsWith("/") ? imagesRoot : `${imagesRoot}/`);
    // each segment encoded, so %2e%2e or %2f in a name stay literal characters, never a step up
    const url = new URL(fileName.split("/").map(encodeURIComponent).join("/"), base);
    if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) throw escapes();
    return url.toString();
  }
  const root = path.resolve(imagesRoot);
  const full = path.resolve(root, fileName);
  const rel = path.relative(root, full);
  if (rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) throw escapes();
  return full;
}

/** Headers for an original image's answer: the sniffed type, and no browser guessing another. */
export function imageResponseHeaders(contentType: string): Record<string, string> {
  return { "Content-Type": contentType, "X-Content-Type-Options": "nosniff" };
}

const FETCH_TIMEOUT_MS = 20_000;
const MAX_REDIRECTS = 3;

export type ReadOriginalOptions = {
  /** the most bytes to read (default FIELDMARK_MAX_IMAGE_BYTES, 50 MB) */
  maxBytes?: number;
  /** for a remote image, how long the whole fetch may take, redirects and body included (default 20 s) */
  timeoutMs?: number;
};

/**
 * The original image's bytes and their sniffed type. Throws ImageAccessError: its `publicMessage`
 * names at most the image's own file name (never the root's path or URL), `message` everything.
 */
export async function readOriginal(
  image: { fileName: string; imagesRoot: string | null },
  opts: ReadOriginalOptions = {},
): Promise<{ body: Buffer; contentType: string }> {
  const location = resolveImageLocation(image.imagesRoot, image.fileName);
  const maxBytes = opts.maxBytes ?? readImageSettings().maxImageBytes;
  if (isUrlRoot(location)) return readRemote(location, image.fileName, maxBytes, opts.timeoutMs ?? FETCH_TIMEOUT_MS);
  return readLocal(location, image.imagesRoot!, image.fileName, maxBytes);
}

function tooLarge(fileName: string, where: string, maxBytes: number): ImageAccessError {
  const limit = `${(maxBytes / 2 ** 20).toFixed(maxBytes < 2 ** 20 ? 2 : 0)} MB`;
  return new ImageAccessError(
    "too-large",
    `${fileName} is larger than the ${limit} an image may have (FIELDMARK_MAX_IMAGE_BYTES)`,
    `${where} is larger than ${maxBytes} bytes (FIELDMARK_MAX_IMAGE_BYTES)`,
  );
}

function notAnImage(fileName: string, where: string): ImageAccessError {
  return new ImageAccessError(
    "not-an-image",
    `unsupported image format: ${fileName} is not a JPEG, PNG, WebP, GIF, TIFF, AVIF or HEIF image`,
    `unsupported image format: ${where} is not a JPEG, PNG, WebP, GIF, TIFF, AVIF or HEIF image`,
  );
}

/** The real path of an opened file: Linux says which file the descriptor holds, so no link can be swapped in between. */
async function openedRealPath(handle: fs.FileHandle, location: string): Promise<string> {
  if (process.platform === "linux") {
    try {
      const p = await fs.readlink(`/proc/self/fd/${handle.fd}`);
      if (path.isAbsolute(p)) return p;
    } catch {
      // no /proc: fall back to resolving the name
    }
  }
  return fs.realpath(location);
}

async function readLocal(location: string, imagesRoot: string, fileName: string, maxBytes: number) {
  // the name's real path first, so a refused file is refused before it is even opened
  assertServable(realPathOf(location), imagesRoot);
  let handle: fs.FileHandle;
  try {
    // non-blocking: a FIFO planted under the root must not hang the read
    handle = await fs.open(location, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      throw new ImageAccessError("not-found", `file not found: ${fileName}`, `file not found: ${location}`);
    throw new ImageAccessError(
      "unreadable",
      `could not read ${fileName}${code ? ` (${code})` : ""}`,
      `could not read ${location}: ${(e as Error).message}`,
    );
  }
  try {
    assertServable(await openedRealPath(handle, location), imagesRoot);
    const stat = await handle.stat();
    if (!stat.isFile())
      throw new ImageAccessError("unreadable", `${fileName} is not a file`, `${location} is not a regular file`);
    if (stat.size > maxBytes) throw tooLarge(fileName, location, maxBytes);
    // read at most one byte past the cap: a file growing while read is still caught
    const body = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let n = 0;
    while (n < body.length) {
      const { bytesRead } = await handle.read(body, n, body.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > maxBytes) throw tooLarge(fileName, location, maxBytes);
    const data = body.subarray(0, n);
    const contentType = sniffImageType(data);
    if (!contentType) throw notAnImage(fileName, location);
    return { body: data, contentType };
  } catch (e) {
    if (e instanceof ImageAccessError) throw e;
    throw new ImageAccessError(
      "unreadable",
      `could not read ${fileName}`,
      `could not read ${location}: ${(e as Error).message}`,
    );
  } finally {
    await handle.close();
  }
}

function fetchFailure(fileName: string, url: string, e: unknown): ImageAccessError {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const timedOut = err.name === "TimeoutError" || err.name === "AbortError";
  // a system error code (ECONNREFUSED, ENOTFOUND) says what went wrong without naming the host
  const why = timedOut ? "no answer in time" : (err.cause?.code ?? "the request failed");
  return new ImageAccessError(
    "fetch-failed",
    `could not fetch ${fileName}: ${why}`,
    `could not fetch ${url}: ${timedOut ? "no answer in time" : (err.cause?.message ?? err.cause?.code ?? err.message)}`,
  );
}

async function readRemote(location: string, fileName: string, maxBytes: number, timeoutMs: number) {
  const signal = AbortSignal.timeout(timeoutMs);
  const origin = new URL(location).origin;
  let url = location;
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      // redirects are followed by hand, and only on the root's own origin
      res = await fetch(url, { redirect: "manual", signal, headers: { accept: "image/*" } });
    } catch (e) {
      throw fetchFailure(fileName, url, e);
    }
    const next = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
    if (next !== null) {
      await res.body?.cancel().catch(() => {});
      let target: URL;
      try {
        target = new URL(next, url);
      } catch {
        throw new ImageAccessError(
          "redirect",
          `could not fetch ${fileName}: a bad redirect`,
          `${url} redirects to ${next}, not a URL`,
        );
      }
      if (target.origin !== origin)
        throw new ImageAccessError(
          "redirect",
          `could not fetch ${fileName}: its server redirects to another site, which is not followed`,
          `${url} redirects to ${target}, another origin than ${origin}: not followed`,
        );
      if (hop >= MAX_REDIRECTS)
        throw new ImageAccessError(
          "redirect",
          `could not fetch ${fileName}: more than ${MAX_REDIRECTS} redirects`,
          `${location}: more than ${MAX_REDIRECTS} redirects (last to ${target})`,
        );
      url = target.toString();
      continue;
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new ImageAccessError(
        "fetch-failed",
        `could not fetch ${fileName}: HTTP ${res.status}`,
        `could not fetch ${url}: HTTP ${res.status}`,
      );
    }
    return readCappedBody(res, fileName, url, maxBytes);
  }
}

/** The body, streamed: refused as soon as it passes the cap or its first bytes are not an image. */
async function readCappedBody(res: Response, fileName: string, url: string, maxBytes: number) {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw tooLarge(fileName, url, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  let contentType: string | null = null;
  const reader = res.body?.getReader();
  try {
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge(fileName, url, maxBytes);
      chunks.push(value);
      if (contentType === null && total >= SNIFF_BYTES) {
        contentType = sniffImageType(Buffer.concat(chunks));
        if (!contentType) throw notAnImage(fileName, url);
      }
    }
  } catch (e) {
    await reader?.cancel().catch(() => {});
    if (e instanceof ImageAccessError) throw e;
    throw fetchFailure(fileName, url, e);
  }
  const body = Buffer.concat(chunks);
  contentType ??= sniffImageType(body);
  if (!contentType) throw notAnImage(fileName, url);
  return { body, contentType };
}

import fs from "node:fs/promises";
import path from "node:path";

// Images stay where they are: under a local folder or an http(s) base URL (object storage).
// Every path is resolved against its root and refused if it escapes it.

export class ImagePathError extends Error {}

export function isUrlRoot(root: string): boolean {
  return /^https?:\/\//i.test(root);
}

/** Where an image's bytes live: an absolute file path or a URL, never outside the images root. */
export function resolveImageLocation(imagesRoot: string | null, fileName: string): string {
  if (!imagesRoot)
    throw new ImagePathError(`no images root is set for this collection, so ${fileName} cannot be found`);
  if (isUrlRoot(imagesRoot)) {
    const base = new URL(imagesRoot.endsWith("/") ? imagesRoot : `${imagesRoot}/`);
    const url = new URL(fileName.split("/").map(encodeURIComponent).join("/"), base);
    if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
      throw new ImagePathError(`image path ${fileName} escapes the images root ${imagesRoot}`);
    }
    return url.toString();
  }
  const root = path.resolve(imagesRoot);
  const full = path.resolve(root, fileName);
  const rel = path.relative(root, full);
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new ImagePathError(`image path ${fileName} escapes the images root ${imagesRoot}`);
  }
  return full;
}

const CONTENT_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".gif": "image/gif",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".avif": "image/avif",
};

export function contentTypeFor(fileName: string): string {
  return CONTENT_TYPES[path.extname(fileName).toLowerCase()] ?? "application/octet-stream";
}

const FETCH_TIMEOUT_MS = 20_000;

/** The original image's bytes. Throws with a reason a person can act on. */
export async function readOriginal(image: {
  fileName: string;
  imagesRoot: string | null;
}): Promise<{ body: Buffer; contentType: string }> {
  const location = resolveImageLocation(image.imagesRoot, image.fileName);
  if (isUrlRoot(location)) {
    let res: Response;
    try {
      res = await fetch(location, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      throw new Error(`could not fetch ${location}: ${cause}`);
    }
    if (!res.ok) throw new Error(`could not fetch ${location}: HTTP ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    return { body, contentType: res.headers.get("content-type") ?? contentTypeFor(image.fileName) };
  }
  try {
    return { body: await fs.readFile(location), contentType: contentTypeFor(image.fileName) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT" ? `file not found: ${location}` : `could not read ${location}: ${(e as Error).message}`,
    );
  }
}

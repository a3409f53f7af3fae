import fs from "node:fs";
import path from "node:path";
import { uploadsDir } from "@/lib/collections/uploads";
import { readConfig, readImageSettings } from "@/lib/config";

// Which folders and URLs images may come from: the one place that decides it.
//
// - The data folder (FIELDMARK_DATA_DIR: the auth secret, the embedded database, uploads, thumbnails)
//   is never an images root, an import source (but for a lead's own uploads) or a served file,
//   whoever asks. Every check is made on the real path (symlinks resolved), and again on the opened
//   file when an image is read, so a link planted inside an allowed folder does not lead there.
// - "cli": `fieldmark import` runs with the server's own user and shell access, so it may import from
//   anywhere else, as it always could.
// - "web": a lead importing through the UI or API may use only folders and URL prefixes an admin
//   listed in FIELDMARK_IMAGE_ROOTS (comma-separated; empty by default, so nothing until an admin
//   says where the photos live: any folder we guessed would hand a lead every image under it).
// - Serving trusts a collection's images root as registered (each registration went through
//   checkImagesRoot), but each file's real path must stay inside that root or an allowed folder.

export type Via = "cli" | "web";

export type ImageAccessCode =
  | "data-dir" // inside (or holding) the server's data folder
  | "not-allowed" // a web import outside FIELDMARK_IMAGE_ROOTS
  | "outside-root" // a path that leaves its images root (.., an absolute path, a symlink elsewhere)
  | "unsupported-root" // neither a folder nor an http(s) URL
  | "not-found"
  | "unreadable"
  | "not-an-image" // the bytes are none of the image formats served
  | "too-large"
  | "redirect" // a remote root redirecting to another origin, or too often
  | "fetch-failed";

/**
 * Refused or failed access to an image, a root or a source. `message` is the detailed account for
 * logs and the CLI (it may name server paths and URLs); `publicMessage` never names either and is
 * what an HTTP answer, a header or a stored image status may carry.
 */
export class ImageAccessError extends Error {
  readonly code: ImageAccessCode;
  readonly publicMessage: string;

  constructor(code: ImageAccessCode, publicMessage: string, detail: string = publicMessage) {
    super(detail);
    this.name = "ImageAccessError";
    this.code = code;
    this.publicMessage = publicMessage;
  }
}

/** What a route may show for any error met while reading an image: the public message, or a fallback. */
export function publicImageError(e: unknown, fallback = "the image could not be read"): string {
  return e instanceof ImageAccessError ? e.publicMessage : fallback;
}

// macOS and Windows file systems usually ignore case: /Data and /data are one folder there
const caseless = process.platform === "darwin" || process.platform === "win32";

/** Whether `child` is `parent` or inside it (both absolute, already resolved). */
export function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(caseless ? parent.toLowerCase() : parent, caseless ? child.toLowerCase() : child);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * The real path of `p` with every symlink resolved; for a path that does not exist (yet), the real
 * path of its nearest existing folder with the rest appended (nothing there to resolve).
 */
export function realPathOf(p: string): string {
  const full = path.resolve(p);
  const rest: string[] = [];
  let head = full;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(head), ...rest.reverse());
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return full;
      rest.push(path.basename(head));
      head = parent;
    }
  }
}

/** The data folder as configured and as it really is (it may be a symlink itself). */
function dataDirs(): string[] {
  const configured = readConfig().dataDir;
  const real = realPathOf(configured);
  return real === configured ? [configured] : [configured, real];
}

/** Whether a real path is in the data folder or, with `orHolding`, a folder that holds it. */
export function touchesDataDir(real: string, opts: { orHolding?: boolean } = {}): boolean {
  return dataDirs().some((d) => isWithin(real, d) || (opts.orHolding === true && isWithin(d, real)));
}

type AllowedUrl = { origin: string; pathname: string };

/** FIELDMARK_IMAGE_ROOTS, split into real folders and URL prefixes. */
export function allowedImageRoots(): { folders: string[]; urls: AllowedUrl[] } {
  const folders: string[] = [];
  const urls: AllowedUrl[] = [];
  for (const entry of readImageSettings().imageRoots) {
    if (/^https?:\/\//i.test(entry)) {
      const u = new URL(entry);
      urls.push({ origin: u.origin, pathname: u.pathname });
    } else folders.push(realPathOf(entry));
  }
  return { folders, urls };
}

function inAllowedFolder(real: string): boolean {
  return allowedImageRoots().folders.some((f) => isWithin(real, f));
}

/** "spec" or "spec (real path)" when a link made them differ: for detailed messages. */
function named(spec: string, real: string): string {
  return path.resolve(spec) === real ? spec : `${spec} (${real})`;
}

export type CheckedRoot = { kind: "folder"; path: string } | { kind: "url"; url: string };

const NOT_ALLOWED_HINT = "an admin can allow it by adding it to FIELDMARK_IMAGE_ROOTS";
const DATA_DIR_PUBLIC = "it is in the server's own data folder, which is never used for images";

/**
 * May `spec` (a folder or an http(s) URL) be a collection's images root? Returns it normalised (the
 * folder's real path; the URL ending in /) or throws ImageAccessError. Checks only what it is allowed
 * to be, not whether it exists (resolveImagesRoot does that after), so a refused lead learns nothing
 * about folders outside what is allowed.
 */
export function checkImagesRoot(spec: string, opts: { via: Via }): CheckedRoot {
  if (/^https?:\/\//i.test(spec)) {
    let url: URL;
    try {
      url = new URL(spec.endsWith("/") ? spec : `${spec}/`);
    } catch {
      throw new ImageAccessError(
        "unsupported-root",
        "that images root is not a valid URL",
        `images root ${spec} is not a valid URL`,
      );
    }
    // a server may decode %2F into a slash after our prefix check: a root must not hide one
    if (/%2f|%5c/i.test(url.pathname))
      throw new ImageAccessError(
        "outside-root",
        "that images root URL holds an encoded slash",
        `images root ${spec} holds an encoded slash (%2F or %5C)`,
      );
    if (opts.via === "web") {
      const ok = allowedImageRoots().urls.some((a) => a.origin === url.origin && url.pathname.startsWith(a.pathname));
      if (!ok)
        throw new ImageAccessError(
          "not-allowed",
          `that images root URL is not one this server allows imports from: ${NOT_ALLOWED_HINT}`,
          `images root ${url} is not under any http(s) prefix in FIELDMARK_IMAGE_ROOTS`,
        );
    }
    return { kind: "url", url: url.toString() };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec))
    throw new ImageAccessError(
      "unsupported-root",
      "only local folders and http(s) URLs can be images roots",
      `images root ${spec}: only local folders and http(s) URLs are supported`,
    );
  const real = realPathOf(spec);
  if (touchesDataDir(real, { orHolding: true }))
    throw new ImageAccessError(
      "data-dir",
      `that images root is refused: ${DATA_DIR_PUBLIC}`,
      `images root ${named(spec, real)} is refused: it is or holds the data folder ${readConfig().dataDir}`,
    );
  if (opts.via === "web" && !inAllowedFolder(real))
    throw new ImageAccessError(
      "not-allowed",
      `that images root is not a folder this server allows imports from: ${NOT_ALLOWED_HINT}`,
      `images root ${named(spec, real)} is not inside any folder in FIELDMARK_IMAGE_ROOTS`,
    );
  return { kind: "folder", path: real };
}

/**
 * May `source` (a train.json, a CSV or a folder) be imported? Returns its real path or throws
 * ImageAccessError. A lead's upload (in the data folder's uploads/) is the one thing of the data
 * folder that may be imported.
 */
export function checkSourcePath(source: string, via: Via = "cli"): string {
  const real = realPathOf(source);
  const uploads = realPathOf(uploadsDir());
  if (isWithin(real, uploads) && real !== uploads) return real;
  if (touchesDataDir(real, { orHolding: true }))
    throw new ImageAccessError(
      "data-dir",
      `that import source is refused: ${DATA_DIR_PUBLIC}`,
      `import source ${named(source, real)} is refused: it is or holds the data folder ${readConfig().dataDir}`,
    );
  if (via === "web" && !inAllowedFolder(real))
    throw new ImageAccessError(
      "not-allowed",
      `that path is not in a folder this server allows imports from through the web: ${NOT_ALLOWED_HINT}, or import it with \`fieldmark import\``,
      `import source ${named(source, real)} is not inside any folder in FIELDMARK_IMAGE_ROOTS`,
    );
  return real;
}

/**
 * May the file at `realPath` (symlinks already resolved) be served? Never from the data folder; and
 * given its collection's folder images root, only from inside that root (or an allowed folder), so a
 * link in the root cannot lead elsewhere. Throws ImageAccessError.
 */
export function assertServable(realPath: string, imagesRoot?: string): void {
  if (touchesDataDir(realPath))
    throw new ImageAccessError(
      "data-dir",
      "this image is refused: its file is in the server's own data folder",
      `${realPath} is refused: it is inside the data folder ${readConfig().dataDir}`,
    );
  if (imagesRoot !== undefined && !isWithin(realPath, realPathOf(imagesRoot)) && !inAllowedFolder(realPath))
    throw new ImageAccessError(
      "outside-root",
      "this image is refused: its file (through a symbolic link) is outside its images root",
      `${realPath} is refused: it is outside the images root ${imagesRoot} and every folder in FIELDMARK_IMAGE_ROOTS`,
    );
}

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { readConfig, readUploadSettings } from "@/lib/config";

// A small train.json or CSV uploaded through the browser is kept in the data folder, then imported
// like any file on disk (its images are found under the images root given with it).

export class UploadError extends Error {}

/**
 * The one folder of the data folder an import may read from: a lead's own uploaded files. Never an
 * images root (lib/images/allowed-roots.ts refuses the data folder for those).
 */
export function uploadsDir(): string {
  return path.join(readConfig().dataDir, "uploads");
}

export async function saveUpload(file: File): Promise<string> {
  // route handlers read no more than this (app/api/_lib/body.ts); checked again for any other caller
  const limit = readUploadSettings().maxUploadBytes;
  if (file.size > limit) {
    throw new UploadError(
      `${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB; uploads stop at ${(limit / 2 ** 20).toFixed(0)} MB (FIELDMARK_MAX_UPLOAD_BYTES): import bigger files with \`fieldmark import\``,
    );
  }
  if (!/\.(json|csv)$/i.test(file.name)) throw new UploadError(`${file.name} is neither a .json nor a .csv file`);
  const dir = path.join(uploadsDir(), crypto.randomUUID());
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // only the name's last part, in plain characters, never "." or ".." (the regex above ends it in .json/.csv)
  const target = path.join(dir, path.basename(file.name).replace(/[^\w.-]+/g, "_"));
  try {
    await pipeline(
      Readable.fromWeb(file.stream() as import("node:stream/web").ReadableStream),
      fs.createWriteStream(target, { flags: "wx", mode: 0o600 }),
    );
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true }); // a full disk or a cut stream leaves no half file
    throw e;
  }
  return target;
}

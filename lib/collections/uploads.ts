import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { readConfig } from "@/lib/config";

// A small train.json or CSV uploaded through the browser is kept in the data folder, then imported
// like any file on disk (its images are found under the images root given with it).

export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

export class UploadError extends Error {}

export async function saveUpload(file: File): Promise<string> {
  if (file.size > MAX_UPLOAD_BYTES) {
    throw new UploadError(
      `${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB; uploads stop at ${MAX_UPLOAD_BYTES / 2 ** 20} MB: import bigger files with \`fieldmark import\``,
    );
  }
  if (!/\.(json|csv)$/i.test(file.name)) throw new UploadError(`${file.name} is neither a .json nor a .csv file`);
  const dir = path.join(readConfig().dataDir, "uploads", crypto.randomUUID());
  fs.mkdirSync(dir, { recursive: true });
  const target = path.join(dir, path.basename(file.name).replace(/[^\w.-]+/g, "_"));
  await pipeline(
    Readable.fromWeb(file.stream() as import("node:stream/web").ReadableStream),
    fs.createWriteStream(target),
  );
  return target;
}

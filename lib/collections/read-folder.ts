import fs from "node:fs";
import path from "node:path";
import { ImportError } from "./errors";
import type { ReaderContext, RecordChunk } from "./read-inat-json";
import type { SourceRecord } from "./records";

// Reads a folder of images, recursively, in a fixed (sorted) order so an interrupted import can skip
// what it already staged. An image's id is its path relative to the folder. Hidden files and folders
// and symbolic links are left out (a link could lead outside the images root, or round in a loop).

export const IMAGE_EXTENSIONS = new Set([
  ".jpg",
  ".jpeg",
  ".png",
  ".webp",
  ".gif",
  ".tif",
  ".tiff",
  ".bmp",
  ".avif",
  ".heic",
  ".heif",
]);
const FILES_PER_CHUNK = 2_000;

async function* walk(folder: string): AsyncGenerator<string> {
  const entries = await fs.promises.readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile() && IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) yield full;
  }
}

export async function* readImageFolder(folder: string, ctx: ReaderContext): AsyncGenerator<RecordChunk> {
  let out: SourceRecord[] = [];
  let ord = 0;
  for await (const full of walk(folder)) {
    const sourceId = path.relative(folder, full).split(path.sep).join("/");
    const fileName = ctx.resolveFileName(full);
    if (fileName === null) {
      throw new ImportError("path-escapes-root", `${full} is outside the images root ${ctx.rootLabel}`, {
        file: full,
        id: sourceId,
      });
    }
    out.push({
      kind: "image",
      row: {
        ord: ord++,
        line: null,
        source_id: sourceId,
        file_name: fileName,
        width: null,
        height: null,
        observed_at: null,
        latitude: null,
        longitude: null,
        location_uncertainty: null,
        license: null,
        rights_holder: null,
      },
    });
    if (out.length >= FILES_PER_CHUNK) {
      yield { records: out, bytesRead: 0 };
      out = [];
    }
  }
  if (out.length) yield { records: out, bytesRead: 0 };
}

import fs from "node:fs";
import path from "node:path";
import { checkSourcePath, type Via } from "@/lib/images/allowed-roots";
import { ImportError } from "./errors";

// What is being imported: its kind, the fingerprint that tells whether it changed since an earlier
// (possibly interrupted) import, and where its images are unless the caller says otherwise.

export type SourceKind = "inat-json" | "csv" | "folder";

export type SourceInfo = {
  path: string;
  kind: SourceKind;
  /** size and modification time: a changed file must not resume a half-done import of the old one */
  fingerprint: string;
  /** bytes, for progress; null for a folder */
  size: number | null;
  /** the folder holding the file, or the folder itself */
  defaultImagesRoot: string;
};

function sniff(file: string): SourceKind | undefined {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const head = buf
      .subarray(0, n)
      .toString("utf8")
      .replace(/^\uFEFF/, "")
      .trimStart();
    if (head.startsWith("{")) return "inat-json";
    if (/^[^\n]*\bfile_name\b/.test(head)) return "csv";
  } finally {
    fs.closeSync(fd);
  }
  return undefined;
}

/**
 * What `source` is. It must be allowed first (checkSourcePath: never the data folder but for uploads;
 * for "web", only inside FIELDMARK_IMAGE_ROOTS), before it is even looked at, so a refused lead learns
 * nothing of what is there. `via` defaults to "cli". Throws ImageAccessError when refused.
 */
export function describeSource(source: string, opts: { via?: Via } = {}): SourceInfo {
  checkSourcePath(source, opts.via ?? "cli");
  let full = path.resolve(source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
    // one name per file, so a resume or a re-import finds the earlier import however the path was typed
    full = fs.realpathSync(full);
  } catch {
    throw new ImportError("source-not-found", `${full} does not exist`, { file: full });
  }
  if (stat.isDirectory()) {
    return { path: full, kind: "folder", fingerprint: `folder:${stat.mtimeMs}`, size: null, defaultImagesRoot: full };
  }
  const ext = path.extname(full).toLowerCase();
  const kind = ext === ".json" ? "inat-json" : ext === ".csv" ? "csv" : sniff(full);
  if (!kind) {
    throw new ImportError("unsupported-source", `${full} is not a train.json, a CSV manifest or a folder of images`, {
      file: full,
    });
  }
  return {
    path: full,
    kind,
    fingerprint: `${stat.size}:${stat.mtimeMs}`,
    size: stat.size,
    defaultImagesRoot: path.dirname(full),
  };
}

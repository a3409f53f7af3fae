import fs from "node:fs";
import path from "node:path";
import { buildExport, type ExportFiles, type ExportProgress } from "./build";
import { freezePublished } from "./freeze";
import type { ExportOptions } from "./plan";

// Writes an export into a folder and freezes what it published. The folder must be new or empty; a
// write that fails (a full disk most of all) removes what it wrote and says so plainly, so no
// half-export is left to be mistaken for a whole one.

export class ExportWriteError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "ExportWriteError";
  }
}

/** Refuses a folder that exists and holds anything, or a path that is a file. */
export function checkOutDir(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return;
  }
  if (!stat.isDirectory()) throw new ExportWriteError(`${dir} is a file: --out must be a new or empty folder`);
  if (fs.readdirSync(dir).length > 0)
    throw new ExportWriteError(`${dir} is not empty: export into a new or empty folder`);
}

function describeWriteError(e: NodeJS.ErrnoException, dir: string): ExportWriteError {
  if (e.code === "ENOSPC" || e.code === "EDQUOT")
    return new ExportWriteError(`no space left for the export in ${dir}: free some and export again`, e.code);
  if (e.code === "EACCES" || e.code === "EPERM" || e.code === "EROFS")
    return new ExportWriteError(`cannot write the export into ${dir}: ${e.code}`, e.code);
  return new ExportWriteError(`writing the export into ${dir} failed: ${e.message}`, e.code);
}

/** Writes the files (made by buildExport) into `dir`, every one or none. */
export function writeFiles(dir: string, files: ExportFiles["files"]): void {
  checkOutDir(dir);
  const existed = fs.existsSync(dir);
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const file = path.join(dir, ...name.split("/"));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, bytes);
    }
  } catch (e) {
    // what was written holds space the disk has run out of, and would pass for an export
    if (existed)
      for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    else fs.rmSync(dir, { recursive: true, force: true });
    throw describeWriteError(e as NodeJS.ErrnoException, dir);
  }
}

export type WrittenExport = ExportFiles & { dir: string; splitsFrozen: number; rerankSetFrozen: boolean };

/** Builds the export, writes it into `dir` and freezes the published splits and rerank set. */
export async function writeExport(
  collectionId: number,
  dir: string,
  opts: ExportOptions = {},
  onProgress?: (p: ExportProgress) => void | Promise<void>,
): Promise<WrittenExport> {
  checkOutDir(dir); // before any work: the CLI's --out is refused at once
  const built = await buildExport(collectionId, opts, onProgress);
  writeFiles(dir, built.files);
  const frozen = await freezePublished(
    built.plan.queries.map((q) => q.id),
    built.plan.rerankSet?.id ?? null,
  );
  return { ...built, dir, ...frozen };
}

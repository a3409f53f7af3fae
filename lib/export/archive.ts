import { zipSync, type Zippable } from "fflate";
import { exportFile } from "./folder";

// One export as ONE zip: its files under a folder named for it, entries sorted, every mtime fixed at
// the zip format's epoch, so the same export gives the same archive bytes. Only the files the export
// recorded (its checksums, and SHA256SUMS) are read; `sha256sum -c SHA256SUMS` works in the unzipped folder.

const ZIP_EPOCH = new Date(1980, 0, 1, 0, 0, 0);

export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ArchiveError";
  }
}

export function exportArchiveName(collection: string, exportId: number): string {
  return `${collection.replace(/[^A-Za-z0-9_.-]+/g, "-")}-export-${exportId}`;
}

export function exportArchive(
  exportId: number,
  folderName: string,
  checksums: Readonly<Record<string, string>>,
  dataDir?: string,
): Uint8Array {
  const names = [...Object.keys(checksums), "SHA256SUMS"].sort();
  const entries: Zippable = {};
  for (const name of names) {
    const bytes = exportFile(exportId, name, dataDir);
    if (!bytes) throw new ArchiveError(`export ${exportId} is missing its file ${name}`);
    entries[`${folderName}/${name}`] = [new Uint8Array(bytes), { mtime: ZIP_EPOCH }];
  }
  return zipSync(entries, { level: 6, mtime: ZIP_EPOCH });
}

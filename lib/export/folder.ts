import fs from "node:fs";
import path from "node:path";
import { readConfig } from "@/lib/config";

// Where the worker writes exports: <data folder>/exports/<export id>/. The archive route reads an
// export's files only through exportFile, which resolves a name inside that one folder and refuses
// anything else (a name with "..", a symlink, a folder), so no request reaches the rest of the data folder.

export function exportsRoot(dataDir = readConfig().dataDir): string {
  return path.join(dataDir, "exports");
}

export function exportDir(exportId: number, dataDir?: string): string {
  if (!Number.isInteger(exportId) || exportId <= 0) throw new Error(`not an export id: ${exportId}`);
  return path.join(exportsRoot(dataDir), String(exportId));
}

/** The bytes of one file the export wrote, by its name in SHA256SUMS; null when it is not one. */
export function exportFile(exportId: number, name: string, dataDir?: string): Buffer | null {
  const dir = exportDir(exportId, dataDir);
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)?$/.test(name) || name.split("/").some((s) => s === "." || s === ".."))
    return null;
  const file = path.resolve(dir, name);
  if (!file.startsWith(dir + path.sep)) return null;
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return null;
  }
  if (!stat.isFile()) return null; // a symlink or a folder is not something an export wrote
  return fs.readFileSync(file);
}

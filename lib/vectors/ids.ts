import fs from "node:fs";
import path from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import { compressors } from "hyparquet-compressors";

// Where the ids of precomputed vectors come from, in clip-retrieval's layout:
//   img_emb/img_emb_<n>.npy        the vectors of shard n
//   metadata/metadata_<n>.parquet  one row per vector, in the same order (image_path, or an id column)
// or, instead of parquet, a plain ids file: metadata/metadata_<n>.txt per shard, or one ids.txt at the
// top holding every shard's ids in shard order. One id (or path) per line.

export type Shard = {
  npy: string;
  /** the shard number from the file name, or its position */
  number: number;
  /** a per-shard ids file (parquet or text), if there is one */
  idsFile?: string;
};

export type Layout = { shards: Shard[]; /** one ids file for all shards, in shard order */ sharedIdsFile?: string };

/** Columns tried, in order, when no id column is named: ids first, then paths. */
export const ID_COLUMNS = [
  "image_id",
  "id",
  "source_id",
  "image_path",
  "path",
  "file_name",
  "filename",
  "filepath",
  "key",
];

/** Finds the shards and their ids files; throws, naming what is missing. */
export function findLayout(folder: string, opts: { idsFile?: string } = {}): Layout {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) throw new Error(`${folder} is not a folder`);
  const embDir = fs.existsSync(path.join(folder, "img_emb")) ? path.join(folder, "img_emb") : folder;
  const npys = fs.readdirSync(embDir).filter((f) => f.endsWith(".npy"));
  if (npys.length === 0) throw new Error(`${folder}: no .npy files (expected img_emb/img_emb_0.npy, ...)`);
  const numbered = npys.map((f) => ({ f, n: /(\d+)\.npy$/.exec(f)?.[1] }));
  const allNumbered = numbered.every((x) => x.n !== undefined);
  const sorted = allNumbered
    ? numbered.sort((a, b) => Number(a.n) - Number(b.n))
    : numbered.sort((a, b) => a.f.localeCompare(b.f));
  const shards: Shard[] = sorted.map((x, i) => ({
    npy: path.join(embDir, x.f),
    number: allNumbered ? Number(x.n) : i,
  }));

  const shared =
    opts.idsFile ?? (fs.existsSync(path.join(folder, "ids.txt")) ? path.join(folder, "ids.txt") : undefined);
  if (shared) {
    if (!fs.existsSync(shared)) throw new Error(`ids file ${shared} does not exist`);
    return { shards, sharedIdsFile: shared };
  }
  const metaDir = path.join(folder, "metadata");
  for (const s of shards) {
    const candidates = [`metadata_${s.number}.parquet`, `metadata_${s.number}.txt`].map((f) => path.join(metaDir, f));
    s.idsFile = candidates.find((f) => fs.existsSync(f));
    if (!s.idsFile) {
      throw new Error(
        `${path.relative(folder, s.npy)}: no ids for it: expected metadata/metadata_${s.number}.parquet, metadata/metadata_${s.number}.txt, or an ids.txt for all shards`,
      );
    }
  }
  return { shards };
}

/** Lines of a plain ids file, without a trailing empty line; blank lines inside are errors. */
export function readIdsText(file: string): string[] {
  const text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  const blank = lines.findIndex((l) => l.trim() === "");
  if (blank >= 0) throw new Error(`${file}: line ${blank + 1} is empty (one id or path per line)`);
  return lines.map((l) => l.trim());
}

/** The id column of a metadata parquet file, as strings, and which column it was. */
export async function readIdsParquet(file: string, column?: string): Promise<{ ids: string[]; column: string }> {
  const buffer = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buffer);
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const chosen = column ?? ID_COLUMNS.find((c) => names.includes(c));
  if (!chosen || !names.includes(chosen)) {
    throw new Error(
      `${file}: ${column ? `no column "${column}"` : `no id or path column (looked for ${ID_COLUMNS.join(", ")})`}; it has ${names.join(", ")}`,
    );
  }
  const rows = await parquetReadObjects({ file: buffer, metadata, columns: [chosen], compressors });
  const ids = rows.map((r, i) => {
    const v = r[chosen];
    if (v === null || v === undefined || v === "") throw new Error(`${file}: row ${i} has no ${chosen}`);
    return String(v);
  });
  return { ids, column: chosen };
}

export async function readIdsFile(file: string, column?: string): Promise<{ ids: string[]; column?: string }> {
  return file.endsWith(".parquet") ? readIdsParquet(file, column) : { ids: readIdsText(file) };
}

/** Guess whether ids are paths (for messages): a column named like a path, or values with a slash or an image extension. */
export function looksLikePaths(ids: string[], column?: string): boolean {
  if (column && /path|file/.test(column)) return true;
  const sample = ids.slice(0, 20);
  return sample.length > 0 && sample.every((s) => s.includes("/") || /\.(jpe?g|png|webp|tiff?)$/i.test(s));
}

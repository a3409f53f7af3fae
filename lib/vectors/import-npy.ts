import path from "node:path";
import { db } from "@/lib/db/client";
import { buildIndex, dropIndex, indexInfo } from "./hnsw";
import { findLayout, looksLikePaths, readIdsFile, type Shard } from "./ids";
import { readNpyHeader, readNpyRows, type NpyHeader } from "./npy";
import { countVectors, ensureVectorStorage, findVectorStore } from "./storage";
import { upsertBatchRows, upsertEmbeddings } from "./upsert";

// Imports precomputed image embeddings (clip-retrieval layout, see ids.ts) for a collection and model.
// Everything is checked before the first vector is written: every shard's shape and dimension, ids count
// against rows, and that every id names an image of the collection, so a wrong folder fails fast and
// whole, with the file named. Writes are upserts, so a re-run after a crash converges.

export type EmbeddingsImportOptions = {
  collectionId: number;
  modelId: number;
  /** match ids to images by source id, by file path, or by source id then path (default) */
  match?: "auto" | "id" | "path";
  /** the parquet column holding ids or paths (default: the first of ID_COLUMNS present) */
  idColumn?: string;
  /** one ids file for all shards, in shard order (instead of metadata/) */
  idsFile?: string;
  /** skip vectors whose id matches no image instead of failing */
  allowUnknown?: boolean;
  /** halfvec storage, when the model has no storage yet */
  half?: boolean;
  /** rebuild the HNSW index after loading (default true) */
  buildIndex?: boolean;
  onProgress?: (p: { phase: "checking" | "writing" | "indexing"; done: number; total: number }) => void;
};

export type EmbeddingsImportResult = {
  shards: number;
  /** distinct images that now have a vector from this import */
  vectors: number;
  /** rows skipped because their id matched no image (allowUnknown) */
  skippedUnknown: number;
  /** rows whose image had an earlier row in the import (the last one wins) */
  duplicates: number;
  indexSeconds?: number;
};

type CheckedShard = { shard: Shard; header: NpyHeader; imageIds: Float64Array; label: string };

/** A path from metadata as file names are stored: forward slashes, relative to the collection root, no "./". */
function pathKey(value: string, root: string | null): string {
  let v = value.replace(/\\/g, "/");
  const prefix = root ? root.replace(/\\/g, "/").replace(/\/+$/, "") + "/" : undefined;
  if (prefix && v.startsWith(prefix)) v = v.slice(prefix.length);
  return v.replace(/^(\.\/)+/, "");
}

/** Internal image ids for ids or paths, 0 where none matches. */
async function resolveImageIds(
  collectionId: number,
  root: string | null,
  values: string[],
  match: "auto" | "id" | "path",
): Promise<Float64Array> {
  const out = new Float64Array(values.length);
  const CHUNK = 100_000;
  for (let at = 0; at < values.length; at += CHUNK) {
    const part = values.slice(at, at + CHUNK);
    const keys = part.map((v) => pathKey(v, root));
    const byId =
      match !== "path"
        ? "LEFT JOIN images s ON s.collection_id = $1 AND s.source_id = u.value"
        : "LEFT JOIN (SELECT NULL::bigint AS id) s ON false";
    const byPath =
      match !== "id"
        ? "LEFT JOIN images f ON f.collection_id = $1 AND f.file_name = u.key"
        : "LEFT JOIN (SELECT NULL::bigint AS id) f ON false";
    const r = await db().query<{ ord: number; id: number | null }>(
      `SELECT u.ord::int AS ord, coalesce(s.id, f.id) AS id
       FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS u(value, key, ord) ${byId} ${byPath}`,
      [collectionId, part, keys],
    );
    for (const row of r.rows) if (row.id !== null) out[at + row.ord - 1] = Number(row.id);
  }
  return out;
}

async function names(
  collectionId: number,
  modelId: number,
): Promise<{ collection: string; root: string | null; model: string; dim: number }> {
  const c = await db().query("SELECT name, images_root FROM collections WHERE id = $1", [collectionId]);
  if (!c.rows[0]) throw new Error(`no collection with id ${collectionId}`);
  const m = await db().query("SELECT name, dim FROM models WHERE id = $1", [modelId]);
  if (!m.rows[0]) throw new Error(`no model with id ${modelId}`);
  return { collection: c.rows[0].name, root: c.rows[0].images_root, model: m.rows[0].name, dim: m.rows[0].dim };
}

/** PostgreSQL text cannot hold NUL, so such an id would fail in the database without naming its file. */
function refuseNul(ids: string[], file: string): void {
  const r = ids.findIndex((id) => id.includes("\0"));
  if (r >= 0)
    throw new Error(`${file} ${file.endsWith(".parquet") ? "row" : "line"} ${r + 1}: the id contains a NUL byte`);
}

export async function importEmbeddings(folder: string, opts: EmbeddingsImportOptions): Promise<EmbeddingsImportResult> {
  const match = opts.match ?? "auto";
  const { collection, root, model, dim } = await names(opts.collectionId, opts.modelId);
  const layout = findLayout(folder, { idsFile: opts.idsFile });
  const rel = (f: string) => (path.relative(folder, f).startsWith("..") ? f : path.relative(folder, f));

  // 1. shapes and dimensions
  const headers = layout.shards.map((s) => {
    const h = readNpyHeader(s.npy);
    if (h.cols !== dim)
      throw new Error(`${rel(s.npy)}: vectors have ${h.cols} dimensions but model "${model}" has ${dim}`);
    return h;
  });
  const total = headers.reduce((n, h) => n + h.rows, 0);

  // 2. ids: counts, then every id resolved to an image
  const idsPerShard: { ids: string[]; file: string; column?: string }[] = [];
  if (layout.sharedIdsFile) {
    const { ids } = await readIdsFile(layout.sharedIdsFile, opts.idColumn);
    refuseNul(ids, rel(layout.sharedIdsFile));
    if (ids.length !== total) {
      throw new Error(
        `${rel(layout.sharedIdsFile)} has ${ids.length} ids but the ${headers.length} .npy file(s) hold ${total} vectors`,
      );
    }
    let at = 0;
    for (const h of headers) {
      idsPerShard.push({ ids: ids.slice(at, at + h.rows), file: layout.sharedIdsFile });
      at += h.rows;
    }
  } else {
    for (const [i, s] of layout.shards.entries()) {
      const { ids, column } = await readIdsFile(s.idsFile!, opts.idColumn);
      refuseNul(ids, rel(s.idsFile!));
      if (ids.length !== headers[i].rows) {
        throw new Error(`${rel(s.npy)} has ${headers[i].rows} vectors but ${rel(s.idsFile!)} has ${ids.length} ids`);
      }
      idsPerShard.push({ ids, file: s.idsFile!, column });
    }
  }
  const checked: CheckedShard[] = [];
  let unknown = 0;
  let checkedRows = 0;
  const seen = new Set<number>();
  let duplicates = 0;
  for (const [i, s] of layout.shards.entries()) {
    const { ids, file, column } = idsPerShard[i];
    const imageIds = await resolveImageIds(opts.collectionId, root, ids, match);
    const missing = ids.filter((_, r) => imageIds[r] === 0);
    if (missing.length && !opts.allowUnknown) {
      const how =
        match === "id"
          ? "source id"
          : match === "path"
            ? "path"
            : looksLikePaths(ids, column)
              ? "path (or source id)"
              : "source id (or path)";
      throw new Error(
        `${rel(file)} (ids of ${rel(s.npy)}): ${missing.length} of ${ids.length} match no image of collection "${collection}" by ${how}, e.g. ${missing
          .slice(0, 3)
          .map((m) => JSON.stringify(m))
          .join(", ")}`,
      );
    }
    unknown += missing.length;
    for (const id of imageIds) {
      if (id === 0) continue;
      if (seen.has(id)) duplicates++;
      seen.add(id);
    }
    checked.push({ shard: s, header: headers[i], imageIds, label: rel(s.npy) });
    checkedRows += ids.length;
    opts.onProgress?.({ phase: "checking", done: checkedRows, total });
  }

  // 3. vectors, with the index dropped for a large load and rebuilt after it
  const store =
    (await findVectorStore(opts.modelId)) ?? (await ensureVectorStorage(opts.modelId, dim, { half: opts.half }));
  const existing = await countVectors(opts.modelId);
  const rebuild =
    (opts.buildIndex ?? true) && (total > Math.max(10_000, existing) || !(await indexInfo(opts.modelId)).exists);
  if (rebuild) await dropIndex(opts.modelId);
  let done = 0;
  for (const c of checked) {
    for await (const batch of readNpyRows(c.shard.npy, c.header, upsertBatchRows(dim))) {
      const rows = batch.rows
        .map((vector, r) => ({ imageId: c.imageIds[batch.start + r], vector }))
        .filter((row) => row.imageId !== 0);
      try {
        await upsertEmbeddings(opts.modelId, rows, store);
      } catch (e) {
        throw new Error(
          `${c.label}, rows ${batch.start}-${batch.start + batch.rows.length - 1}: ${(e as Error).message}`,
        );
      }
      done += batch.rows.length;
      opts.onProgress?.({ phase: "writing", done, total });
    }
  }
  let indexSeconds: number | undefined;
  if (rebuild) {
    opts.onProgress?.({ phase: "indexing", done: 0, total: seen.size });
    indexSeconds = (await buildIndex(opts.modelId)).seconds;
  }
  return { shards: checked.length, vectors: seen.size, skippedUnknown: unknown, duplicates, indexSeconds };
}

import { db } from "@/lib/db/client";
import type { VectorStoreRow } from "@/lib/db/rows";
import { inTransaction } from "@/lib/db/transaction";

// One table per model (`model_vectors_<modelId>`), created when the model's storage is registered, so
// each has a typed vector(D) or halfvec(D) column and its own HNSW index. `vector_stores` records them;
// deleting a model (or its store row) drops the table through a trigger (see the migration).

export type VectorStore = {
  modelId: number;
  tableName: string;
  dim: number;
  /** halfvec storage: half the space, for big collections; scores differ from float32 by ~1e-3 */
  half: boolean;
  indexName: string;
  indexBuiltAt: Date | null;
};

/** pgvector's HNSW limits: 2,000 dimensions for vector, 4,000 for halfvec. */
export const MAX_INDEXED_DIM = { vector: 2000, halfvec: 4000 };

export function vectorTableName(modelId: number): string {
  if (!Number.isInteger(modelId) || modelId <= 0) throw new Error(`bad model id ${modelId}`);
  return `model_vectors_${modelId}`;
}

/** The column type as SQL: `vector(512)` or `halfvec(512)`. */
export function columnType(store: Pick<VectorStore, "dim" | "half">): string {
  return `${store.half ? "halfvec" : "vector"}(${store.dim})`;
}

type StoreRow = Pick<VectorStoreRow, "modelId" | "tableName" | "dim" | "half" | "indexBuiltAt">;
const STORE_COLUMNS = `model_id AS "modelId", table_name AS "tableName", dim, half, index_built_at AS "indexBuiltAt"`;

function toStore(r: StoreRow): VectorStore {
  return { ...r, indexName: `${r.tableName}_hnsw_idx` };
}

export async function findVectorStore(modelId: number): Promise<VectorStore | undefined> {
  const r = await db().query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM vector_stores WHERE model_id = $1`, [modelId]);
  return r.rows[0] ? toStore(r.rows[0]) : undefined;
}

export async function getVectorStore(modelId: number): Promise<VectorStore> {
  const store = await findVectorStore(modelId);
  if (!store) throw new Error(`model ${modelId} has no vector storage yet: embed or import vectors for it first`);
  return store;
}

/**
 * Creates the model's vector table if it does not exist; idempotent. Fails when the model is unknown,
 * when `dim` differs from the model's registered dimension, or when storage already exists with another
 * dimension or precision (drop it first with dropVectorStorage).
 */
export async function ensureVectorStorage(
  modelId: number,
  dim: number,
  opts: { half?: boolean } = {},
): Promise<VectorStore> {
  const half = opts.half ?? false;
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`bad vector dimension ${dim}`);
  const limit = half ? MAX_INDEXED_DIM.halfvec : MAX_INDEXED_DIM.vector;
  if (dim > limit) {
    throw new Error(
      `${dim} dimensions exceed pgvector's HNSW limit for ${half ? "halfvec" : "vector"} (${limit})${half ? "" : ": use halfvec storage"}`,
    );
  }
  return inTransaction(async (client) => {
    const model = await client.query<{ name: string; dim: number }>(
      "SELECT name, dim FROM models WHERE id = $1 FOR UPDATE",
      [modelId],
    );
    if (!model.rows[0]) throw new Error(`no model with id ${modelId}`);
    const { name, dim: modelDim } = model.rows[0];
    if (modelDim !== dim) throw new Error(`model "${name}" has ${modelDim} dimensions, not ${dim}`);
    const existing = await client.query<StoreRow>(`SELECT ${STORE_COLUMNS} FROM vector_stores WHERE model_id = $1`, [
      modelId,
    ]);
    if (existing.rows[0]) {
      const store = toStore(existing.rows[0]);
      if (store.dim !== dim || store.half !== half) {
        throw new Error(
          `model "${name}" already stores ${columnType(store)} vectors, not ${columnType({ dim, half })}: drop its vectors first`,
        );
      }
      return store;
    }
    const table = vectorTableName(modelId);
    const type = columnType({ dim, half });
    await client.query(`CREATE TABLE ${table} (
      image_id bigint PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
      collection_id integer NOT NULL,
      taxon_id integer, -- the image's, copied so taxon filters need no join (kept by a trigger on images)
      vector ${type} NOT NULL,
      created_at timestamptz(3) NOT NULL DEFAULT now())`);
    // Keep vectors inline: a 512-d float vector is just over the 2 kB TOAST threshold, and reading every
    // vector out of the TOAST table would double the cost of exact scans.
    await client.query(`ALTER TABLE ${table} ALTER COLUMN vector SET STORAGE PLAIN`);
    await client.query(`CREATE INDEX ${table}_collection_taxon_idx ON ${table} (collection_id, taxon_id)`);
    const r = await client.query<StoreRow>(
      `INSERT INTO vector_stores (model_id, table_name, dim, half) VALUES ($1, $2, $3, $4) RETURNING ${STORE_COLUMNS}`,
      [modelId, table, dim, half],
    );
    return toStore(r.rows[0]);
  });
}

/** Drops the model's vectors and their index. */
export async function dropVectorStorage(modelId: number): Promise<void> {
  await db().query("DELETE FROM vector_stores WHERE model_id = $1", [modelId]); // the trigger drops the table
}

/** How many images of the collection have a vector for this model. */
export async function countVectors(modelId: number, collectionId?: number): Promise<number> {
  const store = await findVectorStore(modelId);
  if (!store) return 0;
  const r =
    collectionId === undefined
      ? await db().query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${store.tableName}`)
      : await db().query<{ n: number }>(
          `SELECT count(*)::bigint AS n FROM ${store.tableName} WHERE collection_id = $1`,
          [collectionId],
        );
  return Number(r.rows[0].n);
}

/** Whether any image of the collection has a vector for this model (cheap at millions of rows). */
export async function hasVectors(modelId: number, collectionId: number): Promise<boolean> {
  const store = await findVectorStore(modelId);
  if (!store) return false;
  const r = await db().query(`SELECT 1 FROM ${store.tableName} WHERE collection_id = $1 LIMIT 1`, [collectionId]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * Readable images of a collection that have no vector for this model yet, in id order, for embedding
 * jobs that resume after a crash: page with `afterId`.
 */
export async function imagesWithoutVectors(
  modelId: number,
  collectionId: number,
  opts: { afterId?: number; limit?: number } = {},
): Promise<number[]> {
  const store = await findVectorStore(modelId);
  const limit = opts.limit ?? 1000;
  const afterId = opts.afterId ?? 0;
  const r = store
    ? await db().query<{ id: number }>(
        `SELECT i.id FROM images i WHERE i.collection_id = $1 AND i.status = 'ok' AND i.id > $2
         AND NOT EXISTS (SELECT 1 FROM ${store.tableName} e WHERE e.image_id = i.id)
       ORDER BY i.id LIMIT $3`,
        [collectionId, afterId, limit],
      )
    : await db().query<{ id: number }>(
        "SELECT id FROM images WHERE collection_id = $1 AND status = 'ok' AND id > $2 ORDER BY id LIMIT $3",
        [collectionId, afterId, limit],
      );
  return r.rows.map((row) => Number(row.id));
}

import { db } from "@/lib/db/client";
import { columnType, getVectorStore, type VectorStore } from "./storage";
import { vectorArrayParam, vectorTypeOid } from "./wire";

export type EmbeddingRow = { imageId: number; vector: Float32Array | number[] };

/** Rows per statement: about 4 MB of binary vectors, few enough round trips, small enough to stream. */
export function upsertBatchRows(dim: number): number {
  return Math.max(1, Math.floor(1_000_000 / dim));
}

function checkRow(row: EmbeddingRow, dim: number): void {
  if (!Number.isInteger(row.imageId) || row.imageId <= 0) throw new Error(`bad image id ${row.imageId}`);
  if (row.vector.length !== dim)
    throw new Error(`image ${row.imageId}: vector has ${row.vector.length} dimensions, the model stores ${dim}`);
  for (let i = 0; i < row.vector.length; i++) {
    if (!Number.isFinite(row.vector[i])) throw new Error(`image ${row.imageId}: vector has a non-finite value at ${i}`);
  }
}

/**
 * Writes vectors for images, replacing any earlier vector of the same image: exactly one vector per
 * (model, image), whatever is retried or repeated. The image's collection and taxon are taken from `images`.
 * Throws, naming them, when image ids do not exist (the rest of that batch is written).
 * Returns how many rows were written.
 */
export async function upsertEmbeddings(modelId: number, rows: EmbeddingRow[], store?: VectorStore): Promise<number> {
  const s = store ?? (await getVectorStore(modelId));
  if (rows.length === 0) return 0;
  // The last vector given for an image wins; ON CONFLICT cannot touch one row twice in a statement.
  const byImage = new Map<number, EmbeddingRow>();
  for (const row of rows) {
    checkRow(row, s.dim);
    byImage.set(row.imageId, row);
  }
  const unique = [...byImage.values()];
  const oid = await vectorTypeOid(db());
  const batch = upsertBatchRows(s.dim);
  let written = 0;
  for (let at = 0; at < unique.length; at += batch) {
    const part = unique.slice(at, at + batch);
    const ids = part.map((r) => r.imageId);
    const r = await db().query<{ image_id: number }>(
      `INSERT INTO ${s.tableName} (image_id, collection_id, taxon_id, vector)
       SELECT u.image_id, i.collection_id, i.taxon_id, u.v::${columnType(s)}
       FROM unnest($1::bigint[], $2::vector[]) AS u(image_id, v) JOIN images i ON i.id = u.image_id
       ON CONFLICT (image_id) DO UPDATE
         SET vector = EXCLUDED.vector, collection_id = EXCLUDED.collection_id, taxon_id = EXCLUDED.taxon_id, created_at = now()
       RETURNING image_id`,
      [
        ids,
        vectorArrayParam(
          part.map((r) => r.vector),
          oid,
        ),
      ],
    );
    written += r.rowCount ?? 0;
    if ((r.rowCount ?? 0) < part.length) {
      const found = new Set(r.rows.map((row) => Number(row.image_id)));
      const missing = ids.filter((id) => !found.has(id));
      throw new Error(
        `${missing.length} image id(s) do not exist: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}`,
      );
    }
  }
  return written;
}

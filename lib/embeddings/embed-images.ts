import { db } from "@/lib/db/client";
import { readOriginal } from "@/lib/images/files";
import { publicImageError } from "@/lib/images/allowed-roots";
import { markUnreadable } from "@/lib/images/status";
import { embedImagesSettled } from "@/lib/models/encoder";
import { encoderFor } from "@/lib/models/encoder-cache";
import { countVectors, getVectorStore } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";

// The embedding step of a worker job: read a chunk of images, run the vision tower in batches, store
// one vector per readable image (upserts, so a retried or doubled chunk still leaves exactly one) and
// mark unreadable images with their reason.

type ModelInfo = { id: number; folder: string };

export type EmbedChunkResult = { embedded: number; unreadable: number };

export async function embedImageIds(model: ModelInfo, imageIds: number[]): Promise<EmbedChunkResult> {
  if (!imageIds.length) return { embedded: 0, unreadable: 0 };
  const store = await getVectorStore(model.id);
  // images that got a vector since the chunk was queued (a doubled or retried chunk) are skipped
  const rows = (
    await db().query<{ id: number; file_name: string; images_root: string | null }>(
      `SELECT i.id, i.file_name, c.images_root FROM images i JOIN collections c ON c.id = i.collection_id
      WHERE i.id = ANY($1::bigint[]) AND i.status = 'ok'
        AND NOT EXISTS (SELECT 1 FROM ${store.tableName} v WHERE v.image_id = i.id)
      ORDER BY i.id`,
      [imageIds],
    )
  ).rows;
  if (!rows.length) return { embedded: 0, unreadable: 0 };
  const encoder = await encoderFor(model);
  // Read the files first (local or http); a file that cannot be read is unreadable, not a job failure.
  const reads = await Promise.all(
    rows.map((r) =>
      readOriginal({ fileName: r.file_name, imagesRoot: r.images_root }).then(
        (x) => x.body,
        (e: Error) => e,
      ),
    ),
  );
  const readable = rows.filter((_, i) => !(reads[i] instanceof Error));
  let unreadable = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = reads[i];
    if (r instanceof Error) {
      await markUnreadable(rows[i].id, publicImageError(r, r.message));
      unreadable++;
    }
  }
  const results = await embedImagesSettled(
    encoder,
    reads.filter((r): r is Buffer => !(r instanceof Error)),
  );
  const vectors = [];
  for (let i = 0; i < readable.length; i++) {
    const r = results[i];
    if ("error" in r) {
      await markUnreadable(readable[i].id, r.error);
      unreadable++;
    } else vectors.push({ imageId: readable[i].id, vector: r.vector });
  }
  await upsertEmbeddings(model.id, vectors);
  return { embedded: vectors.length, unreadable };
}

/** How far a collection is embedded with a model: the UI and the CLI's progress bar show this. */
export async function embeddingProgress(
  collectionId: number,
  modelId: number,
): Promise<{ total: number; embedded: number; unreadable: number }> {
  const r = await db().query(
    `SELECT count(*) FILTER (WHERE status = 'ok')::int AS total,
            count(*) FILTER (WHERE status = 'unreadable')::int AS unreadable
       FROM images WHERE collection_id = $1`,
    [collectionId],
  );
  return {
    total: r.rows[0].total,
    embedded: await countVectors(modelId, collectionId),
    unreadable: r.rows[0].unreadable,
  };
}

import { z } from "zod";
import { db } from "@/lib/db/client";
import { boss, jobExpireSeconds, QUEUES } from "./boss";

export const THUMBNAIL_CHUNK = 500;

export const thumbnailJobSchema = z.object({
  collectionId: z.number().int().positive(),
  fromId: z.number().int().positive(),
  toId: z.number().int().positive(),
});
export type ThumbnailJob = z.infer<typeof thumbnailJobSchema>;

/**
 * Queues thumbnail jobs for a collection's images that have none, in chunks of consecutive ids so
 * several workers share the work. Queueing again (after a crash, say) may overlap a chunk still in
 * flight; the job skips images that already have a thumbnail, so the overlap costs little.
 */
export async function enqueueThumbnails(collectionId: number): Promise<number> {
  const r = await db().query<{ from_id: number; to_id: number }>(
    `SELECT min(id) AS from_id, max(id) AS to_id FROM (
       SELECT id, (row_number() OVER (ORDER BY id) - 1) / $2 AS chunk
         FROM images WHERE collection_id = $1 AND thumbnail_at IS NULL AND status = 'ok') t
     GROUP BY chunk ORDER BY chunk`,
    [collectionId, THUMBNAIL_CHUNK],
  );
  const b = await boss();
  for (const c of r.rows) {
    const job: ThumbnailJob = { collectionId, fromId: c.from_id, toId: c.to_id };
    await b.send(QUEUES.thumbnails, job, {
      retryLimit: 3,
      retryDelay: 5,
      retryBackoff: true,
      // a chunk takes seconds; one whose worker died comes back after this (plus a maintenance run),
      // and one still running past it is retried from where it got to (done images are skipped)
      expireInSeconds: jobExpireSeconds(3 * 60),
    });
  }
  return r.rows.length;
}

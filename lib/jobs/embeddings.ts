import { z } from "zod";
import { imagesWithoutVectors } from "@/lib/vectors/storage";
import { boss, jobExpireSeconds, QUEUES } from "./boss";

// An embedding run is many small jobs (chunks of image ids), so several worker processes share it,
// a crash loses at most a chunk in flight (pg-boss retries it once it expires), and queueing again
// only queues what still has no vector. A chunk queued twice is harmless: the job skips images that
// have a vector by the time it runs, and vectors are upserted.

export const EMBED_CHUNK = 256;

export const embeddingJobSchema = z.object({
  collectionId: z.number().int().positive(),
  modelId: z.number().int().positive(),
  imageIds: z.array(z.number().int().positive()),
});
export type EmbeddingJob = z.infer<typeof embeddingJobSchema>;

export async function enqueueEmbedding(
  collectionId: number,
  modelId: number,
): Promise<{ chunks: number; images: number }> {
  const b = await boss();
  let afterId = 0;
  let chunks = 0;
  let images = 0;
  for (;;) {
    const ids = await imagesWithoutVectors(modelId, collectionId, { afterId, limit: EMBED_CHUNK });
    if (!ids.length) break;
    const job: EmbeddingJob = { collectionId, modelId, imageIds: ids };
    await b.send(QUEUES.embeddings, job, {
      retryLimit: 5,
      retryDelay: 10,
      retryBackoff: true,
      // a chunk whose worker died (kill -9) comes back after this long
      expireInSeconds: Number(process.env.FIELDMARK_EMBED_JOB_EXPIRE_SECONDS ?? jobExpireSeconds(5 * 60)),
    });
    chunks++;
    images += ids.length;
    afterId = ids.at(-1)!;
  }
  return { chunks, images };
}

/** Embedding jobs queued, waiting to retry, or running. */
export async function pendingEmbeddingJobs(): Promise<number> {
  return (await boss()).getQueueSize(QUEUES.embeddings, { before: "completed" });
}

import type PgBoss from "pg-boss";
import { db } from "@/lib/db/client";
import { embedImageIds } from "@/lib/embeddings/embed-images";
import { parseJobData } from "@/lib/jobs/boss";
import { embeddingJobSchema } from "@/lib/jobs/embeddings";

export async function handleEmbeddingJobs(jobs: PgBoss.Job<unknown>[]): Promise<void> {
  for (const job of jobs) {
    const { modelId, imageIds } = parseJobData(embeddingJobSchema, job);
    const model = (await db().query("SELECT id, folder FROM models WHERE id = $1", [modelId])).rows[0];
    if (!model) continue; // the model was removed since: nothing to do
    await embedImageIds(model, imageIds);
  }
}

import type PgBoss from "pg-boss";
import { importCollection } from "@/lib/collections";
import { parseJobData } from "@/lib/jobs/boss";
import { importJobSchema } from "@/lib/jobs/imports";
import { enqueueThumbnails } from "@/lib/jobs/thumbnails";

export async function handleImportJobs(jobs: PgBoss.Job<unknown>[]) {
  const results = [];
  for (const job of jobs) {
    const { source, collection, imagesRoot } = parseJobData(importJobSchema, job);
    const result = await importCollection({ source, collection, imagesRoot });
    await enqueueThumbnails(result.collectionId);
    results.push(result);
  }
  return results.length === 1 ? results[0] : results;
}

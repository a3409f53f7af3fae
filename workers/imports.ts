import type PgBoss from "pg-boss";
import { importCollection } from "@/lib/collections";
import type { ImportJobData } from "@/lib/jobs/imports";
import { enqueueThumbnails } from "@/lib/jobs/thumbnails";

export async function handleImportJobs(jobs: PgBoss.Job<ImportJobData>[]) {
  const results = [];
  for (const job of jobs) {
    const { source, collection, imagesRoot } = job.data;
    const result = await importCollection({ source, collection, imagesRoot });
    await enqueueThumbnails(result.collectionId);
    results.push(result);
  }
  return results.length === 1 ? results[0] : results;
}

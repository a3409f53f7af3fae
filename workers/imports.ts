import type PgBoss from "pg-boss";
import { importCollection } from "@/lib/collections";
import { ImageAccessError } from "@/lib/images/allowed-roots";
import { parseJobData } from "@/lib/jobs/boss";
import { importJobSchema } from "@/lib/jobs/imports";
import { enqueueThumbnails } from "@/lib/jobs/thumbnails";

export async function handleImportJobs(jobs: PgBoss.Job<unknown>[]) {
  const results = [];
  for (const job of jobs) {
    const { source, collection, imagesRoot } = parseJobData(importJobSchema, job);
    // every queued import came through the app (POST /api/imports): a lead's, so only allowed roots; never
    // taken from the job's data, which holds what the request sent
    let result;
    try {
      result = await importCollection({ source, collection, imagesRoot, via: "web" });
    } catch (e) {
      // the job's error is shown to the lead: the detail (server paths) stays in the worker's log
      if (!(e instanceof ImageAccessError)) throw e;
      console.error(`import ${job.id}: ${e.message}`);
      throw new Error(e.publicMessage);
    }
    await enqueueThumbnails(result.collectionId);
    results.push(result);
  }
  return results.length === 1 ? results[0] : results;
}

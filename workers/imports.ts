import type PgBoss from "pg-boss";
import { importCollection } from "@/lib/collections";
import { ImageAccessError } from "@/lib/images/allowed-roots";
import { parseJobData } from "@/lib/jobs/boss";
import { reclaimOrphanedImports } from "@/lib/jobs/import-orphans";
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

/**
 * Hands back import jobs whose worker died (lib/jobs/import-orphans.ts): at once, then every
 * FIELDMARK_JOB_MAINTENANCE_SECONDS (30 s by default), as pg-boss's own maintenance runs. Returns the stop.
 */
export function watchOrphanedImports(): () => void {
  const sweep = () =>
    reclaimOrphanedImports().then(
      (reclaimed) => {
        for (const r of reclaimed) console.log(`import ${r.jobId} (${r.collection}): ${r.reason}; queued again`);
      },
      (e) => console.error(`looking for orphaned imports failed: ${e instanceof Error ? e.message : e}`),
    );
  void sweep();
  const seconds = Number(process.env.FIELDMARK_JOB_MAINTENANCE_SECONDS) || 30;
  const timer = setInterval(sweep, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

import type PgBoss from "pg-boss";
import { makeThumbnails } from "@/lib/images/thumbnails";
import { parseJobData } from "@/lib/jobs/boss";
import { thumbnailJobSchema } from "@/lib/jobs/thumbnails";

export async function handleThumbnailJobs(jobs: PgBoss.Job<unknown>[]): Promise<void> {
  for (const job of jobs) {
    const { collectionId, fromId, toId } = parseJobData(thumbnailJobSchema, job);
    const r = await makeThumbnails(collectionId, { fromId, toId });
    if (r.unreadable)
      console.log(`thumbnails ${collectionId}:${fromId}-${toId}: ${r.made} made, ${r.unreadable} unreadable`);
  }
}

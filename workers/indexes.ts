import type PgBoss from "pg-boss";
import { runIndexBuild, type IndexJob } from "@/lib/jobs/indexes";

export async function handleIndexJobs(jobs: PgBoss.Job<IndexJob>[]) {
  const results = [];
  for (const job of jobs) results.push(await runIndexBuild(job.data.modelId));
  return results.length === 1 ? results[0] : results;
}

import type PgBoss from "pg-boss";
import { parseJobData } from "@/lib/jobs/boss";
import { indexJobSchema, runIndexBuild } from "@/lib/jobs/indexes";

export async function handleIndexJobs(jobs: PgBoss.Job<unknown>[]) {
  const results = [];
  for (const job of jobs) results.push(await runIndexBuild(parseJobData(indexJobSchema, job).modelId));
  return results.length === 1 ? results[0] : results;
}

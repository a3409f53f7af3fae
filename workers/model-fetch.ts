import type PgBoss from "pg-boss";
import { parseJobData } from "@/lib/jobs/boss";
import { modelFetchJobSchema, runModelFetch } from "@/lib/jobs/model-fetch";

export async function handleModelFetchJobs(jobs: PgBoss.Job<unknown>[]) {
  const results = [];
  for (const job of jobs) results.push(await runModelFetch(parseJobData(modelFetchJobSchema, job).fetchId));
  return results.length === 1 ? results[0] : results;
}

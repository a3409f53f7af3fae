import type PgBoss from "pg-boss";
import { parseJobData } from "@/lib/jobs/boss";
import { rerankJobSchema } from "@/lib/jobs/rerank";
import { runRerankJob } from "@/lib/rerank/build";

export async function handleRerankJobs(jobs: PgBoss.Job<unknown>[]) {
  const results = [];
  for (const job of jobs) results.push(await runRerankJob(parseJobData(rerankJobSchema, job)));
  return results.length === 1 ? results[0] : results;
}

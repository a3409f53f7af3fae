import type PgBoss from "pg-boss";
import { scoreRun } from "@/lib/eval/score-run";
import { parseJobData } from "@/lib/jobs/boss";
import { evalJobSchema } from "@/lib/jobs/eval";

export async function handleEvalJobs(jobs: PgBoss.Job<unknown>[]) {
  const results = [];
  for (const job of jobs) {
    const { runId } = parseJobData(evalJobSchema, job);
    results.push({ runId, ...(await scoreRun(runId)) });
  }
  return results.length === 1 ? results[0] : results;
}

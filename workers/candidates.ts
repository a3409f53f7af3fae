import type PgBoss from "pg-boss";
import { surfaceCandidates } from "@/lib/candidates/surface";
import { parseJobData } from "@/lib/jobs/boss";
import { candidateRefillJobSchema } from "@/lib/jobs/candidates";

export async function handleCandidateJobs(jobs: PgBoss.Job<unknown>[]) {
  const results = [];
  for (const job of jobs) {
    const { queryId } = parseJobData(candidateRefillJobSchema, job);
    results.push(await surfaceCandidates(queryId));
  }
  return results.length === 1 ? results[0] : results;
}

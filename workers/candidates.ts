import type PgBoss from "pg-boss";
import { surfaceCandidates } from "@/lib/candidates/surface";
import type { CandidateRefillJob } from "@/lib/judgments/refill";

export async function handleCandidateJobs(jobs: PgBoss.Job<CandidateRefillJob>[]) {
  const results = [];
  for (const job of jobs) results.push(await surfaceCandidates(job.data.queryId));
  return results.length === 1 ? results[0] : results;
}

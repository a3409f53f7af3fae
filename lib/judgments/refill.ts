import { boss, jobExpireSeconds, QUEUES } from "@/lib/jobs/boss";
import type { CandidateRefillJob } from "@/lib/jobs/candidates";

// Asking the worker for more candidates. The grid keeps working from whatever the candidates table
// holds; this only asks the surfacing job (queue "candidates") to add more, at most once per query
// every REFILL_THROTTLE_SECONDS however many annotators run low at the same moment. No row records
// the job (pg-boss's singleton key does the deduplicating), so it is sent on its own.

export const REFILL_THROTTLE_SECONDS = 30;

export type { CandidateRefillJob };

/** Enqueues a refill of the query's candidate queue; returns the job id, or null when one was asked for just now. */
export async function requestCandidateRefill(
  queryId: number,
  reason: CandidateRefillJob["reason"] = "requested",
): Promise<string | null> {
  const job: CandidateRefillJob = { queryId, reason };
  return (await boss()).send(QUEUES.candidates, job, {
    singletonKey: `query-${queryId}`,
    singletonSeconds: REFILL_THROTTLE_SECONDS,
    retryLimit: 3,
    // surfacing takes seconds: a job whose worker died is retried after this, not pg-boss's 15 minutes
    expireInSeconds: jobExpireSeconds(2 * 60),
  });
}

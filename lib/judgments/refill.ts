import { boss, QUEUES } from "@/lib/jobs/boss";

// Asking the worker for more candidates. The grid keeps working from whatever the candidates table
// holds; this only asks the surfacing job (queue "candidates") to add more, at most once per query
// every REFILL_THROTTLE_SECONDS however many annotators run low at the same moment.

export const REFILL_THROTTLE_SECONDS = 30;

export type CandidateRefillJob = {
  /** queries.id (the row id, not the query id users see) */
  queryId: number;
  /** why it was asked: the queue ran low, or someone asked by hand */
  reason: "queue-low" | "requested";
};

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
  });
}

import { z } from "zod";
import { boss, jobExpireSeconds, QUEUES } from "@/lib/jobs/boss";
import { learningRoundDue } from "@/lib/active-learning/round";

// Active learning's rounds as jobs: a judgment write asks for one when the query's batch is full
// (lib/active-learning/schedule.ts), and the worker runs it (workers/learning.ts). The queue's
// "stately" policy keyed by query keeps one round running and one waiting per query, however many
// experts judge it at once; a round reads the judgments as they are when it starts, so the waiting
// one catches up with everything that arrived meanwhile.

export const learningJobSchema = z.object({
  /** queries.id (the row id) */
  queryId: z.number().int().positive(),
  /** a model to learn over instead of the query's own choice */
  modelId: z.number().int().positive().optional(),
});
export type LearningJob = z.infer<typeof learningJobSchema>;

/** Queues a round for the query; returns the job id, or null when one is already waiting. */
export async function requestLearningRound(queryId: number, modelId?: number): Promise<string | null> {
  const job: LearningJob = modelId ? { queryId, modelId } : { queryId };
  return (await boss()).send(QUEUES.learning, job, {
    singletonKey: `query-${queryId}`,
    // a round is recomputed from the judgments, so a short expiry costs at most a rerun
    expireInSeconds: jobExpireSeconds(60),
    retryLimit: 3,
    retryDelay: 1,
  });
}

/** Queues a round when the query's batch is full; what a judgment write calls. */
export async function requestLearningRoundIfDue(queryId: number): Promise<string | null> {
  return (await learningRoundDue(queryId)) ? requestLearningRound(queryId) : null;
}

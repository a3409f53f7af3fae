// When a query's learner retrains: BMI's schedule. The first round follows the first judgment; each
// batch is the last plus ceil(10%) (1, 2, 3, ..., 10), so early rounds
// correct the ranking quickly and late ones do not retrain on every click. Each round adds
// PRESUMED_NEGATIVES random unjudged images as not relevant (BMI adds 100).

export const PRESUMED_NEGATIVES = 100;
/**
 * BMI lets the batch grow without bound; here it stops at MAX_BATCH, so the queue and the stopping
 * signals are never more than a page behind the expert (a round takes a second or two at 1M images).
 */
export const MAX_BATCH = 10;

/** The batch size after a batch of `last` (the first batch is 1). */
export function nextBatchSize(last: number): number {
  return last < 1 ? 1 : Math.min(MAX_BATCH, last + Math.ceil(last / 10));
}

/**
 * Whether a query needs a round: `judgedSinceRound` judgments arrived since the last round, whose batch
 * size was `lastBatch` (0: no round yet).
 */
export function roundDue(judgedSinceRound: number, lastBatch: number): boolean {
  return judgedSinceRound >= Math.max(1, lastBatch === 0 ? 1 : nextBatchSize(lastBatch));
}

// Stopping signals over one query's judged sequence: the judgments in the order they were made along the
// ranking, true = relevant. Each returns a plain JSON-serialisable object that says why it is met or not,
// so a screen can show the numbers beside the verdict.

import { hypergeomCdf } from "./hypergeom";

export type InquireRuleSignal = { met: boolean; consecutiveNotRelevant: number; run: number };

export type KneeSignal = {
  met: boolean;
  /** judgments up to and including the knee; null when there is no knee yet (fewer than two judged) */
  knee: number | null;
  ratio: number | null;
  threshold: number;
  judged: number;
  relevant: number;
};

export type RecallTargetSignal = { met: boolean; p: number; targetRecall: number; confidence: number };

function assertWhole(value: number, name: string, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number ≥ ${min}`);
}

/** INQUIRE's rule: stop once the last `run` judgments were all not relevant. */
export function inquireRule(sequence: readonly boolean[], run = 100): InquireRuleSignal {
  assertWhole(run, "run", 1);
  let consecutiveNotRelevant = 0;
  for (let i = sequence.length - 1; i >= 0 && !sequence[i]; i--) consecutiveNotRelevant++;
  return { met: consecutiveNotRelevant >= run, consecutiveNotRelevant, run };
}

/**
 * Cormack and Grossman's knee method (SIGIR 2016, "Engineering quality and reliability in technology-assisted
 * review", section 4). The knee is the point of the gain curve (x judged, y relevant found) farthest from
 * the line from (0, 0) to the last point (n, r_n), as the paper's geometric method and dli1/auto-stop-tar's
 * autostop/tar_model/knee.py (Kneedle) locate it; the slope ratio before and after it is
 * ρ = (r_k / k) / ((r_n − r_k + 1) / (n − k)), the +1 keeping it finite when nothing came after the knee.
 * Met when ρ ≥ 156 − min(r_n, 150) and at least `minJudged` were judged (150 in the paper; some later
 * implementations use 1000). eugene-yang/tarexp (tarexp/component/stopping.py, KneeStoppingRule) instead
 * takes the largest ρ over every batch boundary instead of ρ at the geometric knee; its BudgetStoppingRule adds "ρ ≥ 6 and judged ≥ 10·N / relevant, or judged ≥ 0.75·N", not implemented here.
 */
export function kneeSignal(sequence: readonly boolean[], opts: { minJudged?: number } = {}): KneeSignal {
  const minJudged = opts.minJudged ?? 150;
  assertWhole(minJudged, "minJudged", 0);
  const n = sequence.length;
  let relevant = 0;
  for (const s of sequence) if (s) relevant++;
  const threshold = 156 - Math.min(relevant, 150);
  if (n < 2 || relevant === 0) return { met: false, knee: null, ratio: null, threshold, judged: n, relevant };
  // distance to the line through (0,0) and (n, r_n) is |r_n·x − n·y| / √(n² + r_n²); the denominator is common
  let knee = 1;
  let best = -1;
  let found = 0;
  let foundAtKnee = 0;
  for (let x = 1; x < n; x++) {
    if (sequence[x - 1]) found++;
    const distance = Math.abs(relevant * x - n * found);
    if (distance > best) {
      best = distance;
      knee = x;
      foundAtKnee = found;
    }
  }
  const ratio = foundAtKnee / knee / ((relevant - foundAtKnee + 1) / (n - knee));
  return { met: n >= minJudged && ratio >= threshold, knee, ratio, threshold, judged: n, relevant };
}

/**
 * Callaghan and Müller-Hansen's stopping test (Systematic Reviews 9:273, 2020) as mcallaghan/buscarpy's
 * calculate_h0 computes it (with bias 1). H0: recall < targetRecall. For each n, the last n judgments are
 * treated as a random draw from themselves plus every unjudged image; under H0 at least
 * K = ⌊r/target + 1 − (r − k_n)⌋ of those are relevant (k_n relevant among the last n, r in all), and
 * p_n = P(X ≤ k_n) for X hypergeometric; p is the smallest p_n. Met when p < 1 − confidence.
 * Where K exceeds the images left (so few unjudged that H0 cannot hold) p_n is 0; scipy would give NaN.
 */
export function recallTargetTest(
  sequence: readonly boolean[],
  opts: { collectionSize: number; targetRecall?: number; confidence?: number },
): RecallTargetSignal {
  const { collectionSize } = opts;
  const targetRecall = opts.targetRecall ?? 0.95;
  const confidence = opts.confidence ?? 0.95;
  assertWhole(collectionSize, "collectionSize", sequence.length);
  if (!(targetRecall > 0 && targetRecall <= 1)) throw new RangeError("targetRecall must be in (0, 1]");
  if (!(confidence > 0 && confidence < 1)) throw new RangeError("confidence must be in (0, 1)");
  const length = sequence.length;
  let relevantSeen = 0;
  for (const s of sequence) if (s) relevantSeen++;
  let p = 1;
  let lastRelevant = 0; // k_n: relevant among the last n
  for (let n = 1; n <= length; n++) {
    if (sequence[length - n]) lastRelevant++;
    // the same floating-point steps as buscarpy, so ⌊·⌋ lands on the same whole number
    const marked = Math.floor(relevantSeen / targetRecall + 1 - (relevantSeen - lastRelevant));
    const population = collectionSize - (length - n);
    const pn = marked > population ? 0 : hypergeomCdf(lastRelevant, population, marked, n);
    if (pn < p) p = pn;
  }
  return { met: p < 1 - confidence, p, targetRecall, confidence };
}

// Retrieval metrics exactly as INQUIRE's src/metrics.py computes them through scikit-learn:
// average_precision_score, ndcg_score (ties averaged, as sklearn does by default) and reciprocal rank.
// Written out here so `fieldmark eval` needs no Python; tests/eval checks them against scikit-learn.

/** One image of a ranked list: whether it is relevant and the score the run gave it. */
export type Scored = { relevant: boolean; score: number };

export type Metrics = { ap: number; ndcg: number; mrr: number; precision: number; recall: number };

/** Runs of equal score, best first: [start, end) index ranges into `ranked` (sorted by score, descending). */
function tieGroups(ranked: readonly Scored[]): [number, number][] {
  const groups: [number, number][] = [];
  for (let start = 0; start < ranked.length;) {
    let end = start + 1;
    while (end < ranked.length && ranked[end].score === ranked[start].score) end++;
    groups.push([start, end]);
    start = end;
  }
  return groups;
}

function assertSorted(ranked: readonly Scored[]): void {
  for (let i = 1; i < ranked.length; i++) {
    if (!(ranked[i].score <= ranked[i - 1].score)) throw new Error("a ranked list must be sorted by score, best first");
  }
}

/**
 * scikit-learn's average_precision_score over a list sorted by score, best first: the sum over distinct
 * score thresholds of (recall gained) x (precision at that threshold). Images with equal scores share a
 * threshold, so their order among themselves does not matter. 0 when nothing is relevant (INQUIRE's guard).
 */
export function averagePrecision(ranked: readonly Scored[]): number {
  assertSorted(ranked);
  const positives = ranked.reduce((n, s) => n + (s.relevant ? 1 : 0), 0);
  if (positives === 0) return 0;
  let ap = 0;
  let hits = 0;
  for (const [start, end] of tieGroups(ranked)) {
    let gained = 0;
    for (let i = start; i < end; i++) if (ranked[i].relevant) gained++;
    hits += gained;
    if (gained) ap += (gained / positives) * (hits / end);
  }
  return ap;
}

/**
 * scikit-learn's ndcg_score(k) for one list sorted by score, with binary gains and ties averaged: a
 * group of equal scores shares its gain evenly over the positions it spans, and positions past k count
 * nothing. `totalRelevant` (at least the list's own) sets the ideal: INQUIRE appends the relevant images
 * a run missed at the bottom (score -100); past k they add nothing to the DCG but raise the ideal. A list
 * shorter than k counts as padded with non-relevant images to k, so the missed ones stay past k.
 */
export function ndcgAtK(ranked: readonly Scored[], k: number, totalRelevant?: number): number {
  assertSorted(ranked);
  const discount = (i: number) => (i < k ? 1 / Math.log2(i + 2) : 0);
  let dcg = 0;
  let listed = 0;
  for (const [start, end] of tieGroups(ranked)) {
    let gain = 0;
    for (let i = start; i < end; i++) if (ranked[i].relevant) gain++;
    listed += gain;
    if (gain === 0) continue;
    let discounts = 0;
    for (let i = start; i < Math.min(end, k); i++) discounts += discount(i);
    dcg += (gain / (end - start)) * discounts;
  }
  const relevant = Math.max(totalRelevant ?? listed, listed);
  let ideal = 0;
  for (let i = 0; i < Math.min(relevant, k); i++) ideal += discount(i);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** 1 / rank of the first relevant image of the list, 0 when there is none (INQUIRE's mrr). */
export function reciprocalRank(ranked: readonly Scored[]): number {
  const first = ranked.findIndex((s) => s.relevant);
  return first < 0 ? 0 : 1 / (first + 1);
}

/**
 * Full-rank metrics at k, as INQUIRE's compute_retrieval_metrics: `ranked` is a run's list for one query,
 * best first; `totalRelevant` is how many relevant images the query has in the whole collection.
 * - AP@k: scikit-learn's AP over the top k, times (relevant in the top k) / min(totalRelevant, k), so
 *   relevant images the run missed lower it;
 * - nDCG@k: the relevant images missing from the top k appended at the bottom (past k);
 * - MRR over the top k; precision@k = relevant in top k / k; recall@k = relevant in top k / totalRelevant.
 * A list shorter than k is scored as if the rest of the k were not relevant (INQUIRE's code would shrink
 * k to the list's length, which lets a run that returns one lucky image score 1).
 */
export function fullRankMetrics(ranked: readonly Scored[], totalRelevant: number, k: number): Metrics {
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a whole number of at least 1 (got ${k})`);
  const top = ranked.slice(0, k);
  const hits = top.reduce((n, s) => n + (s.relevant ? 1 : 0), 0);
  if (hits > totalRelevant)
    throw new Error(`the top ${k} holds ${hits} relevant images but the query has only ${totalRelevant}`);
  if (totalRelevant === 0) return { ap: 0, ndcg: 0, mrr: 0, precision: 0, recall: 0 };
  return {
    ap: (averagePrecision(top) * hits) / Math.min(totalRelevant, k),
    ndcg: ndcgAtK(top, k, totalRelevant),
    mrr: reciprocalRank(top),
    precision: hits / k,
    recall: hits / totalRelevant,
  };
}

/**
 * Rerank metrics, as INQUIRE's rerank evaluation computes them over a query's fixed set: AP, nDCG and
 * MRR over the whole set with the set's own relevant images as the total (so AP is plain AP); precision
 * and recall at k within the re-ordered set.
 */
export function rerankMetrics(ranked: readonly Scored[], k: number): Metrics {
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a whole number of at least 1 (got ${k})`);
  const relevant = ranked.reduce((n, s) => n + (s.relevant ? 1 : 0), 0);
  if (relevant === 0) return { ap: 0, ndcg: 0, mrr: 0, precision: 0, recall: 0 };
  const hitsAtK = ranked.slice(0, k).reduce((n, s) => n + (s.relevant ? 1 : 0), 0);
  return {
    ap: averagePrecision(ranked),
    ndcg: ndcgAtK(ranked, ranked.length),
    mrr: reciprocalRank(ranked),
    precision: hitsAtK / Math.min(k, ranked.length),
    recall: hitsAtK / relevant,
  };
}

export const METRIC_NAMES = ["ap", "ndcg", "mrr", "precision", "recall"] as const;

/** The mean of each metric over a list of per-query metrics (0 for every metric of an empty list). */
export function meanMetrics(rows: readonly Metrics[]): Metrics {
  const mean = { ap: 0, ndcg: 0, mrr: 0, precision: 0, recall: 0 };
  if (rows.length === 0) return mean;
  for (const name of METRIC_NAMES) mean[name] = rows.reduce((sum, r) => sum + r[name], 0) / rows.length;
  return mean;
}

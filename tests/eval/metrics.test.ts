import { describe, expect, it } from "vitest";
import {
  averagePrecision,
  fullRankMetrics,
  meanMetrics,
  ndcgAtK,
  reciprocalRank,
  rerankMetrics,
  type Scored,
} from "@/lib/eval/metrics";

// Hand-worked cases of INQUIRE's definitions (src/metrics.py over scikit-learn). The random comparison
// with scikit-learn itself is in sklearn.test.ts.

/** A ranked list from a pattern like "R.R..": R relevant, "." not, scores descending and distinct. */
function list(pattern: string, scores?: number[]): Scored[] {
  return [...pattern].map((c, i) => ({ relevant: c === "R", score: scores ? scores[i] : 1 - i / 100 }));
}

const log2 = Math.log2;

describe("average precision (scikit-learn's)", () => {
  it("is the mean of precision at each relevant rank when scores are distinct", () => {
    // relevant at ranks 1, 3, 4: (1/1 + 2/3 + 3/4) / 3
    expect(averagePrecision(list("R.RR."))).toBeCloseTo((1 + 2 / 3 + 3 / 4) / 3, 12);
  });
  it("is 0 with nothing relevant, 1 with everything relevant first", () => {
    expect(averagePrecision(list("....."))).toBe(0);
    expect(averagePrecision(list("RR..."))).toBe(1);
  });
  it("treats equal scores as one threshold", () => {
    // scores 0.9 (R), 0.5 (.), 0.5 (R): thresholds 0.9 -> P 1, R 1/2; 0.5 -> P 2/3, R 1
    const ranked = list("R.R", [0.9, 0.5, 0.5]);
    expect(averagePrecision(ranked)).toBeCloseTo(0.5 * 1 + 0.5 * (2 / 3), 12);
    // the order inside a tie does not matter
    expect(averagePrecision(list("RR.", [0.9, 0.5, 0.5]))).toBeCloseTo(averagePrecision(ranked), 12);
  });
  it("refuses an unsorted list", () => {
    expect(() => averagePrecision(list("R.", [0.1, 0.2]))).toThrow(/sorted/);
  });
});

describe("full-rank metrics at k (INQUIRE)", () => {
  it("normalises AP by min(total relevant, k), so missed positives count", () => {
    // top 5 = R . R . . with 4 relevant in all: sklearn AP over the top 5 is (1 + 2/3)/2; times 2 / min(4, 5)
    const m = fullRankMetrics(list("R.R.."), 4, 5);
    expect(m.ap).toBeCloseTo(((1 + 2 / 3) / 2) * (2 / 4), 12);
    expect(m.precision).toBeCloseTo(2 / 5, 12);
    expect(m.recall).toBeCloseTo(2 / 4, 12);
    expect(m.mrr).toBe(1);
  });
  it("caps the normalisation at k when a query has more relevant images than k", () => {
    // all 3 of the top 3 relevant, 10 relevant in all: AP 1 x 3 / min(10, 3) = 1
    expect(fullRankMetrics(list("RRR"), 10, 3).ap).toBeCloseTo(1, 12);
  });
  it("appends the missed relevant images at the bottom for nDCG", () => {
    // top 3 = . R . with 2 relevant in all; the missed one sits at rank 4, past k = 3
    const m = fullRankMetrics(list(".R."), 2, 3);
    const dcg = 1 / log2(3);
    const ideal = 1 / log2(2) + 1 / log2(3);
    expect(m.ndcg).toBeCloseTo(dcg / ideal, 12);
  });
  it("scores a list shorter than k as if the rest were not relevant", () => {
    // one relevant image returned, 5 relevant in all, k = 10: AP = 1 x 1 / min(5, 10)
    const m = fullRankMetrics(list("R"), 5, 10);
    expect(m.ap).toBeCloseTo(1 / 5, 12);
    expect(m.precision).toBeCloseTo(1 / 10, 12);
    // the 4 missed ones go below the padded top 10: they add nothing to the DCG, but fill the ideal
    const ideal = [0, 1, 2, 3, 4].reduce((s, i) => s + 1 / log2(i + 2), 0);
    expect(m.ndcg).toBeCloseTo(1 / ideal, 12);
  });
  it("scores 0 when the run finds nothing relevant, or has no rows", () => {
    expect(fullRankMetrics(list("....."), 3, 5)).toEqual({ ap: 0, ndcg: 0, mrr: 0, precision: 0, recall: 0 });
    expect(fullRankMetrics([], 3, 5)).toEqual({ ap: 0, ndcg: 0, mrr: 0, precision: 0, recall: 0 });
  });
  it("takes only the top k", () => {
    expect(fullRankMetrics(list("..R"), 1, 2).mrr).toBe(0);
    expect(reciprocalRank(list("..R"))).toBeCloseTo(1 / 3, 12);
  });
  it("refuses a k below 1 and more relevant in the list than in all", () => {
    expect(() => fullRankMetrics(list("R"), 1, 0)).toThrow(/k must be/);
    expect(() => fullRankMetrics(list("RR"), 1, 2)).toThrow(/only 1/);
  });
});

describe("nDCG with ties (scikit-learn averages a tie's gain over its positions)", () => {
  it("averages a group of equal scores", () => {
    // scores 0.9 (.), 0.5 (R), 0.5 (.): the tie spans ranks 2-3 and shares one gain
    const ranked = list(".R.", [0.9, 0.5, 0.5]);
    const dcg = 0.5 * (1 / log2(3) + 1 / log2(4));
    expect(ndcgAtK(ranked, 3)).toBeCloseTo(dcg / 1, 12);
  });
  it("counts only the positions of a tie that fall inside k", () => {
    const ranked = list("R.", [0.5, 0.5]);
    expect(ndcgAtK(ranked, 1)).toBeCloseTo(0.5 * 1, 12);
  });
});

describe("rerank metrics (INQUIRE's rerank evaluation)", () => {
  it("uses the set's own relevant images as the total: plain AP over the set", () => {
    const ranked = list(".R.R....");
    const m = rerankMetrics(ranked, 4);
    expect(m.ap).toBeCloseTo((1 / 2 + 2 / 4) / 2, 12);
    expect(m.recall).toBe(1);
    expect(m.precision).toBeCloseTo(2 / 4, 12);
    expect(m.mrr).toBeCloseTo(1 / 2, 12);
    expect(m.ndcg).toBeCloseTo((1 / log2(3) + 1 / log2(5)) / (1 + 1 / log2(3)), 12);
  });
});

describe("means", () => {
  it("averages each metric", () => {
    const a = { ap: 1, ndcg: 0.5, mrr: 1, precision: 0.2, recall: 0.4 };
    const b = { ap: 0, ndcg: 0.5, mrr: 0, precision: 0, recall: 0 };
    expect(meanMetrics([a, b])).toEqual({ ap: 0.5, ndcg: 0.5, mrr: 0.5, precision: 0.1, recall: 0.2 });
  });
});

import { describe, expect, it } from "vitest";
import { probabilityFromCosine, scoreOf, searchDirection, trainLinearScorer } from "@/lib/active-learning/learner";
import { MAX_BATCH, nextBatchSize, roundDue } from "@/lib/active-learning/schedule";
import { syntheticVectors } from "./synthetic";

function auc(scores: number[], labels: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((s, i) => {
    if (!labels[i]) return;
    scores.forEach((t, j) => {
      if (labels[j]) return;
      pairs++;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe("the learner", () => {
  const { vectors, isRelevant } = syntheticVectors({ count: 400, relevant: 40, spread: 0.3 });
  const labels = vectors.map((_, i) => isRelevant(i));

  it("ranks unseen relevant images above the rest after a few judgments", () => {
    const picked = [0, 1, 2, 3, 4, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109];
    const scorer = trainLinearScorer(picked.map((i) => ({ vector: vectors[i], relevant: isRelevant(i) })));
    const held = vectors.map((_, i) => i).filter((i) => !picked.includes(i));
    expect(
      auc(
        held.map((i) => scoreOf(scorer, vectors[i])),
        held.map((i) => labels[i]),
      ),
    ).toBeGreaterThan(0.95);
  });

  it("ranks by its search direction exactly as by its score (what the vector index is asked)", () => {
    const scorer = trainLinearScorer(vectors.slice(0, 120).map((v, i) => ({ vector: v, relevant: isRelevant(i) })));
    const { direction, norm } = searchDirection(scorer);
    const cos = (v: Float32Array) => v.reduce((a, x, j) => a + x * direction[j], 0);
    const byScore = [...vectors.keys()].sort((a, b) => scoreOf(scorer, vectors[b]) - scoreOf(scorer, vectors[a]));
    const byCosine = [...vectors.keys()].sort((a, b) => cos(vectors[b]) - cos(vectors[a]));
    expect(byCosine.slice(0, 50)).toEqual(byScore.slice(0, 50));
    const p = probabilityFromCosine(scorer, norm, cos(vectors[0]));
    expect(p).toBeCloseTo(1 / (1 + Math.exp(-scoreOf(scorer, vectors[0]))), 4);
  });

  it("leans on the prior while judgments are few, and on the judgments once they disagree with it", () => {
    const prior = Float32Array.from({ length: 16 }, (_, j) => (j === 0 ? 1 : 0));
    const few = [
      { vector: vectors[0], relevant: true },
      { vector: vectors[200], relevant: false },
    ];
    const withPrior = searchDirection(trainLinearScorer(few, { prior })).direction;
    expect(withPrior[0]).toBeGreaterThan(0.9);
    // judgments that say the prior's direction is wrong win
    const wrong = Float32Array.from({ length: 16 }, (_, j) => (j === 2 ? 1 : 0));
    const many = vectors.slice(0, 200).map((v, i) => ({ vector: v, relevant: isRelevant(i) }));
    const corrected = searchDirection(trainLinearScorer(many, { prior: wrong, priorScale: 2 })).direction;
    expect(corrected[0]).toBeGreaterThan(corrected[2]);
  });

  it("is deterministic and refuses a training set of one class", () => {
    const set = vectors.slice(0, 80).map((v, i) => ({ vector: v, relevant: isRelevant(i) }));
    expect(trainLinearScorer(set).weights).toEqual(trainLinearScorer(set).weights);
    expect(() => trainLinearScorer(set.filter((e) => e.relevant))).toThrow(/relevant and not-relevant/);
  });
});

describe("BMI's schedule", () => {
  it("starts at one and grows by ceil(10%) up to the cap (MAX_BATCH)", () => {
    const sizes = [nextBatchSize(0)];
    while (sizes.length < 30) sizes.push(nextBatchSize(sizes[sizes.length - 1]));
    expect(sizes.slice(0, 12)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10]);
    expect(Math.max(...sizes)).toBe(MAX_BATCH);
  });

  it("is due after the first judgment, then after each batch", () => {
    expect(roundDue(0, 0)).toBe(false);
    expect(roundDue(1, 0)).toBe(true);
    expect(roundDue(1, 1)).toBe(false);
    expect(roundDue(2, 1)).toBe(true);
  });
});

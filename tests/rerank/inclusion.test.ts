import { describe, expect, it } from "vitest";
import { finalLabel } from "@/lib/agreement/final-label";
import type { JudgmentValue } from "@/lib/judgments/values";
import { rerankInclusion, type RankedLabel } from "@/lib/rerank/inclusion";

// INQUIRE-Rerank's rule on worked cases: a query waits while any of its top images lacks a final
// relevant / not relevant label (never-judged ones go to the queue), is left out when all are labeled
// and none is relevant, and is in the set otherwise. Labels come from finalLabel, as in a build.

const R: JudgmentValue = "relevant";
const N: JudgmentValue = "not_relevant";
const U: JudgmentValue = "unsure";

/** Image i+1 with the final label of its judgments (and adjudication); [] is never judged. */
function items(
  ...judged: (JudgmentValue[] | { judgments: JudgmentValue[]; adjudicated: JudgmentValue })[]
): RankedLabel[] {
  return judged.map((j, i) => {
    const label = Array.isArray(j) ? finalLabel(j) : finalLabel(j.judgments, j.adjudicated);
    return { imageId: i + 1, label: label.basis === "unjudged" ? null : label };
  });
}

describe("the rerank inclusion rule", () => {
  it("a query with never-judged images among its top images is unjudged, and those images go to the queue", () => {
    expect(rerankInclusion(items([R], [], [N], []))).toEqual({
      status: "unjudged",
      relevant: 1,
      unjudged: 2,
      toQueue: [2, 4],
    });
  });

  it("unsure and disagreed images keep the query waiting, for the adjudication queue rather than the labeling one", () => {
    expect(rerankInclusion(items([R], [U], [R, N]))).toEqual({
      status: "unjudged",
      relevant: 1,
      unjudged: 2,
      toQueue: [],
    });
  });

  it("all judged and none relevant: left out as no-relevant", () => {
    expect(rerankInclusion(items([N], [N, N], { judgments: [R, N], adjudicated: N }))).toEqual({
      status: "no-relevant",
      relevant: 0,
      unjudged: 0,
      toQueue: [],
    });
  });

  it("all judged with a relevant one (an adjudication outranks the judgments): included", () => {
    expect(rerankInclusion(items([N], [N], { judgments: [N, N], adjudicated: R }))).toEqual({
      status: "included",
      relevant: 1,
      unjudged: 0,
      toQueue: [],
    });
  });

  it("a query with no ranked images at all has nothing relevant: no-relevant", () => {
    expect(rerankInclusion([]).status).toBe("no-relevant");
  });
});

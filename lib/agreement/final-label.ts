import type { JudgmentValue } from "@/lib/judgments/values";

// The one label of a (query, image) that exports, rerank sets and evaluation use: the lead's
// adjudication, else the annotators' agreed judgment, else the single judgment. What is still open
// (annotators who disagree, an "unsure") goes to the lead's adjudication queue.

export type FinalLabel = {
  /** null: no label yet (never judged, or judged differently and not adjudicated) */
  value: JudgmentValue | null;
  basis: "adjudicated" | "agreed" | "single" | "disagreement" | "unjudged";
  /** whether the lead's adjudication queue should show it */
  needsAdjudication: boolean;
};

export function finalLabel(judgments: readonly JudgmentValue[], adjudicated?: JudgmentValue | null): FinalLabel {
  if (adjudicated) return { value: adjudicated, basis: "adjudicated", needsAdjudication: false };
  if (judgments.length === 0) return { value: null, basis: "unjudged", needsAdjudication: false };
  const first = judgments[0];
  if (judgments.some((v) => v !== first)) return { value: null, basis: "disagreement", needsAdjudication: true };
  return { value: first, basis: judgments.length === 1 ? "single" : "agreed", needsAdjudication: first === "unsure" };
}

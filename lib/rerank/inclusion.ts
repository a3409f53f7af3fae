import type { FinalLabel } from "@/lib/agreement/final-label";

// INQUIRE-Rerank's rule for a finished query's place in a rerank set, decided on the final labels of
// its top `depth` images (lib/agreement/labels.ts): until every one has a final relevant / not relevant
// label the query waits ("unjudged": its never-judged images go to the labeling queue, its open ones
// wait for the lead's adjudication); with every one labeled and none relevant it is left out
// ("no-relevant", listed as such); otherwise it is in the set. A pure function, so the rule is tested
// on worked cases and applied the same by a build and a refresh.

export const RERANK_STATUSES = ["included", "no-relevant", "unjudged"] as const;
export type RerankStatus = (typeof RERANK_STATUSES)[number];

/** The final label of one of the query's top images, or none when nobody judged it. */
export type RankedLabel = { imageId: number; label: Pick<FinalLabel, "value" | "basis"> | null };

export type RerankInclusion = {
  status: RerankStatus;
  /** images with final label relevant */
  relevant: number;
  /** images without a final relevant / not relevant label (never judged, unsure, or disagreed on) */
  unjudged: number;
  /** the never-judged ones: what the labeling queue gets */
  toQueue: number[];
};

/** Whether a final label settles the image for the set: relevant or not relevant, nothing open. */
export function isSettled(label: RankedLabel["label"]): boolean {
  return !!label && (label.value === "relevant" || label.value === "not_relevant");
}

export function rerankInclusion(items: readonly RankedLabel[]): RerankInclusion {
  let relevant = 0;
  let unjudged = 0;
  const toQueue: number[] = [];
  for (const item of items) {
    if (item.label?.value === "relevant") relevant++;
    if (!isSettled(item.label)) {
      unjudged++;
      if (!item.label || item.label.basis === "unjudged") toQueue.push(item.imageId);
    }
  }
  const status: RerankStatus = unjudged > 0 ? "unjudged" : relevant === 0 ? "no-relevant" : "included";
  return { status, relevant, unjudged, toQueue };
}

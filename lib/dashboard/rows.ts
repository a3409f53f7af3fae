import type { Agreement } from "@/lib/agreement/kappa";
import type { FinalLabelCounts } from "@/lib/agreement/labels";
import { learningDisplay, type SignalLine, type SummaryInput } from "@/lib/active-learning/display";
import type { QueryStatus } from "@/lib/queries/fields";

// One row of the coverage dashboard: a query, its pairs by final label (lib/agreement/labels), what its
// learning says (the workspace's own words, lib/active-learning/display: a recall number only when the
// estimate can be trusted, else why not), who judged it and how well they agreed. Client-safe: types only
// from the server modules, so the page, the API and the tests share it.

export type QueryMeta = {
  rowId: number;
  id: string;
  text: string;
  supercategory: string | null;
  category: string | null;
  iconicGroup: string | null;
  split: string | null;
  status: QueryStatus;
};

export type AnnotatorCount = { id: string; name: string; judgments: number };

export type DashboardQuery = QueryMeta &
  Omit<FinalLabelCounts, "judged"> & {
    /** images judged by anyone */
    judged: number;
    looksComplete: boolean;
    /** "Looks complete", or what the query waits for */
    headline: string;
    /** the estimate with its 95% interval, only when it can be trusted */
    recall: { recall: number; low: number; high: number } | null;
    /** the estimate in words: the numbers, or why there is none to trust */
    recallText: string;
    signals: SignalLine[];
    annotators: AnnotatorCount[];
    agreement: Agreement;
  };

const NO_AGREEMENT: Agreement = { pairs: 0, raw: null, kappa: null };

export function dashboardQuery(input: {
  meta: QueryMeta;
  counts: FinalLabelCounts;
  learning: SummaryInput | null;
  annotators: AnnotatorCount[];
  agreement: Agreement | undefined;
}): DashboardQuery {
  const display = learningDisplay(input.learning);
  const estimate = input.learning?.signals?.estimate ?? null;
  return {
    ...input.meta,
    ...input.counts,
    looksComplete: display.looksComplete,
    headline: display.headline,
    recall:
      display.estimate.trusted && estimate
        ? { recall: estimate.recall, low: estimate.recallLow, high: estimate.recallHigh }
        : null,
    recallText: display.estimate.text,
    signals: display.lines,
    annotators: input.annotators,
    agreement: input.agreement ?? NO_AGREEMENT,
  };
}

import { JUDGMENT_LABELS } from "@/lib/judgments/values";
import type { AdjudicationItem } from "@/lib/agreement/adjudication";
import { JUDGMENT_ICONS } from "../queries/[queryId]/judging-card";

// Under each adjudication card (and in its full image): the query, then every judgment and who made
// it, as text. Spans only: it sits inside the card's button.

export function JudgmentsList({ item, showQuery }: { item: AdjudicationItem; showQuery: boolean }) {
  return (
    <span className="mt-1 block space-y-0.5 px-0.5 text-xs" data-testid="card-judgments">
      {showQuery && (
        <span className="block truncate text-stone-500" title={item.queryText} data-testid="card-query">
          {item.queryId}: {item.queryText}
        </span>
      )}
      {item.judgments.map((j) => (
        <span
          key={j.annotatorId}
          className="flex justify-between gap-2"
          data-annotator={j.annotatorId}
          data-value={j.value}
        >
          <span className="truncate text-stone-700">{j.annotator}</span>
          <span className="shrink-0 font-medium">
            <span aria-hidden>{JUDGMENT_ICONS[j.value]}</span> {JUDGMENT_LABELS[j.value]}
          </span>
        </span>
      ))}
    </span>
  );
}

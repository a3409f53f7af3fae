import type { QuerySummary } from "@/lib/queries/queries";

// The query list's recall: the estimate with its 95% interval when it can be trusted; otherwise a dash,
// with the reason there is no number as its tooltip (never the untrusted number itself).

export function RecallCell({ recall }: { recall: QuerySummary["recall"] }) {
  if (!recall)
    return (
      <span className="text-stone-400" title="No recall estimate yet: it needs an audit of the unjudged images">
        —
      </span>
    );
  if ("untrusted" in recall)
    return (
      <span className="cursor-help text-stone-400" title={`No recall estimate to trust yet: ${recall.untrusted}`}>
        —
      </span>
    );
  return (
    <span data-testid="recall" title="Estimated recall, with its 95% interval">
      {recall.recall.toFixed(2)}{" "}
      <span className="text-xs text-stone-500">
        ({recall.low.toFixed(2)} to {recall.high.toFixed(2)})
      </span>
    </span>
  );
}

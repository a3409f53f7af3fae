import { cx } from "@/app/_components/ui";
import type { QueryStatus } from "@/lib/queries/fields";

// A query's status as a small badge: finished stands out (rerank sets, splits and exports take those).

const STYLE: Record<QueryStatus, string> = {
  draft: "bg-stone-100 text-stone-700",
  labeling: "bg-sky-50 text-sky-900",
  finished: "bg-emerald-700 text-white",
  frozen: "bg-indigo-100 text-indigo-900",
};

export function QueryStatusBadge({ status }: { status: QueryStatus }) {
  return (
    <span
      className={cx("rounded-full px-2 py-0.5 text-xs font-medium", STYLE[status])}
      data-testid="query-status"
      data-status={status}
    >
      {status}
    </span>
  );
}

"use client";

import { useQuery } from "@tanstack/react-query";
import { cx } from "@/app/_components/ui";
import { learningDisplay, type SummaryInput } from "@/lib/active-learning/display";
import type { QueryStatus } from "@/lib/queries/fields";
import { queryApiPath } from "@/lib/queries/urls";

// The workspace's "Stopping signals" panel: what the last learning round says about the query, polled
// every 5 s. What it says is lib/active-learning/display.ts; this only draws it. It never names audit
// images: the audit appears only as how many of it are judged.

type LearningAnswer = { status: QueryStatus; learning: SummaryInput | null };

async function fetchLearning(collection: string, queryId: string): Promise<LearningAnswer> {
  const res = await fetch(`${queryApiPath(collection, queryId)}/learning`);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `stopping signals failed (${res.status})`);
  return body;
}

export function StoppingSignals({ collection, queryId }: { collection: string; queryId: string }) {
  const { data, error } = useQuery({
    queryKey: ["learning", collection, queryId],
    queryFn: () => fetchLearning(collection, queryId),
    refetchInterval: 5_000,
    staleTime: 0,
    placeholderData: (previous) => previous,
  });
  const display = data ? learningDisplay(data.learning) : null;
  return (
    <details
      className="mb-3 rounded-lg border border-stone-200 bg-white px-3 py-2 text-sm"
      data-testid="stopping-signals"
      data-looks-complete={display?.looksComplete ?? false}
      open
    >
      <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1">
        <span className="text-xs font-semibold tracking-wide text-stone-500 uppercase">Stopping signals</span>
        {data?.status === "finished" && (
          <span className="rounded-full bg-emerald-700 px-2 py-0.5 text-xs font-medium text-white">Finished</span>
        )}
        {display?.looksComplete ? (
          <span
            className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900"
            data-testid="looks-complete"
          >
            Looks complete
          </span>
        ) : (
          <span className="text-stone-700" data-testid="waiting-for">
            {display?.headline ?? "…"}
          </span>
        )}
        <span className="text-stone-600" data-testid="recall-estimate">
          {display?.estimate.text}
        </span>
      </summary>
      {display && display.lines.length > 0 && (
        <dl className="mt-2 grid gap-x-6 gap-y-1 sm:grid-cols-2 lg:grid-cols-3" data-testid="signal-lines">
          {display.lines.map((line) => (
            <div key={line.id} className="flex items-baseline gap-1.5" data-signal={line.id} data-met={line.met}>
              <dt className="text-xs text-stone-500">{line.label}</dt>
              <dd className={cx("tabular-nums", line.met ? "font-medium text-emerald-800" : "text-stone-800")}>
                {line.text}
                {line.met && <span className="ml-1">(met)</span>}
              </dd>
            </div>
          ))}
          <div className="flex items-baseline gap-1.5">
            <dt className="text-xs text-stone-500">Rounds</dt>
            <dd className="tabular-nums">{display.rounds}</dd>
          </div>
        </dl>
      )}
      {error && <p className="mt-1 text-xs text-red-700">Stopping signals could not be loaded: {error.message}</p>}
    </details>
  );
}

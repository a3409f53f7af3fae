"use client";

import { useEffect, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, cx } from "@/app/_components/ui";
import type { JudgmentOutbox, OutboxStatus } from "@/lib/judgments/outbox";
import type { AnnotatorProgress, QueryProgress } from "@/lib/judgments/progress";
import { INQUIRE_STOP_RUN } from "@/lib/judgments/values";
import { queryApiPath } from "@/lib/queries/urls";

// Always on screen above the grid: how far this query is (from the server), and whether every
// judgment made here has reached it (from the outbox), stated in words, not only in colour.

export const progressKey = (collection: string, queryId: string) => ["judging-progress", collection, queryId];

type ProgressAnswer = { progress: QueryProgress; annotators?: AnnotatorProgress[] };

export async function fetchProgress(collection: string, queryId: string, annotator: string): Promise<ProgressAnswer> {
  const res = await fetch(`${queryApiPath(collection, queryId)}/progress?annotator=${encodeURIComponent(annotator)}`);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `progress failed (${res.status})`);
  return body;
}

function Stat({
  label,
  value,
  testId,
  hint,
}: {
  label: string;
  value: string | number;
  testId: string;
  hint?: string;
}) {
  return (
    <div className="flex items-baseline gap-1.5" title={hint}>
      <dt className="text-xs text-stone-500">{label}</dt>
      <dd className="font-semibold text-stone-900 tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function useSecondsUntil(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!at) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [at]);
  return at ? Math.max(0, Math.ceil((at - now) / 1000)) : null;
}

function SyncStatus({
  status,
  pendingHere,
  onRetry,
  onDiscard,
  onSendNow,
}: {
  status: OutboxStatus;
  pendingHere: number;
  onRetry: () => void;
  onDiscard: () => void;
  onSendNow: () => void;
}) {
  const seconds = useSecondsUntil(status.retryAt);
  const state = status.failed > 0 ? "failed" : status.pending === 0 ? "saved" : status.problem ? "waiting" : "saving";
  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="sync-status"
      data-state={state}
      data-pending={status.pending}
      data-failed={status.failed}
      className={cx(
        "flex flex-wrap items-center gap-2 rounded-md px-2 py-1 text-sm",
        state === "saved" && "text-emerald-800",
        state === "saving" && "text-stone-700",
        state === "waiting" && "bg-amber-50 text-amber-900",
        state === "failed" && "bg-red-50 text-red-900",
      )}
    >
      {state === "saved" && (
        <span>
          <span aria-hidden>✓</span> All judgments saved
        </span>
      )}
      {state === "saving" && (
        <span>
          <span aria-hidden>↑</span> Saving {status.pending}…
        </span>
      )}
      {state === "waiting" && (
        <>
          <span>
            <span aria-hidden>‖</span> {status.pending} not sent yet ({status.problem})
            {seconds !== null ? `; retrying in ${seconds} s` : ""}. They are kept in this browser.
          </span>
          <Button variant="secondary" className="py-0.5" onClick={onSendNow}>
            Retry now
          </Button>
        </>
      )}
      {state === "failed" && (
        <>
          <span>
            <span aria-hidden>⚠</span> {status.failed} refused by the server
            {status.pending ? `, ${status.pending} pending` : ""}.
          </span>
          <Button variant="secondary" className="py-0.5" onClick={onRetry}>
            Retry
          </Button>
          <Button variant="ghost" className="py-0.5" onClick={onDiscard}>
            Discard
          </Button>
        </>
      )}
      {pendingHere > 0 && state !== "saving" && <span className="sr-only">{pendingHere} of them on this query</span>}
    </div>
  );
}

/** Refreshes the progress when writes to this query reach the server, at most once a second. */
function useRefreshOnAcknowledged(outbox: JudgmentOutbox | null, collection: string, queryId: string) {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!outbox) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    return outbox.onAcknowledged((target) => {
      if (target.collection !== collection || target.queryId !== queryId || timer) return;
      timer = setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: progressKey(collection, queryId) });
      }, 1000);
    });
  }, [outbox, queryClient, collection, queryId]);
}

export function ProgressBar({
  collection,
  queryId,
  annotatorId,
  outbox,
  status,
  pendingHere,
}: {
  collection: string;
  queryId: string;
  annotatorId: string;
  outbox: JudgmentOutbox | null;
  status: OutboxStatus;
  /** writes to this query not sent yet */
  pendingHere: number;
}) {
  useRefreshOnAcknowledged(outbox, collection, queryId);
  const { data, error } = useQuery({
    queryKey: [...progressKey(collection, queryId), annotatorId],
    queryFn: () => fetchProgress(collection, queryId, annotatorId),
    refetchInterval: 15_000,
    staleTime: 0,
    placeholderData: (previous) => previous,
  });
  const p = data?.progress;
  return (
    <section
      aria-label="Progress on this query"
      className="sticky top-0 z-10 -mx-1 mb-3 rounded-lg border border-stone-200 bg-white/95 px-3 py-2 shadow-sm backdrop-blur"
    >
      <div className="flex flex-wrap items-center justify-between gap-x-6 gap-y-1">
        <dl className="flex flex-wrap items-baseline gap-x-5 gap-y-1">
          <Stat
            label="Judged"
            value={p ? p.judged + (pendingHere ? ` (+${pendingHere} unsent)` : "") : "…"}
            testId="progress-judged"
          />
          <Stat label="Relevant" value={p?.relevant ?? "…"} testId="progress-relevant" />
          <Stat label="Unsure" value={p?.unsure ?? "…"} testId="progress-unsure" />
          <Stat
            label="Not-relevant run"
            value={p ? `${p.run} / ${INQUIRE_STOP_RUN}` : "…"}
            testId="progress-run"
            hint="Consecutive not-relevant judgments at the end of the ranked candidates; INQUIRE stopped a query at 100"
          />
          <Stat label="Left in queue" value={p?.remaining ?? "…"} testId="progress-remaining" />
          {p && p.run >= INQUIRE_STOP_RUN && (
            <span className="text-sm font-medium text-emerald-800">INQUIRE&apos;s stopping rule is met</span>
          )}
        </dl>
        <SyncStatus
          status={status}
          pendingHere={pendingHere}
          onRetry={() => outbox?.retryFailed()}
          onDiscard={() => outbox?.discardFailed()}
          onSendNow={() => outbox?.wake()}
        />
      </div>
      {p && p.sources.length > 0 && (
        <p className="mt-1 flex flex-wrap gap-x-4 text-xs text-stone-600" data-testid="progress-sources">
          <span className="text-stone-500">Yield by source:</span>
          {p.sources.map((s) => (
            <span key={s.source}>
              {s.source}: {s.relevant} relevant of {s.judged} judged
              {s.yield !== null ? ` (${Math.round(s.yield * 100)}%)` : ""}, {s.surfaced} surfaced
            </span>
          ))}
        </p>
      )}
      {error && <p className="mt-1 text-xs text-red-700">Progress could not be loaded: {error.message}</p>}
      {data?.annotators && data.annotators.length > 0 && (
        <details className="mt-1 text-xs">
          <summary className="cursor-pointer text-stone-600">Everyone on this query ({data.annotators.length})</summary>
          <table className="mt-1 text-left" data-testid="progress-annotators">
            <thead className="text-stone-500">
              <tr>
                <th className="pr-4">Annotator</th>
                <th className="pr-4">Judged</th>
                <th className="pr-4">Relevant</th>
                <th className="pr-4">Unsure</th>
                <th>Run</th>
              </tr>
            </thead>
            <tbody>
              {data.annotators.map((a) => (
                <tr key={a.annotatorId}>
                  <td className="pr-4">{a.name}</td>
                  <td className="pr-4 tabular-nums">{a.judged}</td>
                  <td className="pr-4 tabular-nums">{a.relevant}</td>
                  <td className="pr-4 tabular-nums">{a.unsure}</td>
                  <td className="tabular-nums">{a.run}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}

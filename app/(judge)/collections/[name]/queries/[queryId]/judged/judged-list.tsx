"use client";

import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Button, cx, ErrorNote } from "@/app/_components/ui";
import { imagePagePath, thumbnailUrl } from "@/lib/browse/urls";
import type { JudgmentRecord } from "@/lib/judgments/list";
import { JUDGMENT_LABELS, JUDGMENT_VALUES, type JudgmentValue } from "@/lib/judgments/values";
import { judgedPath, queryApiPath } from "@/lib/queries/urls";
import { JUDGMENT_ICONS } from "../judging-card";
import { fetchProgress, progressKey } from "../progress-bar";
import { newClientId, useOutbox } from "../use-outbox";

// Looking back over judgments: an annotator's, latest change first, filtered by value. An expert may
// change their own here (through the same retry queue as the grid, so a change is never lost); a lead
// reads anyone's.

type Person = { id: string; name: string };
type Filter = JudgmentValue | "all";
const PAGE = 120;

async function fetchJudged(
  collection: string,
  queryId: string,
  annotator: string,
  filter: Filter,
  offset: number,
): Promise<JudgmentRecord[]> {
  const params = new URLSearchParams({ annotator, limit: String(PAGE), offset: String(offset) });
  if (filter !== "all") params.set("value", filter);
  const res = await fetch(`${queryApiPath(collection, queryId)}/judgments?${params}`);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `loading judgments failed (${res.status})`);
  return body.judgments;
}

export function JudgedList({
  collection,
  queryId,
  userId,
  annotator,
  people,
}: {
  collection: string;
  queryId: string;
  userId: string;
  annotator: Person;
  people: Person[] | null;
}) {
  const router = useRouter();
  const readOnly = annotator.id !== userId;
  const [filter, setFilter] = useState<Filter>("all");
  const { outbox, items: outboxItems, status } = useOutbox(userId);
  // changes made here, shown at once; the outbox sends them
  const [changed, setChanged] = useState<Record<string, JudgmentValue>>({});
  const list = useInfiniteQuery({
    queryKey: ["judged", collection, queryId, annotator.id, filter],
    queryFn: ({ pageParam }) => fetchJudged(collection, queryId, annotator.id, filter, pageParam),
    initialPageParam: 0,
    getNextPageParam: (last, all) => (last.length < PAGE ? undefined : all.length * PAGE),
  });
  const rows = list.data?.pages.flat() ?? [];
  // how many of each, for the filter buttons; sooner while changes made here are on their way
  const progress = useQuery({
    queryKey: [...progressKey(collection, queryId), annotator.id],
    queryFn: () => fetchProgress(collection, queryId, annotator.id),
    refetchInterval: status.pending > 0 ? 2000 : 15_000,
  });
  const p = progress.data?.progress;
  const counts: Record<Filter, number | undefined> = {
    all: p?.judged,
    relevant: p?.relevant,
    not_relevant: p?.notRelevant,
    unsure: p?.unsure,
  };
  const pendingFor = new Set(
    outboxItems.filter((i) => i.collection === collection && i.queryId === queryId).map((i) => i.imageId),
  );

  function change(row: JudgmentRecord, value: JudgmentValue) {
    if (readOnly || (changed[row.imageId] ?? row.value) === value) return;
    outbox?.add({
      collection,
      queryId,
      clientId: newClientId(),
      imageId: row.imageId,
      value,
      source: row.source,
      timeSpentMs: 0,
    });
    setChanged((c) => ({ ...c, [row.imageId]: value }));
  }

  return (
    <div>
      <div className="mb-3 flex flex-wrap items-center gap-3 text-sm">
        {people && (
          <label className="flex items-center gap-2">
            <span className="text-stone-600">Annotator</span>
            <select
              value={annotator.id}
              onChange={(e) =>
                router.push(judgedPath(collection, queryId, e.target.value === userId ? undefined : e.target.value))
              }
              className="rounded-md border border-stone-300 bg-white px-2 py-1"
            >
              {people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.id === userId ? `${p.name} (you)` : p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <div role="radiogroup" aria-label="Show" className="flex gap-1">
          {(["all", ...JUDGMENT_VALUES] as Filter[]).map((f) => (
            <button
              key={f}
              type="button"
              role="radio"
              aria-checked={filter === f}
              onClick={() => setFilter(f)}
              className={cx(
                "rounded-md border px-2.5 py-1",
                filter === f
                  ? "border-stone-800 bg-stone-800 text-white"
                  : "border-stone-300 bg-white text-stone-700 hover:bg-stone-100",
              )}
            >
              {f === "all" ? "All" : `${JUDGMENT_ICONS[f]} ${JUDGMENT_LABELS[f]}`}
              {counts[f] !== undefined && (
                <span className="ml-1.5 tabular-nums opacity-75" data-testid={`count-${f}`}>
                  {counts[f]!.toLocaleString("en-US")}
                </span>
              )}
            </button>
          ))}
        </div>
        {(status.pending > 0 || status.failed > 0) && (
          <span role="status" className="text-stone-600">
            {status.pending > 0 && `${status.pending} change${status.pending === 1 ? "" : "s"} not saved yet`}
            {status.failed > 0 && ` · ${status.failed} failed`}
          </span>
        )}
      </div>
      {list.isError && <ErrorNote>{list.error.message}</ErrorNote>}
      {list.isSuccess && rows.length === 0 && (
        <p
          className="rounded-xl border border-dashed border-stone-300 bg-white p-8 text-center text-sm text-stone-600"
          data-testid="judged-empty"
        >
          No judgments {filter === "all" ? "" : `marked ${JUDGMENT_LABELS[filter].toLowerCase()} `}yet.
        </p>
      )}
      <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3 md:grid-cols-4 xl:grid-cols-6" data-testid="judged-list">
        {rows.map((row) => {
          const value = changed[row.imageId] ?? row.value;
          return (
            <li
              key={`${row.annotatorId}:${row.imageId}`}
              className="rounded-lg border border-stone-200 bg-white p-2 text-xs"
              data-image-id={row.imageId}
              data-value={value}
            >
              <Link
                href={imagePagePath(collection, row.imageId)}
                className="block focus-visible:outline-2 focus-visible:outline-emerald-600"
              >
                {/* eslint-disable-next-line @next/next/no-img-element -- our own thumbnail route */}
                <img
                  src={thumbnailUrl(collection, row.imageId)}
                  alt={`Image ${row.imageId}`}
                  loading="lazy"
                  className="aspect-square w-full rounded bg-stone-200 object-cover"
                />
              </Link>
              <p className="mt-1 flex items-center justify-between gap-1">
                <span className="font-medium text-stone-900" data-testid="judged-value">
                  {JUDGMENT_ICONS[value]} {JUDGMENT_LABELS[value]}
                </span>
                {pendingFor.has(row.imageId) && <span className="text-stone-500">saving…</span>}
              </p>
              <p className="truncate text-stone-500" title={historyText(row)}>
                {row.source ?? "no source"} · {row.history.length ? `changed ${row.history.length}×` : "first judgment"}
              </p>
              {!readOnly && (
                <div className="mt-1 flex gap-1" role="group" aria-label={`Change judgment of ${row.imageId}`}>
                  {JUDGMENT_VALUES.map((v) => (
                    <button
                      key={v}
                      type="button"
                      aria-pressed={value === v}
                      onClick={() => change(row, v)}
                      title={JUDGMENT_LABELS[v]}
                      className={cx(
                        "flex-1 rounded border px-1 py-0.5",
                        value === v
                          ? "border-stone-800 bg-stone-800 text-white"
                          : "border-stone-300 hover:bg-stone-100",
                      )}
                    >
                      {JUDGMENT_ICONS[v]}
                      <span className="sr-only"> {JUDGMENT_LABELS[v]}</span>
                    </button>
                  ))}
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {list.hasNextPage && (
        <div className="mt-4 text-center">
          <Button variant="secondary" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            {list.isFetchingNextPage ? "Loading…" : "Show more"}
          </Button>
        </div>
      )}
    </div>
  );
}

function historyText(row: JudgmentRecord): string {
  const earlier = row.history.map((h) => `${JUDGMENT_LABELS[h.value]} (${h.at.slice(0, 16).replace("T", " ")})`);
  return [...earlier, `now ${JUDGMENT_LABELS[row.value]}`].join(" → ");
}

"use client";

import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { thumbnailUrl } from "@/lib/browse/urls";
import type { JudgmentOutbox } from "@/lib/judgments/outbox";
import { heldImageIds, type GridState } from "@/lib/judgments/grid-model";
import type { QueuePage } from "@/lib/judgments/queue";
import { queryApiPath } from "@/lib/queries/urls";
import { newClientId } from "./use-outbox";

// The queue behind the grid: the page after the last one held, fetched ahead with its thumbnails
// loaded and decoded, and held for this tab (so this annotator's other tabs show other images); a
// closing tab lets go of what it held.

export type NextPageState = "empty" | "ready" | "loading thumbnails";

async function fetchQueue(
  collection: string,
  queryId: string,
  body: { limit: number; exclude: string[]; annotator?: string; tab?: string },
): Promise<QueuePage> {
  const res = await fetch(`${queryApiPath(collection, queryId)}/queue`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.error ?? `loading candidates failed (${res.status})`);
  return answer;
}

/** This tab's id: kept in sessionStorage, so a reload keeps the images it held. */
function tabId(): string {
  if (typeof window === "undefined") return "";
  const key = "fieldmark:judging-tab";
  let id = sessionStorage.getItem(key);
  if (!id) {
    id = newClientId();
    sessionStorage.setItem(key, id);
  }
  return id;
}

export function useJudgingQueue(opts: {
  collection: string;
  queryId: string;
  annotatorId: string;
  readOnly: boolean;
  pageSize: number;
  grid: GridState;
  /** false until the grid is on its last page (and its settings are read) */
  enabled: boolean;
  outbox: JudgmentOutbox | null;
}) {
  const { collection, queryId, annotatorId, readOnly, pageSize, grid, outbox } = opts;
  const [tab] = useState(tabId);
  useEffect(() => {
    if (readOnly) return;
    const release = () =>
      navigator.sendBeacon(
        `${queryApiPath(collection, queryId)}/queue/release`,
        new Blob([JSON.stringify({ tab })], { type: "application/json" }),
      );
    window.addEventListener("pagehide", release);
    return () => window.removeEventListener("pagehide", release);
  }, [collection, queryId, tab, readOnly]);

  const next = useQuery({
    // pages only ever grow by one, so the pages held are the same for every fetch under one key
    queryKey: ["judging-queue", collection, queryId, annotatorId, pageSize, grid.pages.length],
    queryFn: () => {
      // Everything held here that the server may not know as judged yet, read when the request goes
      // out; judged-and-saved images it leaves out itself.
      const unsent = (outbox?.getSnapshot().items ?? []).filter(
        (i) => i.collection === collection && i.queryId === queryId,
      );
      const exclude = [...new Set([...heldImageIds(grid), ...unsent.map((i) => i.imageId)])];
      return fetchQueue(
        collection,
        queryId,
        readOnly ? { limit: pageSize, exclude, annotator: annotatorId } : { limit: pageSize, exclude, tab },
      );
    },
    enabled: opts.enabled,
    staleTime: Infinity,
    retry: 3,
    // an empty answer: the worker is asked for more; look again every few seconds
    refetchInterval: (q) => (q.state.data?.candidates.length === 0 ? 5000 : false),
  });

  // The next page's thumbnails, loaded and decoded ahead and held until it is shown, so it draws at once.
  const warm = useRef<HTMLImageElement[]>([]);
  const [warmFor, setWarmFor] = useState<QueuePage | null>(null); // the page whose thumbnails are ready
  useEffect(() => {
    const data = next.data;
    warm.current = (data?.candidates ?? []).map((c) => {
      const img = new Image();
      img.src = thumbnailUrl(collection, c.imageId);
      return img;
    });
    // an unreadable thumbnail fails to decode; it still shows its placeholder
    void Promise.allSettled(warm.current.map((img) => img.decode())).then(() => setWarmFor(data ?? null));
  }, [next.data, collection]);

  const data = next.data;
  const nextState: NextPageState | null = !data
    ? null
    : !data.candidates.length
      ? "empty"
      : warmFor === data
        ? "ready"
        : "loading thumbnails";
  /** next: the page after the last one held, once fetched (it may be empty: nothing left for now) */
  return { next: data, error: next.error, nextState };
}

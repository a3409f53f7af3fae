"use client";

import { useCallback, useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { thumbnailUrl } from "@/lib/browse/urls";
import type { QueuePage } from "@/lib/judgments/queue";
import { HOLD_MINUTES, type JudgmentValue } from "@/lib/judgments/values";
import { judgePath, queryApiPath } from "@/lib/queries/urls";
import { ConfirmRest, KeyHelp } from "./dialogs";
import { ImageViewer } from "./image-viewer";
import { JudgingCard, type CardSync } from "./judging-card";
import { progressKey, ProgressBar } from "./progress-bar";
import { GridToolbar } from "./grid-toolbar";
import { COLUMN_RANGE, useJudgingSettings } from "./settings";
import { newClientId, useOutbox } from "./use-outbox";

// The judging grid. Pages of the best unjudged candidates; the keyboard does everything. A judgment
// shows at once and goes into the outbox (stored in this browser first), which sends it when it can;
// the page after this one is fetched, thumbnails included, while this one is judged.

type Person = { id: string; name: string };
type Mode = "grid" | "viewer" | "confirm" | "help";
/** One undo step: the judgments it changed and what each was before (null: not judged). */
type UndoEntry = { page: number; changes: { imageId: string; before: JudgmentValue | null; source: string }[] };

const KEY_MARK = "fieldmark:key";
const PAGE_MARK = "fieldmark:page-shown";
const JUDGE_KEYS: Record<string, JudgmentValue> = {
  r: "relevant",
  "1": "relevant",
  n: "not_relevant",
  "0": "not_relevant",
  u: "unsure",
};

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

export function JudgingWorkspace({
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
  const readOnly = annotator.id !== userId;
  const router = useRouter();
  const queryClient = useQueryClient();
  const { outbox, items: outboxItems, status } = useOutbox(userId);
  const [settings, setSettings, settingsReady] = useJudgingSettings();
  const [pages, setPages] = useState<QueuePage["candidates"][]>([]);
  const [current, setCurrent] = useState(0);
  const [focus, setFocus] = useState(0);
  const [judged, setJudged] = useState<Record<string, JudgmentValue>>({});
  const [lastWrite, setLastWrite] = useState<Record<string, string>>({}); // imageId -> clientId of its latest write
  const [undoStack, setUndoStack] = useState<UndoEntry[]>([]);
  const [mode, setMode] = useState<Mode>("grid");
  const [wantNext, setWantNext] = useState(false);
  const page = useMemo(() => pages[current] ?? [], [pages, current]);
  const focused = page[focus];

  // ---- the queue: the page after the last one held, fetched ahead, and held for this tab (so this
  // annotator's other tabs show other images); a closing tab lets go of what it held
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
  const mine = outboxItems.filter((i) => i.collection === collection && i.queryId === queryId);
  const excludeRef = useRef<string[]>([]);
  // Everything held here that the server may not know as judged yet; judged-and-saved images it leaves out itself.
  excludeRef.current = [...new Set([...pages.flat().map((c) => c.imageId), ...mine.map((i) => i.imageId)])];
  const next = useQuery({
    queryKey: ["judging-queue", collection, queryId, annotator.id, settings.pageSize, pages.length],
    queryFn: () =>
      fetchQueue(
        collection,
        queryId,
        readOnly
          ? { limit: settings.pageSize, exclude: excludeRef.current, annotator: annotator.id }
          : { limit: settings.pageSize, exclude: excludeRef.current, tab },
      ),
    enabled: settingsReady && current >= pages.length - 1,
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
  useEffect(() => {
    const data = next.data;
    if (!data?.candidates.length) return;
    if (pages.length === 0 || (wantNext && current === pages.length - 1)) {
      setPages((p) => [...p, data.candidates]);
      setCurrent(pages.length);
      setFocus(0);
      setWantNext(false);
    }
  }, [next.data, wantNext, pages.length, current]);

  /** When the page on screen was asked for (a key press, a click), so "page drawn" counts from there. */
  const pageAskedAt = useRef<number | null>(null);

  function goToPage(index: number) {
    if (index < 0) return;
    pageAskedAt.current = performance.now();
    if (index < pages.length) {
      setWantNext(false);
      setCurrent(index);
      const first = pages[index].findIndex((c) => !judged[c.imageId]);
      setFocus(first < 0 ? 0 : first);
    } else if (index === pages.length && next.data?.candidates.length) {
      // fetched ahead: show it in this same key press, not one render later
      setPages((p) => [...p, next.data.candidates]);
      setCurrent(index);
      setFocus(0);
      setWantNext(false);
    } else setWantNext(true);
  }

  // ---- time spent: the time each card is focused while the tab is visible
  const spent = useRef(new Map<string, number>());
  const focusSince = useRef<number | null>(null);
  const bank = (imageId: string | undefined) => {
    if (imageId && focusSince.current !== null)
      spent.current.set(imageId, (spent.current.get(imageId) ?? 0) + performance.now() - focusSince.current);
    focusSince.current = document.visibilityState === "visible" ? performance.now() : null;
  };
  const focusedId = focused?.imageId;
  useEffect(() => {
    focusSince.current = performance.now();
    const onVisibility = () => bank(focusedId);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      bank(focusedId);
    };
  }, [focusedId]);
  function takeTimeSpent(imageId: string): number {
    if (imageId === focusedId) bank(imageId);
    const ms = spent.current.get(imageId) ?? 0;
    spent.current.delete(imageId);
    return Math.round(ms);
  }

  // ---- judging
  function write(imageId: string, value: JudgmentValue | null, source: string, timeSpentMs: number) {
    const clientId = newClientId();
    outbox?.add({ collection, queryId, clientId, imageId, value, source, timeSpentMs });
    setLastWrite((w) => ({ ...w, [imageId]: clientId }));
  }

  /** The next unjudged card after `from` (wrapping round), or -1 when the page is done. */
  const nextUnjudged = (from: number, judgedNow: Record<string, JudgmentValue>) => {
    for (let k = 1; k <= page.length; k++) {
      const i = (from + k) % page.length;
      if (!judgedNow[page[i].imageId]) return i;
    }
    return -1;
  };

  function judge(value: JudgmentValue) {
    if (readOnly || !focused) return;
    const before = judged[focused.imageId] ?? null;
    const judgedNow = { ...judged, [focused.imageId]: value };
    if (before !== value) {
      write(focused.imageId, value, focused.source, takeTimeSpent(focused.imageId));
      setJudged(judgedNow);
      setUndoStack((s) => [
        ...s.slice(-499),
        { page: current, changes: [{ imageId: focused.imageId, before, source: focused.source }] },
      ]);
    }
    const i = nextUnjudged(focus, judgedNow);
    if (i < 0) goToPage(current + 1);
    else setFocus(i);
  }

  function markRestNotRelevant() {
    const rest = page.filter((c) => !judged[c.imageId]);
    if (readOnly || rest.length === 0) return;
    const judgedNow = { ...judged };
    for (const c of rest) {
      write(c.imageId, "not_relevant", c.source, takeTimeSpent(c.imageId));
      judgedNow[c.imageId] = "not_relevant";
    }
    setJudged(judgedNow);
    setUndoStack((s) => [
      ...s.slice(-499),
      { page: current, changes: rest.map((c) => ({ imageId: c.imageId, before: null, source: c.source })) },
    ]);
    goToPage(current + 1);
  }

  function undo() {
    const entry = undoStack.at(-1);
    if (readOnly || !entry) return;
    const judgedNow = { ...judged };
    for (const ch of entry.changes) {
      write(ch.imageId, ch.before, ch.source, 0);
      if (ch.before) judgedNow[ch.imageId] = ch.before;
      else delete judgedNow[ch.imageId];
    }
    setJudged(judgedNow);
    setUndoStack((s) => s.slice(0, -1));
    setWantNext(false);
    if (entry.page !== current) pageAskedAt.current = performance.now();
    setCurrent(entry.page);
    setFocus(
      Math.max(
        0,
        pages[entry.page].findIndex((c) => c.imageId === entry.changes[0].imageId),
      ),
    );
  }

  function move(delta: number) {
    if (page.length) setFocus((f) => Math.min(page.length - 1, Math.max(0, f + delta)));
  }

  function setColumns(columns: number) {
    setSettings({ ...settings, columns: Math.min(COLUMN_RANGE[1], Math.max(COLUMN_RANGE[0], columns)) });
  }

  // ---- the keyboard
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement;
    if (target.closest?.("input, textarea, select, [contenteditable=true]")) return;
    // Space and Enter on a toolbar button press that button; on a card (or nowhere) they open the image
    if (
      (e.key === " " || e.key === "Enter") &&
      mode === "grid" &&
      target.closest?.("button, a") &&
      !target.closest("[data-image-id]")
    )
      return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const handled = () => e.preventDefault();
    const markKey = () => performance.mark(KEY_MARK, { startTime: e.timeStamp }); // from the key event itself
    performance.clearMarks(KEY_MARK);
    if (mode === "help") {
      if (key === "Escape" || key === "?") {
        handled();
        setMode("grid");
      }
      return;
    }
    if (mode === "confirm") {
      handled();
      if (key === "Enter" || key === "y") {
        setMode("grid");
        markRestNotRelevant();
      } else if (key === "Escape" || key === "n") setMode("grid");
      return;
    }
    if (mode === "viewer") {
      if (key === "Escape" || key === " " || key === "Enter") {
        handled();
        setMode("grid");
      } else if (JUDGE_KEYS[key] && !readOnly) {
        handled();
        setMode("grid");
        markKey();
        judge(JUDGE_KEYS[key]);
      } else if (key === "ArrowLeft" || key === "h") {
        handled();
        move(-1);
      } else if (key === "ArrowRight" || key === "l") {
        handled();
        move(1);
      }
      return;
    }
    const moves: Record<string, number> = {
      ArrowLeft: -1,
      h: -1,
      ArrowRight: 1,
      l: 1,
      ArrowUp: -settings.columns,
      k: -settings.columns,
      ArrowDown: settings.columns,
      j: settings.columns,
    };
    if (key in moves) {
      handled();
      markKey();
      move(moves[key]);
    } else if (JUDGE_KEYS[key]) {
      handled();
      if (!readOnly) {
        markKey();
        judge(JUDGE_KEYS[key]);
      }
    } else if (key === "z") {
      handled();
      undo();
    } else if (key === " " || key === "Enter") {
      handled();
      if (focused) setMode("viewer");
    } else if (key === "a") {
      handled();
      if (!readOnly && page.some((c) => !judged[c.imageId])) setMode("confirm");
    } else if (key === "?") {
      handled();
      setMode("help");
    } else if (key === "[") {
      handled();
      goToPage(current - 1);
    } else if (key === "]") {
      handled();
      goToPage(current + 1);
    } else if (key === "+" || key === "=") {
      handled();
      setColumns(settings.columns - 1);
    } else if (key === "-") {
      handled();
      setColumns(settings.columns + 1);
    }
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  // ---- focus follows the model; performance marks for bench/label
  const cardRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const setRef = useCallback((i: number, el: HTMLButtonElement | null) => {
    cardRefs.current[i] = el;
  }, []);
  useEffect(() => {
    if (mode !== "grid") return;
    const el = cardRefs.current[focus];
    if (!el) return;
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "nearest" });
    if (performance.getEntriesByName(KEY_MARK, "mark").length) {
      performance.measure("fieldmark:key-to-focus", KEY_MARK);
      performance.clearMarks(KEY_MARK);
    }
  }, [focus, current, pages, mode]);

  const drawn = useRef({ page: -1, images: new Set<string>(), needed: 0 });
  const [drawnPage, setDrawnPage] = useState(-1);
  const onDrawn = useCallback((imageId: string) => {
    const d = drawn.current;
    if (d.images.has(imageId) || d.needed === 0) return;
    d.images.add(imageId);
    if (d.images.size === d.needed) {
      // the frame after the last thumbnail arrived is the one that shows the page whole
      requestAnimationFrame(() => {
        if (performance.getEntriesByName(PAGE_MARK, "mark").length)
          performance.measure("fieldmark:page-drawn", PAGE_MARK);
        setDrawnPage(d.page);
      });
    }
  }, []);
  useEffect(() => {
    if (!page.length) return;
    performance.clearMarks(PAGE_MARK);
    performance.mark(PAGE_MARK, { startTime: pageAskedAt.current ?? performance.now() });
    pageAskedAt.current = null;
    drawn.current = { page: current, images: new Set(), needed: page.length };
    // thumbnails already in the cache may have loaded before this ran
    for (const el of cardRefs.current.slice(0, page.length)) {
      const img = el?.querySelector("img");
      if (img?.complete && img.naturalWidth > 0) onDrawn(el!.dataset.imageId!);
    }
  }, [page, current, onDrawn]);

  // ---- progress refresh when writes reach the server (at most once a second)
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

  const writeState = new Map(outboxItems.map((i) => [i.clientId, i.state]));
  const syncOf = (imageId: string): CardSync | null => {
    const clientId = lastWrite[imageId];
    if (!clientId) return null;
    const state = writeState.get(clientId);
    if (!state) return "saved";
    return state === "failed" ? "failed" : status.problem ? "waiting" : "saving";
  };
  const onSelect = useCallback((i: number) => {
    setFocus(i);
    setMode("grid");
  }, []);
  const onOpen = useCallback((i: number) => {
    setFocus(i);
    setMode("viewer");
  }, []);
  const unjudgedHere = page.filter((c) => !judged[c.imageId]).length;

  return (
    <div data-testid="judging-workspace" data-read-only={readOnly}>
      <ProgressBar
        collection={collection}
        queryId={queryId}
        annotatorId={annotator.id}
        status={status}
        pendingHere={mine.filter((i) => i.state === "pending").length}
        onRetry={() => outbox?.retryFailed()}
        onDiscard={() => outbox?.discardFailed()}
        onSendNow={() => outbox?.wake()}
      />
      <GridToolbar
        readOnly={readOnly}
        canJudge={!!focused}
        canUndo={undoStack.length > 0}
        unjudgedHere={unjudgedHere}
        onJudge={judge}
        onUndo={undo}
        onMarkRest={() => setMode("confirm")}
        onHelp={() => setMode("help")}
        settings={settings}
        onColumns={setColumns}
        onPageSize={(pageSize) => setSettings({ ...settings, pageSize })}
        people={people}
        annotatorId={annotator.id}
        userId={userId}
        onAnnotator={(id) => router.push(judgePath(collection, queryId, id === userId ? undefined : id))}
      />
      {readOnly && (
        <p
          className="mb-3 rounded-md border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900"
          data-testid="read-only-note"
        >
          You are looking at {annotator.name}&apos;s queue: what they have not judged yet, best first. Judging here is
          theirs to do.
        </p>
      )}
      <p className="mb-2 text-xs text-stone-500" data-testid="page-position">
        Page {pages.length ? current + 1 : 0}
        {pages.length ? ` · ${page.length - unjudgedHere} of ${page.length} judged` : ""}
        {current === pages.length - 1 && next.data
          ? ` · next page ${!next.data.candidates.length ? "empty" : warmFor === next.data ? "ready" : "loading thumbnails"}`
          : ""}
      </p>
      {page.length > 0 && (
        <ul
          aria-label="Candidate images"
          data-testid="judging-grid"
          data-page={current}
          data-drawn={drawnPage === current}
          className="grid gap-3"
          style={{ gridTemplateColumns: `repeat(${settings.columns}, minmax(0, 1fr))` }}
        >
          {page.map((card, i) => (
            <JudgingCard
              key={card.imageId}
              collection={collection}
              card={card}
              index={i}
              total={page.length}
              value={judged[card.imageId] ?? null}
              sync={syncOf(card.imageId)}
              focused={i === focus}
              readOnly={readOnly}
              setRef={setRef}
              onSelect={onSelect}
              onOpen={onOpen}
              onDrawn={onDrawn}
            />
          ))}
        </ul>
      )}
      <QueueState
        loading={!page.length || wantNext}
        error={next.error}
        empty={next.data?.candidates.length === 0}
        heldElsewhere={next.data?.heldElsewhere ?? 0}
      />
      {mode === "viewer" && focused && (
        <ImageViewer
          collection={collection}
          card={focused}
          value={judged[focused.imageId] ?? null}
          position={`Image ${focus + 1} of ${page.length}, page ${current + 1}`}
          onClose={() => setMode("grid")}
        />
      )}
      {mode === "confirm" && (
        <ConfirmRest
          count={unjudgedHere}
          onConfirm={() => {
            setMode("grid");
            markRestNotRelevant();
          }}
          onCancel={() => setMode("grid")}
        />
      )}
      {mode === "help" && <KeyHelp onClose={() => setMode("grid")} />}
    </div>
  );
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

function QueueState({
  loading,
  error,
  empty,
  heldElsewhere,
}: {
  loading: boolean;
  error: Error | null;
  empty: boolean;
  heldElsewhere: number;
}) {
  if (!loading) return null;
  if (error)
    return (
      <p className="mt-6 text-sm text-red-700" role="alert">
        {error.message}; trying again.
      </p>
    );
  if (empty) {
    return (
      <div
        className="mt-6 rounded-xl border border-dashed border-stone-300 bg-white p-8 text-center text-sm text-stone-600"
        data-testid="queue-empty"
      >
        No unjudged candidates right now. The worker has been asked for more; this page looks again every few seconds.
        {heldElsewhere > 0 && (
          <p className="mt-2" data-testid="held-elsewhere">
            {heldElsewhere.toLocaleString("en-US")} more {heldElsewhere === 1 ? "is" : "are"} open in another of your
            tabs; they come back here when that tab is closed, or after {HOLD_MINUTES} minutes without it.
          </p>
        )}
      </div>
    );
  }
  return (
    <p className="mt-6 text-sm text-stone-600" role="status">
      Loading candidates…
    </p>
  );
}

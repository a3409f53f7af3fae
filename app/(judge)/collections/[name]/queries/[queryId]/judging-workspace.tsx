"use client";

import { useCallback, useState } from "react";
import { useRouter } from "next/navigation";
import {
  applyKeyAction,
  currentPage,
  focusCard,
  focusedCard,
  initialGrid,
  judge,
  markRestNotRelevant,
  receivePage,
  setMode,
  undo,
  unjudgedHere,
  type GridMode,
  type GridStep,
  type StepInputs,
} from "@/lib/judgments/grid-model";
import type { KeyAction } from "@/lib/judgments/keymap";
import type { QueuePage } from "@/lib/judgments/queue";
import type { JudgmentValue } from "@/lib/judgments/values";
import { judgePath } from "@/lib/queries/urls";
import { ConfirmRest, KeyHelp } from "./dialogs";
import { GridToolbar } from "./grid-toolbar";
import { ImageViewer } from "./image-viewer";
import { JudgingCard, type CardSync } from "./judging-card";
import { ProgressBar } from "./progress-bar";
import { QueueState } from "./queue-state";
import { COLUMN_RANGE, useJudgingSettings } from "./settings";
import { useGridFocus } from "./use-grid-focus";
import { useGridKeys } from "./use-grid-keys";
import { useJudgingQueue } from "./use-judging-queue";
import { newClientId, useOutbox } from "./use-outbox";
import { useTimeSpent } from "./use-time-spent";

// The judging grid. Pages of the best unjudged candidates; the keyboard does everything. A judgment
// shows at once and goes into the outbox (stored in this browser first), which sends it when it can;
// the page after this one is fetched, thumbnails included, while this one is judged. What the grid
// holds and how each action changes it is lib/judgments/grid-model.ts; the keys, lib/judgments/keymap.ts.
// This draws it and wires the browser to it.

type Person = { id: string; name: string };

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
  const { outbox, items: outboxItems, status } = useOutbox(userId);
  const [settings, setSettings, settingsReady] = useJudgingSettings();
  const [grid, setGrid] = useState(() => initialGrid(readOnly));
  const { pages, current, focus, judged, mode } = grid;
  const page = currentPage(grid);
  const focused = focusedCard(grid);

  const queue = useJudgingQueue({
    collection,
    queryId,
    annotatorId: annotator.id,
    readOnly,
    pageSize: settings.pageSize,
    grid,
    enabled: settingsReady && current >= pages.length - 1,
    outbox,
  });
  // A fetched page joins the grid in the render that brings it (React's "adjust state when data
  // changes"), not in an effect one render later.
  const [arrived, setArrived] = useState<QueuePage | undefined>(undefined);
  if (queue.next !== arrived) {
    setArrived(queue.next);
    if (queue.next) setGrid(receivePage(grid, queue.next.candidates));
  }

  const takeTimeSpent = useTimeSpent(focused?.imageId);
  const view = useGridFocus(grid);

  const inputs = (): StepInputs => ({
    prefetched: queue.next?.candidates,
    clientId: newClientId,
    timeSpentMs: takeTimeSpent,
  });
  /** Sends a step's writes to the outbox (stored before the key press returns) and shows its state. */
  function apply(step: GridStep | null) {
    if (!step) return;
    for (const w of step.writes) outbox?.add({ collection, queryId, ...w });
    if (step.pageAsked) view.pageAsked();
    setGrid(step.state);
  }

  function setColumns(columns: number) {
    setSettings({ ...settings, columns: Math.min(COLUMN_RANGE[1], Math.max(COLUMN_RANGE[0], columns)) });
  }

  useGridKeys({
    mode,
    readOnly,
    onAction: (action: KeyAction) => {
      if (action === "fewerColumns") setColumns(settings.columns - 1);
      else if (action === "moreColumns") setColumns(settings.columns + 1);
      else apply(applyKeyAction(grid, action, settings.columns, inputs()));
    },
  });
  const toMode = (m: GridMode) => setGrid((g) => setMode(g, m));
  const onSelect = useCallback((i: number) => setGrid((g) => focusCard(g, i)), []);
  const onOpen = useCallback((i: number) => setGrid((g) => focusCard(g, i, "viewer")), []);

  const mine = outboxItems.filter((i) => i.collection === collection && i.queryId === queryId);
  const writeState = new Map(outboxItems.map((i) => [i.clientId, i.state]));
  const syncOf = (imageId: string): CardSync | null => {
    const clientId = grid.lastWrite[imageId];
    if (!clientId) return null;
    const state = writeState.get(clientId);
    if (!state) return "saved";
    return state === "failed" ? "failed" : status.problem ? "waiting" : "saving";
  };
  const unjudged = unjudgedHere(grid).length;

  return (
    <div data-testid="judging-workspace" data-read-only={readOnly}>
      <ProgressBar
        collection={collection}
        queryId={queryId}
        annotatorId={annotator.id}
        outbox={outbox}
        status={status}
        pendingHere={mine.filter((i) => i.state === "pending").length}
      />
      <GridToolbar
        readOnly={readOnly}
        canJudge={!!focused}
        canUndo={grid.undoStack.length > 0}
        unjudgedHere={unjudged}
        onJudge={(value: JudgmentValue) => apply(judge(grid, value, inputs()))}
        onUndo={() => apply(undo(grid, inputs()))}
        onMarkRest={() => toMode("confirm")}
        onHelp={() => toMode("help")}
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
        {pages.length ? ` · ${page.length - unjudged} of ${page.length} judged` : ""}
        {current === pages.length - 1 && queue.nextState ? ` · next page ${queue.nextState}` : ""}
      </p>
      {page.length > 0 && (
        <ul
          aria-label="Candidate images"
          data-testid="judging-grid"
          data-page={current}
          data-drawn={view.drawn}
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
              setRef={view.setRef}
              onSelect={onSelect}
              onOpen={onOpen}
              onDrawn={view.onDrawn}
            />
          ))}
        </ul>
      )}
      <QueueState
        loading={!page.length || grid.wantNext}
        error={queue.error}
        empty={queue.next?.candidates.length === 0}
        heldElsewhere={queue.next?.heldElsewhere ?? 0}
      />
      {mode === "viewer" && focused && (
        <ImageViewer
          collection={collection}
          card={focused}
          value={judged[focused.imageId] ?? null}
          position={`Image ${focus + 1} of ${page.length}, page ${current + 1}`}
          onClose={() => toMode("grid")}
        />
      )}
      {mode === "confirm" && (
        <ConfirmRest
          count={unjudged}
          onConfirm={() => apply(markRestNotRelevant(setMode(grid, "grid"), inputs()))}
          onCancel={() => toMode("grid")}
        />
      )}
      {mode === "help" && <KeyHelp onClose={() => toMode("grid")} />}
    </div>
  );
}

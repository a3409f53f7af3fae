"use client";

import { useCallback, useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { AdjudicationItem } from "@/lib/agreement/adjudication";
import { adjudicationCards, adjudicationOf, toPages, type AdjudicationCard } from "@/lib/agreement/adjudication-grid";
import {
  applyKeyAction,
  currentPage,
  focusCard,
  focusedCard,
  initialGrid,
  setMode,
  type GridMode,
  type GridState,
  type GridStep,
} from "@/lib/judgments/grid-model";
import { ADJUDICATION_MODES, keyHint, type KeyAction } from "@/lib/judgments/keymap";
import { KeyHelp } from "../queries/[queryId]/dialogs";
import { ImageViewer } from "../queries/[queryId]/image-viewer";
import { JudgingCard, type CardSync } from "../queries/[queryId]/judging-card";
import { COLUMN_RANGE, useJudgingSettings } from "../queries/[queryId]/settings";
import { useGridFocus } from "../queries/[queryId]/use-grid-focus";
import { useGridKeys } from "../queries/[queryId]/use-grid-keys";
import { newClientId } from "../queries/[queryId]/use-outbox";
import { JudgmentsList } from "./judgments-list";
import { useAdjudicationWrites } from "./use-adjudication-writes";

// The lead's adjudication grid: the judging grid's model (lib/judgments/grid-model) and cards over the
// open items, every judgment and who made it under each card. r or n gives the final label (the
// keymap's "adjudicate" rows); the item stays on screen (another key changes it) and is gone from
// the queue on the next load.

type Answer = { items: AdjudicationItem[]; total: number };

async function fetchOpen(collection: string, query: string | null): Promise<Answer> {
  const params = new URLSearchParams(query ? { query } : {});
  const res = await fetch(`/api/collections/${encodeURIComponent(collection)}/adjudications?${params}`);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `loading the adjudication queue failed (${res.status})`);
  return body;
}

/** The keymap's mode for the model's: the adjudication grid reads its own rows. */
const keyMode = (mode: GridMode): GridMode => (mode === "grid" ? "adjudicate" : mode);

export function AdjudicationWorkspace({ collection, query }: { collection: string; query: string | null }) {
  const [settings, setSettings, settingsReady] = useJudgingSettings();
  const { data, error } = useQuery({
    queryKey: ["adjudications", collection, query],
    queryFn: () => fetchOpen(collection, query),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const cards = useMemo(() => adjudicationCards(data?.items ?? []), [data]);
  const byKey = useMemo(() => new Map(cards.map((c) => [c.imageId, c])), [cards]);
  const [grid, setGrid] = useState<GridState | null>(null);
  if (data && settingsReady && grid === null) setGrid({ ...initialGrid(), pages: toPages(cards, settings.pageSize) });
  const state = grid ?? initialGrid();
  const page = currentPage(state) as AdjudicationCard[];
  const focused = focusedCard(state) as AdjudicationCard | undefined;
  const view = useGridFocus(state);
  const writes = useAdjudicationWrites(collection);

  function apply(step: GridStep | null) {
    if (!step || !grid) return;
    for (const w of step.writes) {
      const adjudication = adjudicationOf(w, byKey);
      if (adjudication) void writes.send(w.clientId, adjudication);
    }
    if (step.pageAsked) view.pageAsked();
    setGrid(step.state);
  }
  const setColumns = (columns: number) =>
    setSettings({ ...settings, columns: Math.min(COLUMN_RANGE[1], Math.max(COLUMN_RANGE[0], columns)) });

  useGridKeys({
    mode: keyMode(state.mode),
    readOnly: false,
    onAction: (action: KeyAction) => {
      if (action === "fewerColumns") setColumns(settings.columns - 1);
      else if (action === "moreColumns") setColumns(settings.columns + 1);
      else if (action === "unsure" || action === "undo")
        return; // a final label is never unsure; no withdrawing
      else apply(applyKeyAction(state, action, settings.columns, { clientId: newClientId, timeSpentMs: () => 0 }));
    },
  });
  const toMode = (m: GridMode) => setGrid((g) => g && setMode(g, m));
  const onSelect = useCallback((i: number) => setGrid((g) => g && focusCard(g, i)), []);
  const onOpen = useCallback((i: number) => setGrid((g) => g && focusCard(g, i, "viewer")), []);
  const syncOf = (key: string): CardSync | null => {
    const clientId = state.lastWrite[key];
    return clientId ? (writes.states[clientId] ?? "saving") : null;
  };
  const done = Object.keys(state.judged).length;
  const atEnd = state.wantNext && state.current === state.pages.length - 1;

  return (
    <div data-testid="adjudication-workspace">
      <p className="mb-2 text-sm text-stone-700" data-testid="adjudication-position">
        {data ? `${data.total} open` : "Loading…"}
        {state.pages.length > 0 && ` · page ${state.current + 1} of ${state.pages.length} · ${done} adjudicated here`}
        {` · ${keyHint("relevant", "adjudicate")} relevant, ${keyHint("not_relevant", "adjudicate")} not relevant, `}
        {`${keyHint("help", "adjudicate")} all keys`}
      </p>
      {error && (
        <p className="text-sm text-red-700" role="alert">
          {error.message}
        </p>
      )}
      {writes.error && (
        <p className="mb-2 text-sm text-red-700" role="alert" data-testid="adjudication-error">
          Not saved: {writes.error}
        </p>
      )}
      {data && data.items.length === 0 && (
        <div
          className="rounded-xl border border-dashed border-stone-300 bg-white p-8 text-center text-sm text-stone-600"
          data-testid="adjudication-empty"
        >
          Nothing to adjudicate: no disagreement and no unsure judgment is open.
        </div>
      )}
      {page.length > 0 && (
        <ul
          aria-label="Items to adjudicate"
          data-testid="judging-grid"
          data-page={state.current}
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
              value={state.judged[card.imageId] ?? null}
              sync={syncOf(card.imageId)}
              focused={i === state.focus}
              readOnly={false}
              setRef={view.setRef}
              onSelect={onSelect}
              onOpen={onOpen}
              onDrawn={view.onDrawn}
              thumbnailId={card.image}
              emptyLabel="Not adjudicated yet"
              details={<JudgmentsList item={card.item} showQuery={!query} />}
            />
          ))}
        </ul>
      )}
      {atEnd && (
        <p className="mt-4 text-sm text-stone-600" data-testid="adjudication-end">
          That was the last open item loaded. Reload the page for any that opened since.
        </p>
      )}
      {state.mode === "viewer" && focused && (
        <ImageViewer
          collection={collection}
          card={{ ...focused, imageId: focused.image }}
          value={state.judged[focused.imageId] ?? null}
          position={`Item ${state.focus + 1} of ${page.length}, page ${state.current + 1}`}
          onClose={() => toMode("grid")}
          values={["relevant", "not_relevant"]}
        >
          <JudgmentsList item={focused.item} showQuery />
        </ImageViewer>
      )}
      {state.mode === "help" && <KeyHelp modes={ADJUDICATION_MODES} onClose={() => toMode("grid")} />}
    </div>
  );
}

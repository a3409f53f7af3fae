import type { GridMode, KeyAction } from "./keymap";
import type { QueueCandidate } from "./queue";
import type { JudgmentValue } from "./values";

// The judging grid without React: the pages it holds, which card has the focus, what each image was
// judged here, the undo steps, and what has the keyboard. Every change is a plain function from one
// state to the next; the component draws the state, sends the writes a step returns to the outbox,
// and fetches the page after the last one held (handing it to receivePage). Audit and adjudication
// grids are meant to reuse it.

export type { GridMode } from "./keymap";

/** One undo step: the judgments it changed and what each was before (null: not judged). */
export type UndoEntry = {
  page: number;
  changes: { imageId: string; before: JudgmentValue | null; source: string }[];
};

export type GridState = {
  /** read-only: a lead looking at another annotator's queue; nothing is judged or undone */
  readOnly: boolean;
  pages: QueueCandidate[][];
  current: number;
  focus: number;
  /** what this grid has judged (imageId -> value) */
  judged: Record<string, JudgmentValue>;
  /** imageId -> client id of its latest write, to show whether that write reached the server */
  lastWrite: Record<string, string>;
  undoStack: UndoEntry[];
  mode: GridMode;
  /** the next page was asked for before it had arrived: show it as soon as it does */
  wantNext: boolean;
};

/** A judgment (or its withdrawal, value null) for the outbox. */
export type GridWrite = {
  clientId: string;
  imageId: string;
  value: JudgmentValue | null;
  source: string;
  timeSpentMs: number;
};

/** What a step needs from outside: the page fetched ahead, fresh client ids, the time spent on an image. */
export type StepInputs = {
  /** the page after the last one held, fetched ahead (undefined: not here yet) */
  prefetched?: QueueCandidate[];
  clientId: () => string;
  /** the time spent on an image so far, taken (the next call for it starts from 0) */
  timeSpentMs: (imageId: string) => number;
};

/** The next state, the writes to send, and whether another page was asked for (page-drawn timing starts). */
export type GridStep = { state: GridState; writes: GridWrite[]; pageAsked: boolean };

const UNDO_LIMIT = 500;

export function initialGrid(readOnly = false): GridState {
  return {
    readOnly,
    pages: [],
    current: 0,
    focus: 0,
    judged: {},
    lastWrite: {},
    undoStack: [],
    mode: "grid",
    wantNext: false,
  };
}

const NO_CARDS: QueueCandidate[] = []; // one empty page, so "no page yet" is the same value every render
export const currentPage = (s: GridState): QueueCandidate[] => s.pages[s.current] ?? NO_CARDS;
export const focusedCard = (s: GridState): QueueCandidate | undefined => currentPage(s)[s.focus];
export const unjudgedHere = (s: GridState): QueueCandidate[] => currentPage(s).filter((c) => !s.judged[c.imageId]);
/** Every image this grid holds: the server is told to leave them out of the next page. */
export const heldImageIds = (s: GridState): string[] => s.pages.flat().map((c) => c.imageId);

const still = (state: GridState): GridStep => ({ state, writes: [], pageAsked: false });

/** The next unjudged card after `from` on the current page (wrapping round), or -1 when the page is done. */
function nextUnjudged(s: GridState, from: number): number {
  const page = currentPage(s);
  for (let k = 1; k <= page.length; k++) {
    const i = (from + k) % page.length;
    if (!s.judged[page[i].imageId]) return i;
  }
  return -1;
}

function withWrites(s: GridState, writes: GridWrite[], undo: UndoEntry | null): GridState {
  const judged = { ...s.judged };
  const lastWrite = { ...s.lastWrite };
  for (const w of writes) {
    if (w.value) judged[w.imageId] = w.value;
    else delete judged[w.imageId];
    lastWrite[w.imageId] = w.clientId;
  }
  const undoStack = undo ? [...s.undoStack.slice(-(UNDO_LIMIT - 1)), undo] : s.undoStack;
  return { ...s, judged, lastWrite, undoStack };
}

/**
 * Shows page `index`: one already held (focus on its first unjudged card), the one fetched ahead, or,
 * when that has not arrived, waits for it (wantNext).
 */
export function goToPage(s: GridState, index: number, prefetched?: QueueCandidate[]): GridStep {
  if (index < 0) return still(s);
  let state: GridState;
  if (index < s.pages.length) {
    const first = s.pages[index].findIndex((c) => !s.judged[c.imageId]);
    state = { ...s, current: index, focus: Math.max(0, first), wantNext: false };
  } else if (index === s.pages.length && prefetched?.length) {
    state = { ...s, pages: [...s.pages, prefetched], current: index, focus: 0, wantNext: false };
  } else state = { ...s, wantNext: true };
  return { state, writes: [], pageAsked: true };
}

/** A fetched page arrived: it is shown if it is the first, or if the grid is waiting for it. */
export function receivePage(s: GridState, candidates: QueueCandidate[]): GridState {
  if (!candidates.length) return s;
  if (s.pages.length > 0 && !(s.wantNext && s.current === s.pages.length - 1)) return s;
  return { ...s, pages: [...s.pages, candidates], current: s.pages.length, focus: 0, wantNext: false };
}

/** Judges the focused card and moves to the next unjudged one, or to the next page when this one is done. */
export function judge(s: GridState, value: JudgmentValue, inputs: StepInputs): GridStep {
  const card = focusedCard(s);
  if (s.readOnly || !card) return still(s);
  const before = s.judged[card.imageId] ?? null;
  let state = s;
  const writes: GridWrite[] = [];
  if (before !== value) {
    const write = {
      clientId: inputs.clientId(),
      imageId: card.imageId,
      value,
      source: card.source,
      timeSpentMs: inputs.timeSpentMs(card.imageId),
    };
    writes.push(write);
    state = withWrites(s, writes, {
      page: s.current,
      changes: [{ imageId: card.imageId, before, source: card.source }],
    });
  }
  const i = nextUnjudged(state, state.focus);
  if (i >= 0) return { state: { ...state, focus: i }, writes, pageAsked: false };
  return { ...goToPage(state, state.current + 1, inputs.prefetched), writes };
}

/** Marks every unjudged card of this page not relevant (one undo step) and goes to the next page. */
export function markRestNotRelevant(s: GridState, inputs: StepInputs): GridStep {
  const rest = unjudgedHere(s);
  if (s.readOnly || rest.length === 0) return still(s);
  const writes = rest.map((c) => ({
    clientId: inputs.clientId(),
    imageId: c.imageId,
    value: "not_relevant" as const,
    source: c.source,
    timeSpentMs: inputs.timeSpentMs(c.imageId),
  }));
  const undo = { page: s.current, changes: rest.map((c) => ({ imageId: c.imageId, before: null, source: c.source })) };
  return { ...goToPage(withWrites(s, writes, undo), s.current + 1, inputs.prefetched), writes };
}

/** Puts back what the last step changed, on the page it was made on, with the focus on its (first) image. */
export function undo(s: GridState, inputs: Pick<StepInputs, "clientId">): GridStep {
  const entry = s.undoStack.at(-1);
  if (s.readOnly || !entry) return still(s);
  const writes = entry.changes.map((ch) => ({
    clientId: inputs.clientId(),
    imageId: ch.imageId,
    value: ch.before,
    source: ch.source,
    timeSpentMs: 0,
  }));
  const undone = withWrites(s, writes, null);
  const focus = s.pages[entry.page].findIndex((c) => c.imageId === entry.changes[0].imageId);
  const state = {
    ...undone,
    undoStack: s.undoStack.slice(0, -1),
    wantNext: false,
    current: entry.page,
    focus: Math.max(0, focus),
  };
  return { state, writes, pageAsked: entry.page !== s.current };
}

/** Moves the focus by `delta` cards, stopping at the page's first and last. */
export function moveFocus(s: GridState, delta: number): GridState {
  const length = currentPage(s).length;
  const focus = Math.min(length - 1, Math.max(0, s.focus + delta));
  return !length || focus === s.focus ? s : { ...s, focus };
}

/** A card clicked (mode "grid") or double-clicked (mode "viewer"). */
export function focusCard(s: GridState, index: number, mode: GridMode = "grid"): GridState {
  return { ...s, focus: index, mode };
}

export function setMode(s: GridState, mode: GridMode): GridState {
  return s.mode === mode ? s : { ...s, mode };
}

/**
 * What a key's action does to the grid, in the mode it was pressed in (actions come from the keymap's
 * actionFor, so only the mode's own arrive). Column changes are the grid's settings, not its state:
 * they return null.
 */
export function applyKeyAction(s: GridState, action: KeyAction, columns: number, inputs: StepInputs): GridStep | null {
  switch (action) {
    case "left":
      return still(moveFocus(s, -1));
    case "right":
      return still(moveFocus(s, 1));
    case "up":
      return still(moveFocus(s, -columns));
    case "down":
      return still(moveFocus(s, columns));
    case "relevant":
    case "not_relevant":
    case "unsure":
      // in the full image too: it judges that image, closes and moves on (read-only, the view stays)
      return s.readOnly ? still(s) : judge(setMode(s, "grid"), action, inputs);
    case "undo":
      return undo(s, inputs);
    case "open":
      return still(focusedCard(s) ? setMode(s, "viewer") : s);
    case "markRest":
      return still(!s.readOnly && unjudgedHere(s).length ? setMode(s, "confirm") : s);
    case "confirm":
      return markRestNotRelevant(setMode(s, "grid"), inputs);
    case "help":
      return still(setMode(s, "help"));
    case "close":
    case "cancel":
      return still(setMode(s, "grid"));
    case "previousPage":
      return goToPage(s, s.current - 1, inputs.prefetched);
    case "nextPage":
      return goToPage(s, s.current + 1, inputs.prefetched);
    default:
      return null;
  }
}

import { JUDGMENT_VALUES, type JudgmentValue } from "./values";

// The judging grid's keys: one table of (keys, action, where, description) that the grid's key
// handler, the key list behind `?`, the hints on buttons and the browser tests all read. Free of
// React and the DOM, so Node tests import it too.

/**
 * What has the keyboard: the grid itself, the full image, the "mark the rest?" question, the key list;
 * "adjudicate" is the lead's adjudication grid (its model's mode is "grid"; the page reads its keys here).
 */
export type GridMode = "grid" | "viewer" | "confirm" | "help" | "adjudicate";

/** The modes of the judging grid and of the adjudication grid (each one's key list shows these). */
export const JUDGING_MODES: readonly GridMode[] = ["grid", "viewer", "confirm", "help"];
export const ADJUDICATION_MODES: readonly GridMode[] = ["adjudicate", "viewer", "help"];

export type KeyAction =
  | "left"
  | "right"
  | "up"
  | "down"
  | JudgmentValue
  | "undo"
  | "open"
  | "markRest"
  | "previousPage"
  | "nextPage"
  | "fewerColumns"
  | "moreColumns"
  | "help"
  | "close"
  | "confirm"
  | "cancel";

export type KeyBinding = {
  /** KeyboardEvent.key values (letters in lower case); Playwright's key names are the same */
  keys: readonly string[];
  action: KeyAction;
  modes: readonly GridMode[];
  description: string;
};

const GRID_AND_VIEWER: readonly GridMode[] = ["grid", "viewer"];
const BOTH_GRIDS: readonly GridMode[] = ["grid", "adjudicate"];

export const KEYMAP: readonly KeyBinding[] = [
  {
    keys: ["ArrowLeft", "h"],
    action: "left",
    modes: [...GRID_AND_VIEWER, "adjudicate"],
    description: "previous image",
  },
  { keys: ["ArrowRight", "l"], action: "right", modes: [...GRID_AND_VIEWER, "adjudicate"], description: "next image" },
  { keys: ["ArrowUp", "k"], action: "up", modes: BOTH_GRIDS, description: "image above" },
  { keys: ["ArrowDown", "j"], action: "down", modes: BOTH_GRIDS, description: "image below" },
  { keys: ["r", "1"], action: "relevant", modes: GRID_AND_VIEWER, description: "relevant" },
  { keys: ["n", "0"], action: "not_relevant", modes: GRID_AND_VIEWER, description: "not relevant" },
  { keys: ["u"], action: "unsure", modes: GRID_AND_VIEWER, description: "unsure" },
  { keys: ["z"], action: "undo", modes: ["grid"], description: "undo the last judgment (again for earlier ones)" },
  // the lead's adjudication: the final label, never "unsure" (lib/agreement/adjudication.ts)
  { keys: ["r", "1"], action: "relevant", modes: ["adjudicate"], description: "final label: relevant" },
  { keys: ["n", "0"], action: "not_relevant", modes: ["adjudicate"], description: "final label: not relevant" },
  {
    keys: [" ", "Enter"],
    action: "open",
    modes: BOTH_GRIDS,
    description: "open the full image with its metadata and taxonomy",
  },
  {
    keys: ["a"],
    action: "markRest",
    modes: ["grid"],
    description: "mark the rest of this page not relevant (asks first)",
  },
  { keys: ["["], action: "previousPage", modes: BOTH_GRIDS, description: "previous page" },
  { keys: ["]"], action: "nextPage", modes: BOTH_GRIDS, description: "next page" },
  { keys: ["+", "="], action: "fewerColumns", modes: BOTH_GRIDS, description: "larger thumbnails (fewer columns)" },
  { keys: ["-"], action: "moreColumns", modes: BOTH_GRIDS, description: "smaller thumbnails (more columns)" },
  { keys: ["?"], action: "help", modes: BOTH_GRIDS, description: "show these keys" },
  { keys: ["Escape", " ", "Enter"], action: "close", modes: ["viewer"], description: "close the full image" },
  { keys: ["Enter", "y"], action: "confirm", modes: ["confirm"], description: "yes, mark them not relevant" },
  { keys: ["Escape", "n"], action: "cancel", modes: ["confirm"], description: "no, leave them as they are" },
  { keys: ["Escape", "?"], action: "close", modes: ["help"], description: "close this list" },
];

/** The parts of a KeyboardEvent that decide its action. */
export type KeyPress = { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean };

/** The action a key press means in `mode`, or null: not ours (with a modifier, the browser's own shortcuts). */
export function actionFor(press: KeyPress, mode: GridMode): KeyAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey) return null;
  // Caps Lock or Shift on a letter still judges; Shift is how "?" and "+" are typed anyway
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  return KEYMAP.find((b) => b.modes.includes(mode) && b.keys.includes(key))?.action ?? null;
}

/** The keys bound to `action` in `mode`, the main one first. */
export function keysFor(action: KeyAction, mode: GridMode = "grid"): string[] {
  const binding = KEYMAP.find((b) => b.action === action && b.modes.includes(mode));
  if (!binding) throw new Error(`no key for ${action} in ${mode}`);
  return [...binding.keys];
}

export const isJudgment = (action: KeyAction): action is JudgmentValue =>
  (JUDGMENT_VALUES as readonly string[]).includes(action);

export const isMove = (action: KeyAction): boolean =>
  action === "left" || action === "right" || action === "up" || action === "down";

/** Every judging key and the judgment it makes, for code that presses them (the browser tests, bench). */
export function judgingKeys(): Record<string, JudgmentValue> {
  const keys: Record<string, JudgmentValue> = {};
  for (const { action, keys: bound } of KEYMAP) if (isJudgment(action)) for (const k of bound) keys[k] = action;
  return keys;
}

const KEY_LABELS: Record<string, string> = {
  " ": "Space",
  Escape: "Esc",
  ArrowLeft: "←",
  ArrowRight: "→",
  ArrowUp: "↑",
  ArrowDown: "↓",
  "-": "−",
};

/** How a key is written on screen. */
export function keyLabel(key: string): string {
  return KEY_LABELS[key] ?? key;
}

/** The main key for `action`, as written on screen (for a button's hint). */
export function keyHint(action: KeyAction, mode: GridMode = "grid"): string {
  return keyLabel(keysFor(action, mode)[0]);
}

export const MODE_TITLES: Record<GridMode, string> = {
  grid: "In the grid",
  viewer: "In the full image",
  confirm: "When asked to mark the rest",
  help: "In this list",
  adjudicate: "In the adjudication grid",
};

export type HelpRow = { keys: string[]; description: string };

/**
 * The key list behind `?`: each mode's bindings (every mode, or the grid's own: JUDGING_MODES,
 * ADJUDICATION_MODES), in table order, with the keys as written on screen.
 */
export function helpSections(
  modes: readonly GridMode[] = Object.keys(MODE_TITLES) as GridMode[],
): { mode: GridMode; title: string; rows: HelpRow[] }[] {
  return modes.map((mode) => ({
    mode,
    title: MODE_TITLES[mode],
    rows: KEYMAP.filter((b) => b.modes.includes(mode)).map((b) => ({
      keys: b.keys.map(keyLabel),
      description: b.description,
    })),
  }));
}

"use client";

import { useSyncExternalStore } from "react";

// Grid size, kept per browser: how many columns, and how many images a page holds. localStorage is
// the store; the server render (and hydration) has none, so it says "not ready" and the first page waits.

export const COLUMN_RANGE = [2, 12] as const;
export const PAGE_SIZES = [20, 40, 60, 100] as const;
export type JudgingSettings = { columns: number; pageSize: number };

const KEY = "fieldmark:judging-settings:v1";
const DEFAULTS: JudgingSettings = { columns: 6, pageSize: 60 };

function parse(raw: string | null): JudgingSettings {
  try {
    const s = JSON.parse(raw ?? "{}");
    const columns =
      Number.isInteger(s.columns) && s.columns >= COLUMN_RANGE[0] && s.columns <= COLUMN_RANGE[1]
        ? s.columns
        : DEFAULTS.columns;
    const pageSize = (PAGE_SIZES as readonly number[]).includes(s.pageSize) ? s.pageSize : DEFAULTS.pageSize;
    return { columns, pageSize };
  } catch {
    return DEFAULTS;
  }
}

// The last value read, so the snapshot stays the same object while localStorage holds the same text.
let last: { raw: string | null; settings: JudgingSettings } | null = null;
const listeners = new Set<() => void>();

function read(): JudgingSettings {
  let raw: string | null;
  try {
    raw = localStorage.getItem(KEY);
  } catch {
    return DEFAULTS; // storage switched off in this browser
  }
  if (last?.raw !== raw) last = { raw, settings: parse(raw) };
  return last.settings;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function save(s: JudgingSettings) {
  localStorage.setItem(KEY, JSON.stringify(s));
  for (const l of listeners) l();
}

/** [settings, set, ready]: ready once read from this browser (the first page waits for it). */
export function useJudgingSettings(): [JudgingSettings, (s: JudgingSettings) => void, boolean] {
  const stored = useSyncExternalStore(subscribe, read, () => null);
  return [stored ?? DEFAULTS, save, stored !== null];
}

"use client";

import { useEffect, useState } from "react";

// Grid size, kept per browser: how many columns, and how many images a page holds.

export const COLUMN_RANGE = [2, 12] as const;
export const PAGE_SIZES = [20, 40, 60, 100] as const;
export type JudgingSettings = { columns: number; pageSize: number };

const KEY = "fieldmark:judging-settings:v1";
const DEFAULTS: JudgingSettings = { columns: 6, pageSize: 60 };

function load(): JudgingSettings {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? "{}");
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

/** [settings, set, ready]: ready once read from this browser (the first page waits for it). */
export function useJudgingSettings(): [JudgingSettings, (s: JudgingSettings) => void, boolean] {
  const [settings, setState] = useState<JudgingSettings>(DEFAULTS);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    setState(load());
    setReady(true);
  }, []);
  const set = (s: JudgingSettings) => {
    setState(s);
    localStorage.setItem(KEY, JSON.stringify(s));
  };
  return [settings, set, ready];
}

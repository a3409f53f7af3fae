"use client";

import { useEffect, useEffectEvent } from "react";
import { actionFor, isJudgment, isMove, type GridMode, type KeyAction } from "@/lib/judgments/keymap";
import { KEY_MARK } from "./use-grid-focus";

// The keyboard, wired to the keymap: which key presses are the grid's (not a text field's, not a
// toolbar button's), and the performance mark a judging or moving key leaves for bench/label.

const TEXT_FIELDS = "input, textarea, select, [contenteditable=true]";

export function useGridKeys(opts: { mode: GridMode; readOnly: boolean; onAction: (action: KeyAction) => void }) {
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    const { mode, readOnly } = opts;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement;
    if (target.closest?.(TEXT_FIELDS)) return;
    const action = actionFor(e, mode);
    // Space and Enter on a toolbar button press that button; on a card (or nowhere) they open the image
    if (action === "open" && target.closest?.("button, a") && !target.closest("[data-image-id]")) return;
    performance.clearMarks(KEY_MARK);
    if (mode === "confirm") e.preventDefault(); // the question takes every key while it is asked
    if (!action) return;
    e.preventDefault();
    // from the key event itself; a move inside the full image moves no focus, so it is not timed
    if (isJudgment(action) ? !readOnly : isMove(action) && mode === "grid")
      performance.mark(KEY_MARK, { startTime: e.timeStamp });
    opts.onAction(action);
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}

"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { currentPage, type GridState } from "@/lib/judgments/grid-model";

// The browser's focus follows the model's, and the grid leaves performance marks for bench/label:
// from a key press to the next card holding the focus, and from a page asked for to its last
// thumbnail drawn.

export const KEY_MARK = "fieldmark:key";
const PAGE_MARK = "fieldmark:page-shown";

export function useGridFocus(grid: GridState) {
  const { focus, current, pages, mode } = grid;
  const page = currentPage(grid);
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

  /** When the page on screen was asked for (a key press, a click), so "page drawn" counts from there. */
  const pageAskedAt = useRef<number | null>(null);
  const pageAsked = useCallback(() => {
    pageAskedAt.current = performance.now();
  }, []);

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

  return { setRef, onDrawn, pageAsked, drawn: drawnPage === current };
}

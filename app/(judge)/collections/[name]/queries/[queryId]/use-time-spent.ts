"use client";

import { useEffect, useRef } from "react";

// Time spent on each image: the time its card holds the focus while the tab is visible, summed over
// every visit, and taken (reset) when the image is judged.

/** Returns takeTimeSpent(imageId): the milliseconds spent on it so far, after which it starts from 0. */
export function useTimeSpent(focusedId: string | undefined): (imageId: string) => number {
  const spent = useRef(new Map<string, number>());
  const focusSince = useRef<number | null>(null);
  const bank = (imageId: string | undefined) => {
    if (imageId && focusSince.current !== null)
      spent.current.set(imageId, (spent.current.get(imageId) ?? 0) + performance.now() - focusSince.current);
    focusSince.current = document.visibilityState === "visible" ? performance.now() : null;
  };
  useEffect(() => {
    focusSince.current = performance.now();
    const onVisibility = () => bank(focusedId);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      bank(focusedId);
    };
  }, [focusedId]);
  return (imageId) => {
    if (imageId === focusedId) bank(imageId);
    const ms = spent.current.get(imageId) ?? 0;
    spent.current.delete(imageId);
    return Math.round(ms);
  };
}

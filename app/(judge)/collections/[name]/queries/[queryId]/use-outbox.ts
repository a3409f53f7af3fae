"use client";

import { useEffect, useSyncExternalStore } from "react";
import {
  httpSender,
  JudgmentOutbox,
  localStorageOutbox,
  type OutboxItem,
  type OutboxStatus,
} from "@/lib/judgments/outbox";

// One outbox per signed-in user per tab, shared by every grid the tab shows, so writes left from an
// earlier page load (or another query) go out first, in order.

const outboxes = new Map<string, JudgmentOutbox>();

function outboxFor(userId: string): JudgmentOutbox | null {
  if (typeof window === "undefined") return null; // server render: nothing to send from there
  let outbox = outboxes.get(userId);
  if (!outbox) {
    outbox = new JudgmentOutbox(localStorageOutbox(userId), httpSender());
    outboxes.set(userId, outbox);
  }
  return outbox;
}

const EMPTY: { items: OutboxItem[]; status: OutboxStatus } = {
  items: [],
  status: { pending: 0, failed: 0, sending: false, problem: null, retryAt: null },
};
const noSubscription = () => () => {};

export function useOutbox(userId: string) {
  const outbox = outboxFor(userId);
  const snapshot = useSyncExternalStore(
    outbox?.subscribe ?? noSubscription,
    outbox?.getSnapshot ?? (() => EMPTY),
    () => EMPTY,
  );
  useEffect(() => {
    if (!outbox) return;
    outbox.wake(); // send what an earlier page load left behind
    const wake = () => outbox.wake();
    const onVisible = () => {
      if (document.visibilityState === "visible") outbox.wake();
    };
    window.addEventListener("online", wake);
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.removeEventListener("online", wake);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [outbox]);
  return { outbox, items: snapshot.items, status: snapshot.status };
}

/** A client id for a write: random, and made without crypto.randomUUID, which plain-http LAN pages lack. */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

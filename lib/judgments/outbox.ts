import type { JudgmentValue, JudgmentWriteInput, WriteResult } from "./values";

// The browser's retry queue for judgment writes: the guarantee that no judgment is lost. Each write
// is stored (localStorage, synchronously, before the key press returns) and stays until the server
// has acknowledged it; a write the server refuses stays too, marked failed with the reason, until the
// expert retries or discards it. Writes go out in order, one request at a time, in batches; the
// server applies each clientId once, so a batch resent after a lost answer changes nothing.
// Free of React and of server code; the grid subscribes to it.

export type OutboxTarget = { collection: string; queryId: string };

export type OutboxItem = OutboxTarget & {
  clientId: string;
  imageId: string;
  value: JudgmentValue | null;
  source: string | null;
  timeSpentMs: number | null;
  queuedAt: number;
  state: "pending" | "failed";
  error?: string;
};

export type OutboxStatus = {
  pending: number;
  failed: number;
  sending: boolean;
  /** why sending is held up (offline, server error, signed out), while it retries */
  problem: string | null;
  retryAt: number | null;
};

export type SendOutcome =
  | { kind: "results"; results: WriteResult[] }
  /** the server refused the whole batch for good (bad request, query gone) */
  | { kind: "refused"; error: string }
  /** signed out or session expired: keep everything, try again later */
  | { kind: "unauthorized"; error: string }
  /** network down, server error, overloaded: try again soon */
  | { kind: "unavailable"; error: string };

export type SendBatch = (target: OutboxTarget, writes: JudgmentWriteInput[]) => Promise<SendOutcome>;

export interface OutboxStorage {
  load(): OutboxItem[];
  save(items: OutboxItem[]): void;
}

export const BATCH_SIZE = 100;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 8_000;
const SIGNED_OUT_RETRY_MS = 15_000;

/** localStorage under one key per user, so two accounts in one browser never send each other's work. */
export function localStorageOutbox(userId: string): OutboxStorage {
  const key = `fieldmark:judgment-outbox:v1:${userId}`;
  return {
    load: () => {
      try {
        const parsed = JSON.parse(localStorage.getItem(key) ?? "[]");
        return Array.isArray(parsed) ? parsed : [];
      } catch {
        return [];
      }
    },
    save: (items) => {
      if (items.length === 0) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(items));
    },
  };
}

export function memoryOutbox(initial: OutboxItem[] = []): OutboxStorage & { items: OutboxItem[] } {
  const store = {
    items: [...initial],
    load: () => store.items.map((i) => ({ ...i })),
    save: (items: OutboxItem[]) => {
      store.items = items.map((i) => ({ ...i }));
    },
  };
  return store;
}

/** POSTs a batch to the query's judgments endpoint and sorts the answer into a SendOutcome. */
export function httpSender(fetchImpl: typeof fetch = (...args) => fetch(...args)): SendBatch {
  return async (target, writes) => {
    const url = `/api/collections/${encodeURIComponent(target.collection)}/queries/${encodeURIComponent(target.queryId)}/judgments`;
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ writes }),
      });
    } catch {
      return { kind: "unavailable", error: "No connection to the server" };
    }
    const body = await res.json().catch(() => null);
    const error = typeof body?.error === "string" ? body.error : `The server answered ${res.status}`;
    if (res.ok && Array.isArray(body?.results)) return { kind: "results", results: body.results };
    if (res.status === 401 || res.status === 403) return { kind: "unauthorized", error };
    if (res.status === 408 || res.status === 429 || res.status >= 500 || res.ok) return { kind: "unavailable", error };
    return { kind: "refused", error };
  };
}

const sameTarget = (a: OutboxTarget, b: OutboxTarget) => a.collection === b.collection && a.queryId === b.queryId;

export class JudgmentOutbox {
  private listeners = new Set<() => void>();
  private ackListeners = new Set<(target: OutboxTarget, acked: OutboxItem[]) => void>();
  private sending = false;
  private problem: string | null = null;
  private retryAt: number | null = null;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private snapshot: { items: OutboxItem[]; status: OutboxStatus };

  constructor(
    private readonly storage: OutboxStorage,
    private readonly send: SendBatch,
  ) {
    this.snapshot = this.makeSnapshot();
  }

  /** Stable between changes, for useSyncExternalStore. */
  getSnapshot = () => this.snapshot;

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Called with each batch of writes the server acknowledged (to refresh progress, say). */
  onAcknowledged(listener: (target: OutboxTarget, acked: OutboxItem[]) => void): () => void {
    this.ackListeners.add(listener);
    return () => {
      this.ackListeners.delete(listener);
    };
  }

  /** Stores the write before anything else happens, then sends it as soon as it can. */
  add(write: Omit<OutboxItem, "state" | "queuedAt" | "error">): void {
    this.update((items) => [...items, { ...write, state: "pending", queuedAt: Date.now() }]);
    this.schedule(0);
  }

  retryFailed(): void {
    this.update((items) =>
      items.map(({ error: _e, ...i }) => (i.state === "failed" ? { ...i, state: "pending" as const } : i)),
    );
    this.failures = 0;
    this.schedule(0);
  }

  discardFailed(): void {
    this.update((items) => items.filter((i) => i.state !== "failed"));
  }

  /** Sends now, skipping any wait (the browser came back online, the tab became visible). */
  wake(): void {
    if (this.stopped) return;
    this.failures = 0;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Sends every pending write, batch after batch, until none is left or the server cannot be reached. */
  async flush(): Promise<void> {
    if (this.sending || this.stopped) return;
    this.sending = true;
    this.emit();
    try {
      for (;;) {
        const pending = this.storage.load().filter((i) => i.state === "pending");
        if (pending.length === 0) {
          this.problem = null;
          this.retryAt = null;
          this.failures = 0;
          return;
        }
        const target = { collection: pending[0].collection, queryId: pending[0].queryId };
        const batch = pending.filter((i) => sameTarget(i, target)).slice(0, BATCH_SIZE);
        const outcome = await this.send(
          target,
          batch.map(({ clientId, imageId, value, source, timeSpentMs }) => ({
            clientId,
            imageId,
            value,
            source,
            timeSpentMs,
          })),
        );
        if (this.stopped) return;
        if (outcome.kind === "unavailable" || outcome.kind === "unauthorized") {
          this.failures += 1;
          const wait =
            outcome.kind === "unauthorized"
              ? SIGNED_OUT_RETRY_MS
              : Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.failures - 1));
          this.problem =
            outcome.kind === "unauthorized"
              ? `Signed out (${outcome.error}): sign in again; your judgments are kept in this browser`
              : outcome.error;
          this.retryAt = Date.now() + wait;
          this.schedule(wait);
          return;
        }
        this.failures = 0;
        this.problem = null;
        this.retryAt = null;
        const verdict = new Map<string, string | null>(); // clientId -> error, or null when acknowledged
        if (outcome.kind === "refused") for (const i of batch) verdict.set(i.clientId, outcome.error);
        else for (const r of outcome.results) verdict.set(r.clientId, r.status === "rejected" ? r.error : null);
        const acked = batch.filter((i) => verdict.get(i.clientId) === null);
        this.update((items) =>
          items
            .filter((i) => verdict.get(i.clientId) !== null || !batch.some((b) => b.clientId === i.clientId))
            .map((i) =>
              verdict.get(i.clientId) ? { ...i, state: "failed" as const, error: verdict.get(i.clientId)! } : i,
            ),
        );
        if (acked.length) for (const l of this.ackListeners) l(target, acked);
      }
    } finally {
      this.sending = false;
      this.emit();
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  private update(change: (items: OutboxItem[]) => OutboxItem[]): void {
    // Read-modify-write on storage each time: another tab of the same user may have changed it.
    this.storage.save(change(this.storage.load()));
    this.emit();
  }

  private makeSnapshot() {
    const items = this.storage.load();
    return {
      items,
      status: {
        pending: items.filter((i) => i.state === "pending").length,
        failed: items.filter((i) => i.state === "failed").length,
        sending: this.sending,
        problem: this.problem,
        retryAt: this.retryAt,
      },
    };
  }

  private emit(): void {
    this.snapshot = this.makeSnapshot();
    for (const l of this.listeners) l();
  }
}

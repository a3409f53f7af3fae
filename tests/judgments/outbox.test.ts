import { describe, expect, it } from "vitest";
import {
  JudgmentOutbox,
  memoryOutbox,
  type OutboxItem,
  type SendBatch,
  type SendOutcome,
} from "@/lib/judgments/outbox";
import type { JudgmentValue, JudgmentWriteInput } from "@/lib/judgments/values";

// The browser's retry queue, without a browser: storage in memory, the server a function.

const target = { collection: "garden-survey", queryId: "7" };
let n = 0;
const item = (imageId: string, value: JudgmentValue | null, queryId = "7") => ({
  ...target,
  queryId,
  clientId: `client-${++n}-${imageId}`,
  imageId,
  value,
  source: "text-image",
  timeSpentMs: 900,
});

/** A fake server: records batches, applies each clientId once, answers with `answer` when given. */
function fakeServer(answer?: (writes: JudgmentWriteInput[], call: number) => SendOutcome | undefined) {
  const seen = new Set<string>();
  const batches: { queryId: string; clientIds: string[] }[] = [];
  const send: SendBatch = async (t, writes) => {
    batches.push({ queryId: t.queryId, clientIds: writes.map((w) => w.clientId) });
    const custom = answer?.(writes, batches.length);
    if (custom) return custom;
    return {
      kind: "results",
      results: writes.map((w) => {
        const status = seen.has(w.clientId) ? ("duplicate" as const) : ("saved" as const);
        seen.add(w.clientId);
        return { clientId: w.clientId, status };
      }),
    };
  };
  return { send, batches, seen };
}

const settle = async (outbox: JudgmentOutbox, ms = 30) => {
  await new Promise((r) => setTimeout(r, ms));
  await outbox.flush();
};

describe("the judgment outbox", () => {
  it("stores each write before sending, sends in order, and forgets it once acknowledged", async () => {
    const storage = memoryOutbox();
    const server = fakeServer();
    const acked: string[] = [];
    const outbox = new JudgmentOutbox(storage, server.send);
    outbox.onAcknowledged((_t, items) => acked.push(...items.map((i) => i.imageId)));
    const writes = ["a", "b", "c"].map((id) => item(id, "relevant"));
    for (const w of writes) outbox.add(w);
    expect(storage.items.map((i) => i.clientId)).toEqual(writes.map((w) => w.clientId)); // stored at once
    expect(outbox.getSnapshot().status.pending).toBe(3);
    await settle(outbox);
    expect(server.batches.flatMap((b) => b.clientIds)).toEqual(writes.map((w) => w.clientId));
    expect(acked).toEqual(["a", "b", "c"]);
    expect(storage.items).toEqual([]);
    expect(outbox.getSnapshot().status).toEqual({
      pending: 0,
      failed: 0,
      sending: false,
      problem: null,
      retryAt: null,
    });
    outbox.stop();
  });

  it("keeps everything while the server is away and sends it, once, when it is back", async () => {
    const storage = memoryOutbox();
    let down = true;
    const server = fakeServer(() => (down ? { kind: "unavailable", error: "No connection to the server" } : undefined));
    const outbox = new JudgmentOutbox(storage, server.send);
    for (const id of ["a", "b", "c", "d"]) outbox.add(item(id, "not_relevant"));
    await settle(outbox);
    expect(storage.items).toHaveLength(4);
    const status = outbox.getSnapshot().status;
    expect(status.problem).toBe("No connection to the server");
    expect(status.retryAt).toBeGreaterThan(Date.now());
    down = false;
    outbox.wake();
    await settle(outbox);
    expect(storage.items).toEqual([]);
    expect(server.seen.size).toBe(4);
    outbox.stop();
  });

  it("survives a reload: a new outbox on the same storage sends what the old one had not", async () => {
    const storage = memoryOutbox();
    const before = new JudgmentOutbox(storage, fakeServer(() => ({ kind: "unavailable", error: "offline" })).send);
    const writes = [item("a", "relevant"), item("a", null), item("b", "unsure")];
    for (const w of writes) before.add(w);
    before.stop(); // the page goes away
    const server = fakeServer();
    const after = new JudgmentOutbox(storage, server.send);
    await after.flush();
    expect(server.batches.flatMap((b) => b.clientIds)).toEqual(writes.map((w) => w.clientId)); // the undo still after its judgment
    expect(storage.items).toEqual([]);
    after.stop();
  });

  it("resending a batch whose answer was lost counts each write once", async () => {
    const storage = memoryOutbox();
    // the first answer is lost after the server applied the writes
    const server = fakeServer((writes, call) => {
      if (call === 1) {
        for (const w of writes) server.seen.add(w.clientId);
        return { kind: "unavailable", error: "The server answered 502" };
      }
      return undefined;
    });
    const outbox = new JudgmentOutbox(storage, server.send);
    outbox.add(item("a", "relevant"));
    outbox.add(item("b", "relevant"));
    await settle(outbox);
    outbox.wake();
    await settle(outbox);
    expect(server.batches).toHaveLength(2);
    expect(server.batches[1].clientIds).toEqual(server.batches[0].clientIds);
    expect(server.seen.size).toBe(2);
    expect(storage.items).toEqual([]);
    outbox.stop();
  });

  it("marks a refused write failed with the reason, sends the rest, and lets the expert retry or discard it", async () => {
    const storage = memoryOutbox();
    let refuse = true;
    const server = fakeServer((writes) => ({
      kind: "results",
      results: writes.map((w) =>
        refuse && w.imageId === "bad"
          ? { clientId: w.clientId, status: "rejected" as const, error: "No image bad in this collection" }
          : { clientId: w.clientId, status: "saved" as const },
      ),
    }));
    const outbox = new JudgmentOutbox(storage, server.send);
    outbox.add(item("ok-1", "relevant"));
    outbox.add(item("bad", "relevant"));
    outbox.add(item("ok-2", "unsure"));
    await settle(outbox);
    expect(storage.items.map((i: OutboxItem) => [i.imageId, i.state, i.error])).toEqual([
      ["bad", "failed", "No image bad in this collection"],
    ]);
    expect(outbox.getSnapshot().status).toMatchObject({ pending: 0, failed: 1 });
    refuse = false;
    outbox.retryFailed();
    await settle(outbox);
    expect(storage.items).toEqual([]);

    outbox.add(item("bad", "relevant"));
    refuse = true;
    await settle(outbox);
    outbox.discardFailed();
    expect(storage.items).toEqual([]);
    outbox.stop();
  });

  it("sends each query's writes to that query, in batches of at most 100", async () => {
    const storage = memoryOutbox();
    const server = fakeServer();
    const outbox = new JudgmentOutbox(storage, server.send);
    outbox.stop(); // queue everything first
    for (let i = 0; i < 150; i++) outbox.add(item(`x${i}`, "not_relevant", i % 2 ? "7" : "8"));
    const resumed = new JudgmentOutbox(storage, server.send);
    await resumed.flush();
    expect(server.batches.map((b) => [b.queryId, b.clientIds.length])).toEqual([
      ["8", 75],
      ["7", 75],
    ]);
    const big = new JudgmentOutbox(storage, server.send);
    for (let i = 0; i < 130; i++) storage.items.push({ ...item(`y${i}`, "relevant"), state: "pending", queuedAt: 0 });
    await big.flush();
    expect(server.batches.slice(2).map((b) => b.clientIds.length)).toEqual([100, 30]);
    resumed.stop();
    big.stop();
  });
});

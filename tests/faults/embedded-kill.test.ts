import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeClients, db } from "@/lib/db/client";
import { freePort } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { stopBoss } from "@/lib/jobs/boss";
import { kill9, ROOT, stopGracefully, waitUntil, type Child } from "./helpers";
import { expertOutbox, seedJudging, storedJudgments, type Judging } from "./judging-client";

// The embedded database's process killed with SIGKILL while an expert judges, then started again on
// its folder: it opens cleanly, every judgment acknowledged before the kill is there, and the
// outbox's retries bring in the rest, none twice.

const WRITES = 240;

function serveEmbedded(dataDir: string, port: number): Promise<Child> {
  const child = spawn(process.execPath, [path.join(ROOT, "scripts/serve-embedded.mjs"), dataDir, String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes("ready ")) resolve({ process: child, output: () => output, exited });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => (output += d));
    exited.then((code) => reject(new Error(`the embedded database exited with ${code}:\n${output}`)));
  });
}

describe("the embedded database killed while an expert judges", () => {
  let dataDir: string;
  let port: number;
  let server: Child | undefined;
  let judging: Judging;
  const saved = { url: process.env.DATABASE_URL, kind: process.env.FIELDMARK_DB_KIND };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-embedded-kill-"));
    port = await freePort();
    server = await serveEmbedded(dataDir, port);
    process.env.DATABASE_URL = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
    process.env.FIELDMARK_DB_KIND = "pglite";
    await migrate(db());
    judging = await seedJudging(`${dataDir}-images`, WRITES);
  }, 120_000);
  afterAll(async () => {
    await stopBoss({ timeout: 2_000 }).catch(() => {});
    await closeClients();
    if (server) await stopGracefully(server);
    process.env.DATABASE_URL = saved.url;
    process.env.FIELDMARK_DB_KIND = saved.kind;
    if (saved.url === undefined) delete process.env.DATABASE_URL;
    if (saved.kind === undefined) delete process.env.FIELDMARK_DB_KIND;
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(`${dataDir}-images`, { recursive: true, force: true });
  });

  it("keeps every acknowledged judgment through a SIGKILL, and the retries bring the rest once", async () => {
    const { outbox, acked, outcomes, judge } = expertOutbox(judging);
    const clientIds: string[] = [];
    let ackedBeforeKill = new Set<string>();
    for (let i = 0; i < WRITES; i++) {
      clientIds.push(judge(judging.imageIds[i], i % 3 ? "not_relevant" : "relevant"));
      if (i === WRITES / 3) {
        await waitUntil(() => acked.size >= 40, "the first acknowledgements");
        ackedBeforeKill = new Set(acked);
        await kill9(server!);
        server = undefined;
      }
      if (i === WRITES / 2) {
        expect(outbox.getSnapshot().status.pending).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 1_000)); // down for a while, the outbox retrying
        server = await serveEmbedded(dataDir, port); // opens the killed process's files
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitUntil(() => outbox.getSnapshot().status.pending === 0, "the outbox to empty", 60_000);
    outbox.stop();

    expect(outbox.getSnapshot().status.failed).toBe(0);
    expect(outcomes.unavailable).toBeGreaterThan(0); // the kill was seen by the writes
    expect(ackedBeforeKill.size).toBeGreaterThanOrEqual(40);
    const stored = await storedJudgments();
    for (const id of ackedBeforeKill) expect(stored.events.get(id), `acknowledged ${id}`).toBe(1);
    for (const id of clientIds) expect(stored.events.get(id), `written ${id}`).toBe(1);
    expect(stored.events.size).toBe(WRITES);
    expect(stored.judgments).toBe(WRITES);

    // and it opens cleanly once more after a normal stop: the same rows, the migrations all applied
    await closeClients();
    await stopGracefully(server!);
    server = await serveEmbedded(dataDir, port);
    expect((await storedJudgments()).events.size).toBe(WRITES);
    expect(await migrate(db())).toEqual([]);
    expect(server.output()).not.toMatch(/error|corrupt|panic/i);
  }, 120_000);
});

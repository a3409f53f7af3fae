import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@/lib/db/embedded";
import { openDatabase, type OpenDatabase } from "@/lib/db/open";
import { stopBoss } from "@/lib/jobs/boss";
import { postgresAdminUrl } from "../helpers/services";
import { ROOT, waitUntil } from "./helpers";
import { expertOutbox, seedJudging, storedJudgments, type Judging } from "./judging-client";

// PostgreSQL crashes and comes back while an expert judges. A server of this test's own (the shared
// test server stays up for everyone else), with PostgreSQL's default durability (synchronous_commit
// on, fsync on), stopped with `pg_ctl -m immediate` (no checkpoint, crash recovery on start) in the
// middle of the writes. Every judgment acknowledged before the crash is there after it, and the
// outbox's retries bring in the rest, none twice.

const BIN = "/usr/lib/postgresql/15/bin";
// as .ci/start-postgres.sh does: root runs the server as postgres
const asPostgres = ([command, ...args]: string[]) =>
  process.getuid?.() === 0
    ? execFileSync("runuser", ["-u", "postgres", "--", command, ...args], { encoding: "utf8", stdio: "pipe" })
    : execFileSync(command, args, { encoding: "utf8", stdio: "pipe" });
const WRITES = 240;

describe.skipIf(!postgresAdminUrl)("PostgreSQL restarted while an expert judges", () => {
  let dir: string;
  let port: number;
  let database: OpenDatabase | undefined;
  let judging: Judging;
  const pgCtl = (...args: string[]) => asPostgres([`${BIN}/pg_ctl`, "-D", dir, "-w", ...args]);
  const start = () =>
    pgCtl(
      "-l",
      path.join(dir, "server.log"),
      "-o",
      `-p ${port} -k /tmp -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c fsync=on`,
      "start",
    );

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-pg-restart-"));
    port = await freePort();
    // initdb and a first start by the CI script; then again with the default durability
    const url = execFileSync(path.join(ROOT, ".ci/start-postgres.sh"), [String(port), dir], {
      encoding: "utf8",
    }).trim();
    pgCtl("-m", "fast", "stop");
    start();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-pg-restart-data-"));
    database = await openDatabase({ dataDir, port: 3000, databaseUrl: url });
    judging = await seedJudging(path.join(dataDir, "..", path.basename(dataDir) + "-images"), WRITES);
  }, 120_000);
  afterAll(async () => {
    await stopBoss({ timeout: 2_000 }).catch(() => {});
    await database?.close();
    if (dir) {
      try {
        pgCtl("-m", "immediate", "stop");
      } catch {
        /* already stopped */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps every acknowledged judgment through an immediate stop, and the retries bring the rest once", async () => {
    const { outbox, acked, outcomes, judge } = expertOutbox(judging);
    const clientIds: string[] = [];
    let ackedBeforeCrash = new Set<string>();
    const crashed = Date.now();
    for (let i = 0; i < WRITES; i++) {
      clientIds.push(judge(judging.imageIds[i], i % 3 ? "not_relevant" : "relevant"));
      if (i === WRITES / 3) {
        await waitUntil(() => acked.size >= 40, "the first acknowledgements");
        ackedBeforeCrash = new Set(acked);
        pgCtl("-m", "immediate", "stop"); // a crash: no shutdown checkpoint
      }
      if (i === WRITES / 2) {
        expect(outbox.getSnapshot().status.pending).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 1_000)); // down for a while, the outbox retrying
        start(); // crash recovery replays the WAL
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitUntil(() => outbox.getSnapshot().status.pending === 0, "the outbox to empty", 60_000);
    outbox.stop();
    console.log(`postgres restart: outbox empty ${((Date.now() - crashed) / 1000).toFixed(1)} s after the crash`);

    expect(outbox.getSnapshot().status.failed).toBe(0);
    expect(outcomes.unavailable).toBeGreaterThan(0); // the crash was seen by the writes
    expect(ackedBeforeCrash.size).toBeGreaterThanOrEqual(40);
    const stored = await storedJudgments();
    for (const id of ackedBeforeCrash) expect(stored.events.get(id), `acknowledged ${id}`).toBe(1);
    for (const id of clientIds) expect(stored.events.get(id), `written ${id}`).toBe(1);
    expect(stored.events.size).toBe(WRITES);
    expect(stored.judgments).toBe(WRITES);
    expect(acked.size).toBe(WRITES);
  }, 120_000);
});

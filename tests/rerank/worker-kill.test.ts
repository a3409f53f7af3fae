import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { stopBoss } from "@/lib/jobs/boss";
import { rerankBuildStatus } from "@/lib/jobs/rerank";
import { findRerankSet, rerankSetRows } from "@/lib/rerank/read";
import { pinRerankSet } from "@/lib/rerank/sets";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { kill9, spawnWorker, waitUntil, type Child } from "../faults/helpers";
import { tempDir } from "../models/model-folders";
import { clipMergesFile, sharedFixturesAvailable } from "../models/shared-fixtures";
import { addQuery, createRerankFixture, productTop, type RerankFixture } from "./fixture";

// `fieldmark worker` killed with SIGKILL while it ranks a rerank set's queries: nothing of the build
// is written (it is all written in one transaction at its end), and the next worker, given the job
// once its expiry has passed, builds the whole set, each query's top 100 once.

const haveTokenizer = sharedFixturesAvailable(clipMergesFile);
const QUERIES = 40;

describe.runIf(haveTokenizer).each(dbKinds)("a rerank build killed mid-way on %s", (kind) => {
  let t: TestDatabase;
  let f: RerankFixture;
  let child: Child | undefined;
  const saved = process.env.FIELDMARK_JOB_EXPIRE_SECONDS;
  const dir = tempDir("fieldmark-rerank-kill-");

  beforeAll(async () => {
    process.env.FIELDMARK_JOB_EXPIRE_SECONDS = "40"; // also the handler's time limit in pg-boss 10: longer than a build on a busy machine
    t = await createTestDatabase(kind);
    f = await createRerankFixture("killed", dir);
    for (let i = 1; i <= QUERIES; i++) await addQuery(f.collectionId, String(i), `a moth number ${i} on a wall`);
  }, 180_000);
  afterAll(async () => {
    if (child) await kill9(child);
    if (saved === undefined) delete process.env.FIELDMARK_JOB_EXPIRE_SECONDS;
    else process.env.FIELDMARK_JOB_EXPIRE_SECONDS = saved;
    await stopBoss({ timeout: 2_000 });
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("writes nothing when killed, and the next worker builds the whole set", async () => {
    const pinned = await pinRerankSet(f.collectionId, f.model.name, "lead");
    child = spawnWorker(t);
    const ranking = async () => {
      const s = await findRerankSet(f.collectionId, 1);
      return s?.buildPhase === "ranking" && (s.buildDone ?? 0) >= 3 && (s.buildDone ?? 0) < QUERIES;
    };
    await waitUntil(ranking, "the build ranking its queries", 120_000).catch((e) => {
      throw new Error(`${e.message}; worker said: ${child!.output()}`);
    });
    await kill9(child);
    const placed = await db().query("SELECT count(*)::int AS n FROM rerank_set_queries WHERE rerank_set_id = $1", [
      pinned.setId,
    ]);
    expect(placed.rows[0].n).toBe(0);
    expect((await findRerankSet(f.collectionId, 1))!.builtAt).toBeNull();

    child = spawnWorker(t);
    await waitUntil(
      async () => (await rerankBuildStatus(pinned.setId))?.state === "done",
      "the next worker's build",
      240_000,
    ).catch(async (e) => {
      const jobs = await db().query("SELECT id, state, retry_count, output FROM pgboss.job WHERE name = 'rerank'");
      const set = await findRerankSet(f.collectionId, 1);
      throw new Error(
        `${e.message}; worker said: ${child!.output()}; jobs ${JSON.stringify(jobs.rows)}; set ${JSON.stringify(set)}`,
      );
    });
    const rows = await rerankSetRows(pinned.setId);
    expect(rows).toHaveLength(QUERIES);
    for (const r of rows) expect(r.items.map((i) => i.rank)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const top = await productTop(f, "a moth number 7 on a wall");
    expect(rows.find((r) => r.queryId === "7")!.items.map((i) => i.imageRowId)).toEqual(top.map((x) => x.imageId));
    const retried = await db().query("SELECT retry_count FROM pgboss.job WHERE id = $1", [pinned.jobId]);
    expect(retried.rows[0].retry_count).toBe(1);
  }, 480_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { stopBoss } from "@/lib/jobs/boss";
import { requestLearningRound, requestLearningRoundIfDue } from "@/lib/jobs/learning";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { kill9, spawnWorker, stopGracefully, waitUntil, type Child } from "../faults/helpers";
import { createCollection, createModel } from "../search/fixture";
import { syntheticVectors } from "./synthetic";

// Learning rounds run in the worker, queued by judgment writes; a worker killed with SIGKILL in the
// middle of a round loses nothing: the job comes back (a short expiry here) and the next worker's round,
// recomputed from the judgments, leaves the query as an uninterrupted round would.

const COUNT = 20_000;

describe.each(dbKinds)("learning rounds in the worker on %s", (kind) => {
  let t: TestDatabase;
  let queryId: number;
  let child: Child | undefined;
  const saved = process.env.FIELDMARK_JOB_EXPIRE_SECONDS;
  const { vectors, isRelevant } = syntheticVectors({ count: COUNT, relevant: 200, dim: 64, seed: 5 });

  const learningJobs = async () =>
    (await db().query<{ state: string }>("SELECT state FROM pgboss.job WHERE name = 'learning' ORDER BY created_on"))
      .rows;
  const rounds = async () =>
    ((await db().query("SELECT rounds FROM query_learning WHERE query_id = $1", [queryId])).rows[0]?.rounds ??
      0) as number;

  beforeAll(async () => {
    process.env.FIELDMARK_JOB_EXPIRE_SECONDS = "3";
    t = await createTestDatabase(kind);
    const collectionId = await createCollection("w");
    const ids = await db().query<{ id: string }>(
      `INSERT INTO images (collection_id, source_id, file_name)
       SELECT $1, 'i' || g, 'i' || g || '.jpg' FROM generate_series(0, $2 - 1) g ORDER BY g RETURNING id`,
      [collectionId, COUNT],
    );
    const modelId = await createModel("synthetic", 64);
    await ensureVectorStorage(modelId, 64);
    for (let at = 0; at < COUNT; at += 5000)
      await upsertEmbeddings(
        modelId,
        ids.rows.slice(at, at + 5000).map((r, i) => ({ imageId: Number(r.id), vector: vectors[at + i] })),
      );
    await db().query("INSERT INTO users (id, name, email) VALUES ('ann', 'ann', 'ann@example.org')");
    queryId = (
      await db().query("INSERT INTO queries (collection_id, source_id, text) VALUES ($1, 'q', 'q') RETURNING id", [
        collectionId,
      ])
    ).rows[0].id;
    await db().query("INSERT INTO query_examples (query_id, image_id) VALUES ($1, $2)", [queryId, ids.rows[0].id]);
    // a first batch of judgments: relevant and not
    await applyJudgmentWrites({ rowId: queryId, collectionId }, "ann", [
      ...[1, 2, 3].map((g) => ({
        clientId: `ann-r${g}`,
        imageId: `i${g}`,
        value: "relevant" as const,
        source: null,
        timeSpentMs: null,
      })),
      ...[900, 901, 902].map((g) => ({
        clientId: `ann-n${g}`,
        imageId: `i${g}`,
        value: "not_relevant" as const,
        source: null,
        timeSpentMs: null,
      })),
    ]);
    expect(isRelevant(1) && !isRelevant(900)).toBe(true);
  }, 180_000);

  afterAll(async () => {
    if (child) await kill9(child);
    if (saved === undefined) delete process.env.FIELDMARK_JOB_EXPIRE_SECONDS;
    else process.env.FIELDMARK_JOB_EXPIRE_SECONDS = saved;
    await stopBoss({ timeout: 2_000 });
    await t?.close();
  });

  it("a judgment write queues one round, however many writes ask at once", async () => {
    const asked = await Promise.all([1, 2, 3].map(() => requestLearningRoundIfDue(queryId)));
    expect(asked.filter(Boolean)).toHaveLength(1); // one waiting per query (pg-boss's stately policy)
  });

  it("survives a worker killed mid-round: the next worker's round finishes it, and the queue holds no judged image", async () => {
    let interrupted = false;
    for (let attempt = 0; attempt < 5 && !interrupted; attempt++) {
      if (attempt > 0) await requestLearningRound(queryId);
      const before = await rounds();
      child = spawnWorker(t, { FIELDMARK_JOB_EXPIRE_SECONDS: "3" });
      await waitUntil(async () => (await learningJobs()).some((j) => j.state === "active"), "a round to start", 60_000);
      await kill9(child);
      child = undefined;
      // killed before it wrote its round: the job is still marked active, the round not recorded
      interrupted = (await rounds()) === before && (await learningJobs()).some((j) => j.state === "active");
    }
    expect(interrupted).toBe(true);
    child = spawnWorker(t, { FIELDMARK_JOB_EXPIRE_SECONDS: "3", FIELDMARK_JOB_MAINTENANCE_SECONDS: "1" });
    await waitUntil(
      async () => (await learningJobs()).every((j) => j.state === "completed"),
      "the round to be retried",
      90_000,
    );
    expect(await rounds()).toBeGreaterThanOrEqual(1);
    const c = await db().query(
      `SELECT count(*)::int AS n, count(DISTINCT image_id)::int AS distinct_images,
              count(*) FILTER (WHERE image_id IN (SELECT image_id FROM judgments WHERE query_id = $1))::int AS judged
         FROM candidates WHERE query_id = $1 AND source = 'active-learning'`,
      [queryId],
    );
    expect(c.rows[0].n).toBe(500);
    expect(c.rows[0]).toMatchObject({ distinct_images: 500, judged: 0 });
    await stopGracefully(child);
    child = undefined;
  }, 240_000);
});

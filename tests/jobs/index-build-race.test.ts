import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { boss, onConnection, QUEUES, sendInTransaction, stopBoss } from "@/lib/jobs/boss";
import { enqueueIndexBuild } from "@/lib/jobs/indexes";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { clusteredVectors, createCollection, createModel, createTaxaAndImages } from "../search/fixture";

// Two leads click "build index" at the same moment: the job and the vector_stores row that records it
// are written in one transaction under the row's lock, so one job is queued and both get its id.

const DIM = 8;
const ROUNDS = 25;

/** The model's index builds pg-boss still holds as queued or running. */
async function liveJobs(modelId: number): Promise<string[]> {
  const r = await db().query<{ id: string }>(
    `SELECT id FROM pgboss.job WHERE name = $1 AND state < 'completed' AND (data->>'modelId')::int = $2`,
    [QUEUES.indexes, modelId],
  );
  return r.rows.map((row) => row.id);
}

describe.each(dbKinds)("one index build from two connections at once on %s", (kind) => {
  let t: TestDatabase;
  let modelId: number;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const collectionId = await createCollection("c");
    const { imageIds, genusOf } = await createTaxaAndImages(collectionId, 40, 2);
    const vectors = clusteredVectors(genusOf, DIM, 3);
    modelId = await createModel("raced", DIM);
    await ensureVectorStorage(modelId, DIM);
    await upsertEmbeddings(
      modelId,
      imageIds.map((imageId, i) => ({ imageId, vector: vectors[i] })),
    );
  });
  afterAll(async () => {
    await stopBoss({ graceful: false, timeout: 2000 });
    await t?.close();
  });

  it("queues exactly one job, and the row points at it, round after round", async () => {
    const b = await boss();
    for (let round = 0; round < ROUNDS; round++) {
      // no worker runs here, so the job stays queued and both answers must name it
      const answers = await Promise.all([enqueueIndexBuild(modelId), enqueueIndexBuild(modelId)]);
      const live = await liveJobs(modelId);
      expect(live, `round ${round}`).toHaveLength(1);
      expect(answers.map((a) => a.jobId)).toEqual([live[0], live[0]]);
      expect(answers.filter((a) => !a.alreadyQueued)).toHaveLength(1);
      const row = await db().query("SELECT index_build_job FROM vector_stores WHERE model_id = $1", [modelId]);
      expect(row.rows[0].index_build_job).toBe(live[0]);
      // cancelled, the build no longer counts as queued: the next round queues a fresh one
      await b.cancel(QUEUES.indexes, live[0]);
    }
    expect(await b.getQueueSize(QUEUES.indexes, { before: "completed" })).toBe(0);
  });

  it("makes a second request wait for the first one's transaction, then answers with its job", async () => {
    const b = await boss();
    // a second connection of its own, as another web process would have
    const first = new pg.Client({ connectionString: t.url });
    await first.connect();
    try {
      await first.query("BEGIN");
      await first.query("SELECT index_build_job FROM vector_stores WHERE model_id = $1 FOR UPDATE", [modelId]);
      const jobId = await sendInTransaction(first, QUEUES.indexes, { modelId });
      await first.query("UPDATE vector_stores SET index_build_job = $2 WHERE model_id = $1", [modelId, jobId]);

      let answered = false;
      const second = enqueueIndexBuild(modelId).finally(() => (answered = true));
      await new Promise((r) => setTimeout(r, 500));
      expect(answered).toBe(false); // PostgreSQL: waiting on the row lock; PGlite: on the open transaction
      await first.query("COMMIT");
      expect(await second).toEqual({ jobId, alreadyQueued: true });
      await b.cancel(QUEUES.indexes, jobId!);
    } finally {
      await first.end();
    }
  });

  it("takes the job back when the transaction that sent it rolls back", async () => {
    const b = await boss();
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      await client.query("BEGIN");
      const jobId = await sendInTransaction(client, QUEUES.indexes, { modelId });
      expect(jobId).toEqual(expect.any(String));
      // visible inside the transaction, on its own connection (on PGlite any other would wait for it)
      expect(
        await b.getJobById(QUEUES.indexes, jobId!, { db: onConnection(client), includeArchive: false }),
      ).not.toBeNull();
      await client.query("ROLLBACK");
      expect(await b.getJobById(QUEUES.indexes, jobId!)).toBeNull();
    } finally {
      await client.end();
    }
  });
});

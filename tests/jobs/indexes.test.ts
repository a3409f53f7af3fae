import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { enqueueIndexBuild, indexBuildStatus, type IndexBuildStatus } from "@/lib/jobs/indexes";
import { indexInfo } from "@/lib/vectors/hnsw";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { startWorker } from "@/workers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { clusteredVectors, createCollection, createModel, createTaxaAndImages } from "../search/fixture";

// Index builds queued from the UI run in the worker: one at a time per model, with their state and
// progress readable from any process, and a failed build says why.

const DIM = 16;

async function settled(modelId: number): Promise<IndexBuildStatus | null> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await indexBuildStatus(modelId);
    if (!s || s.state === "done" || s.state === "failed" || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.each(dbKinds)("index build jobs on %s", (kind) => {
  let t: TestDatabase;
  let worker: { stop: () => Promise<void> } | undefined;
  let collectionId: number;
  let imageIds: number[];
  let vectors: Float32Array[];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    collectionId = await createCollection("c");
    const created = await createTaxaAndImages(collectionId, 600, 6);
    imageIds = created.imageIds;
    vectors = clusteredVectors(created.genusOf, DIM, 5);
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  it("queues one build per model, which the worker runs to a usable index", async () => {
    const m = await createModel("indexed", DIM);
    await ensureVectorStorage(m, DIM);
    await upsertEmbeddings(
      m,
      imageIds.map((imageId, i) => ({ imageId, vector: vectors[i] })),
    );
    expect(await indexBuildStatus(m)).toBeNull();

    const first = await enqueueIndexBuild(m);
    const second = await enqueueIndexBuild(m); // a double click, or a second lead: the same job
    expect(first.alreadyQueued).toBe(false);
    expect(second).toEqual({ jobId: first.jobId, alreadyQueued: true });
    expect((await indexBuildStatus(m))?.state).toBe("queued");

    worker = await startWorker();
    const done = await settled(m);
    expect(done).toMatchObject({ state: "done", error: null, done: 600, total: 600 });
    expect((await indexInfo(m)).exists).toBe(true);
    // once done, asking again queues a fresh rebuild
    const again = await enqueueIndexBuild(m);
    expect(again.alreadyQueued).toBe(false);
    expect(again.jobId).not.toBe(first.jobId);
    expect((await settled(m))?.state).toBe("done");
  });

  it("reports a failed build with the database's message", async () => {
    const m = await createModel("broken", DIM);
    const store = await ensureVectorStorage(m, DIM);
    await upsertEmbeddings(
      m,
      imageIds.slice(0, 50).map((imageId, i) => ({ imageId, vector: vectors[i] })),
    );
    worker ??= await startWorker();
    // the table vanishes under the store (as a hand-run DROP would do): the build cannot succeed
    await db().query(`ALTER TABLE ${store.tableName} RENAME TO gone_${m}`);
    await enqueueIndexBuild(m);
    const failed = await settled(m);
    expect(failed?.state).toBe("failed");
    expect(failed?.error).toMatch(/does not exist/);
  });
});

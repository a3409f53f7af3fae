import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { surfaceCandidates } from "@/lib/candidates/surface";
import { importCollection } from "@/lib/collections";
import { thumbnailsDir } from "@/lib/config";
import { db } from "@/lib/db/client";
import { embeddingProgress } from "@/lib/embeddings/embed-images";
import { thumbnailProgress } from "@/lib/images/thumbnails";
import { stopBoss } from "@/lib/jobs/boss";
import { enqueueEmbedding } from "@/lib/jobs/embeddings";
import { enqueueThumbnails } from "@/lib/jobs/thumbnails";
import { requestCandidateRefill } from "@/lib/judgments/refill";
import { registerModel } from "@/lib/models/registry";
import { getVectorStore } from "@/lib/vectors/storage";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { tinyClipFolder } from "../models/model-folders";
import { kill9, spawnWorker, stopGracefully, waitUntil, type Child } from "./helpers";

// `fieldmark worker` killed with SIGKILL in the middle of a thumbnail, an embedding and a candidate
// job. Nothing is queued again: pg-boss hands the dead worker's job to the next worker once its
// expiry has passed (a few seconds here, through FIELDMARK_JOB_EXPIRE_SECONDS), and the result is
// whole and not doubled.

const IMAGES = 600;
const EXPIRE_SECONDS = "6";

async function writePhotos(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < IMAGES; i++) {
    const background = { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 };
    await sharp({ create: { width: 120, height: 90, channels: 3, background } })
      .jpeg()
      .toFile(path.join(dir, `p${String(i).padStart(4, "0")}.jpg`));
  }
}

/** Every job of the queue, as pg-boss keeps it. */
async function jobs(queue: string): Promise<{ state: string; retries: number }[]> {
  const r = await db().query("SELECT state, retry_count AS retries FROM pgboss.job WHERE name = $1", [queue]);
  return r.rows;
}

describe.each(dbKinds)("the worker killed with SIGKILL mid-job on %s", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  let modelId: number;
  const saved = process.env.FIELDMARK_JOB_EXPIRE_SECONDS;
  let child: Child | undefined;
  beforeAll(async () => {
    process.env.FIELDMARK_JOB_EXPIRE_SECONDS = EXPIRE_SECONDS;
    t = await createTestDatabase(kind);
    process.env.FIELDMARK_DATA_DIR = t.dataDir;
    const photos = path.join(t.filesDir, "photos");
    await writePhotos(photos);
    collectionId = (await importCollection({ source: photos, collection: "killed" })).collectionId;
    modelId = (await registerModel({ folder: tinyClipFolder(path.join(t.dataDir, "tiny-clip")), name: "tiny" })).id;
  }, 120_000);
  afterAll(async () => {
    if (child) await kill9(child);
    if (saved === undefined) delete process.env.FIELDMARK_JOB_EXPIRE_SECONDS;
    else process.env.FIELDMARK_JOB_EXPIRE_SECONDS = saved;
    await stopBoss({ timeout: 2_000 }); // this process's queue client, which sent the jobs
    await t?.close();
  });

  /** Kills a worker once `inProgress` holds, then starts another and waits for `done`. */
  async function killMidJobThenRestart(inProgress: () => Promise<boolean>, done: () => Promise<boolean>) {
    const started = Date.now();
    child = spawnWorker(t);
    await waitUntil(inProgress, "the job in progress").catch((e) => {
      throw new Error(`${e.message}; worker said: ${child!.output()}`);
    });
    await kill9(child);
    console.log(`${kind}: killed at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    child = spawnWorker(t);
    await waitUntil(done, "the next worker to finish the job").catch((e) => {
      throw new Error(`${e.message}; worker said: ${child!.output()}`);
    });
    console.log(`${kind}: finished at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await stopGracefully(child);
    child = undefined;
  }

  it("thumbnails and embeddings: every image ends with exactly one thumbnail and one vector", async () => {
    expect(await enqueueThumbnails(collectionId)).toBe(Math.ceil(IMAGES / 500));
    const queued = await enqueueEmbedding(collectionId, modelId);
    expect(queued.images).toBe(IMAGES);
    let mid = { thumbnails: 0, vectors: 0 };
    await killMidJobThenRestart(
      async () => {
        mid = {
          thumbnails: (await thumbnailProgress(collectionId)).done,
          vectors: (await embeddingProgress(collectionId, modelId)).embedded,
        };
        return mid.thumbnails > 0 && mid.vectors > 0;
      },
      async () => [...(await jobs("thumbnails")), ...(await jobs("embeddings"))].every((j) => j.state === "completed"),
    );
    expect(mid.thumbnails).toBeLessThan(IMAGES);
    expect(mid.vectors).toBeLessThan(IMAGES);

    const dir = path.join(thumbnailsDir(), String(collectionId));
    const files = fs.readdirSync(dir);
    const ids = (await db().query("SELECT id FROM images WHERE collection_id = $1", [collectionId])).rows;
    expect(files.filter((f) => f.endsWith(".webp")).sort()).toEqual(ids.map((r) => `${r.id}.webp`).sort());
    for (const f of files.filter((f) => f.endsWith(".webp")))
      expect((await sharp(path.join(dir, f)).metadata()).format).toBe("webp");
    expect(await thumbnailProgress(collectionId)).toEqual({ total: IMAGES, done: IMAGES, unreadable: 0 });

    const store = await getVectorStore(modelId);
    const r = await db().query(
      `SELECT count(*)::int AS rows, count(DISTINCT image_id)::int AS images FROM ${store.tableName}`,
    );
    expect(r.rows[0]).toEqual({ rows: IMAGES, images: IMAGES });

    // the killed chunks came back by themselves: nothing was queued again
    const thumbnailJobs = await jobs("thumbnails");
    const embeddingJobs = await jobs("embeddings");
    expect(thumbnailJobs.length).toBe(Math.ceil(IMAGES / 500));
    expect(embeddingJobs.length).toBe(queued.chunks);
    expect(thumbnailJobs.some((j) => j.retries > 0)).toBe(true);
    expect(embeddingJobs.some((j) => j.retries > 0)).toBe(true);
  }, 90_000);

  it("candidates: the surfacing job finishes with the same candidates as an uninterrupted run", async () => {
    const addQuery = async (sourceId: string) =>
      (
        await db().query(
          "INSERT INTO queries (collection_id, source_id, text) VALUES ($1, $2, 'a dark red photo') RETURNING id",
          [collectionId, sourceId],
        )
      ).rows[0].id as number;
    const killed = await addQuery("killed");
    expect(await requestCandidateRefill(killed)).toBeTruthy();
    await killMidJobThenRestart(
      async () => (await jobs("candidates")).some((j) => j.state === "active"),
      async () => (await jobs("candidates")).some((j) => j.state === "completed"),
    );
    expect((await jobs("candidates")).map((j) => j.retries)).toEqual([1]);

    const reference = await addQuery("reference");
    await surfaceCandidates(reference);
    const list = async (queryId: number) =>
      (
        await db().query(
          "SELECT source, image_id::int AS image, rank FROM candidates WHERE query_id = $1 ORDER BY source, rank",
          [queryId],
        )
      ).rows;
    const got = await list(killed);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(await list(reference));
  }, 90_000);
});

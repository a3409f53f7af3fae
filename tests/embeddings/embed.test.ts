import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCollection } from "@/lib/collections";
import { db } from "@/lib/db/client";
import { embeddingProgress } from "@/lib/embeddings/embed-images";
import { enqueueEmbedding } from "@/lib/jobs/embeddings";
import { registerModel } from "@/lib/models/registry";
import { findModel } from "@/lib/search/lookup";
import { embedQueryText } from "@/lib/search/text-query";
import { searchByVector } from "@/lib/search/vector-search";
import { getVectorStore } from "@/lib/vectors/storage";
import { startWorker } from "@/workers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { tinyClipFolder } from "../models/model-folders";

const ROOT = path.resolve(import.meta.dirname, "../..");
const IMAGES = 900;

async function writePhotos(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < IMAGES; i++) {
    const background = { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 };
    await sharp({ create: { width: 48, height: 32, channels: 3, background } })
      .jpeg()
      .toFile(path.join(dir, `p${String(i).padStart(4, "0")}.jpg`));
  }
  fs.writeFileSync(path.join(dir, "broken.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a]));
}

async function waitUntil(check: () => Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function vectorRows(modelId: number): Promise<{ rows: number; distinct: number }> {
  const store = await getVectorStore(modelId);
  const r = await db().query(
    `SELECT count(*)::int AS rows, count(DISTINCT image_id)::int AS distinct FROM ${store.tableName}`,
  );
  return r.rows[0];
}

describe.each(dbKinds)("embedding jobs on %s", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  let modelFolder: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    process.env.FIELDMARK_DATA_DIR = t.dataDir;
    const photos = path.join(t.filesDir, "photos");
    await writePhotos(photos);
    const imported = await importCollection({ source: photos, collection: "synthetic" });
    collectionId = imported.collectionId;
    modelFolder = tinyClipFolder(path.join(t.dataDir, "tiny-clip"));
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it("embeds every readable image once, records the unreadable one, and text search finds K", async () => {
    const model = await registerModel({ folder: modelFolder, name: "tiny" });
    expect(model.kind).toBe("clip");
    const worker = await startWorker();
    try {
      const queued = await enqueueEmbedding(collectionId, model.id);
      expect(queued.images).toBe(IMAGES + 1);
      await waitUntil(async () => {
        const p = await embeddingProgress(collectionId, model.id);
        return p.total > 0 && p.embedded === p.total;
      }, "embedding");
    } finally {
      await worker.stop();
    }
    expect(await embeddingProgress(collectionId, model.id)).toEqual({ total: IMAGES, embedded: IMAGES, unreadable: 1 });
    const broken = await db().query("SELECT status, status_reason FROM images WHERE source_id = 'broken.jpg'");
    expect(broken.rows[0].status).toBe("unreadable");
    expect(broken.rows[0].status_reason).toMatch(/\S/);
    expect(await vectorRows(model.id)).toEqual({ rows: IMAGES, distinct: IMAGES });

    // queueing again finds nothing left to do
    expect((await enqueueEmbedding(collectionId, model.id)).images).toBe(0);

    const vector = await embedQueryText((await findModel("tiny"))!, "a red bird on a branch");
    const results = await searchByVector(model.id, vector, { collectionId, k: 25 });
    expect(results).toHaveLength(25);
    for (let i = 1; i < results.length; i++) expect(results[i - 1].score).toBeGreaterThanOrEqual(results[i].score);
  });

  it("a worker killed with SIGKILL mid-run, then a restart, ends with exactly one vector per readable image", async () => {
    const model = await registerModel({ folder: modelFolder, name: "tiny-again" });
    await enqueueEmbedding(collectionId, model.id);
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "fieldmark.mjs"), "worker"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.url, FIELDMARK_DB_KIND: kind, FIELDMARK_DATA_DIR: t.dataDir },
      stdio: "ignore",
    });
    try {
      await waitUntil(
        async () => (await embeddingProgress(collectionId, model.id)).embedded > 0,
        "the child worker's first vectors",
      );
    } finally {
      child.kill("SIGKILL");
    }
    await new Promise((r) => child.once("exit", r));
    const mid = await embeddingProgress(collectionId, model.id);
    expect(mid.embedded).toBeGreaterThan(0);
    expect(mid.embedded).toBeLessThan(IMAGES);

    // the restart: `fieldmark embed` queues what still has no vector, and a worker takes it
    await enqueueEmbedding(collectionId, model.id);
    const worker = await startWorker();
    try {
      await waitUntil(
        async () => (await embeddingProgress(collectionId, model.id)).embedded === IMAGES,
        "the restarted embedding",
      );
    } finally {
      await worker.stop();
    }
    expect(await vectorRows(model.id)).toEqual({ rows: IMAGES, distinct: IMAGES });
  }, 240_000);
});

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCollection } from "@/lib/collections";
import { thumbnailsDir } from "@/lib/config";
import { db } from "@/lib/db/client";
import { thumbnailProgress } from "@/lib/images/thumbnails";
import { enqueueThumbnails } from "@/lib/jobs/thumbnails";
import { startWorker } from "@/workers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds, servicesRequired } from "../helpers/services";
import { waitUntil } from "./helpers";

// A full disk under the thumbnails: the data folder's thumbnails/ is a 256 KiB tmpfs (mounting needs
// root; without it the test says so and is skipped, or fails in CI). The thumbnail job fails with a
// message that says the disk is full, leaves no half-written file and marks no image unreadable, the
// worker stays up, and once there is room the same job's retry makes every thumbnail.

const IMAGES = 60;

function tryMount(dir: string, size: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}
const probe = fs.mkdtempSync("/tmp/fieldmark-mount-probe-");
const canMount = tryMount(probe, "64k") && (execFileSync("umount", [probe]), true);
fs.rmSync(probe, { recursive: true, force: true });
if (!canMount && servicesRequired) throw new Error("tests/faults/full-disk needs to mount a tmpfs (run as root)");
if (!canMount) console.warn("skipping tests/faults/full-disk: mounting a tmpfs needs root");

async function writeNoisyPhotos(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < IMAGES; i++) {
    // noise compresses badly, so each thumbnail takes tens of KiB
    const raw = Buffer.alloc(400 * 300 * 3);
    let x = i + 1;
    for (let j = 0; j < raw.length; j++) raw[j] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    await sharp(raw, { raw: { width: 400, height: 300, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(path.join(dir, `n${String(i).padStart(3, "0")}.jpg`));
  }
}

async function thumbnailJobs(): Promise<{ state: string; message: string | null }[]> {
  const r = await db().query("SELECT state, output->>'message' AS message FROM pgboss.job WHERE name = 'thumbnails'");
  return r.rows;
}

describe.skipIf(!canMount).each(dbKinds)("a full disk while making thumbnails on %s", (kind) => {
  let t: TestDatabase;
  let mounted: string | undefined;
  let collectionId: number;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    process.env.FIELDMARK_DATA_DIR = t.dataDir;
    const photos = path.join(t.filesDir, "photos");
    await writeNoisyPhotos(photos);
    collectionId = (await importCollection({ source: photos, collection: "full" })).collectionId;
    const dir = thumbnailsDir();
    fs.mkdirSync(dir, { recursive: true });
    if (!tryMount(dir, "256k")) throw new Error(`could not mount a tmpfs on ${dir}`);
    mounted = dir;
  }, 120_000);
  afterAll(async () => {
    if (mounted) execFileSync("umount", ["-l", mounted]);
    await t?.close();
  });

  it("fails with a clear message, keeps the database and the folder consistent, and resumes once there is room", async () => {
    const worker = await startWorker();
    try {
      expect(await enqueueThumbnails(collectionId)).toBe(1);
      await waitUntil(async () => (await thumbnailJobs()).some((j) => j.message), "the job to fail");
      const [failed] = await thumbnailJobs();
      expect(failed.state).toBe("retry");
      expect(failed.message).toMatch(/^no space left for thumbnails in .*thumbnails: free some and the job retries/);

      const progress = await thumbnailProgress(collectionId);
      expect(progress.done).toBeGreaterThan(0);
      expect(progress.done).toBeLessThan(IMAGES);
      expect(progress.unreadable).toBe(0); // a full disk is not the image's fault
      const dir = path.join(mounted!, String(collectionId));
      const files = fs.readdirSync(dir);
      expect(files.filter((f) => !f.endsWith(".webp"))).toEqual([]); // no half-written file left behind
      const made = (
        await db().query("SELECT id FROM images WHERE collection_id = $1 AND thumbnail_at IS NOT NULL", [collectionId])
      ).rows.map((r) => `${r.id}.webp`);
      expect(files.sort()).toEqual(made.sort()); // each recorded thumbnail is on disk, and only those

      // room again: the same job's retry finishes it, with nothing queued again
      execFileSync("mount", ["-o", "remount,size=64m", mounted!]);
      await waitUntil(async () => (await thumbnailJobs())[0].state === "completed", "the retry to finish", 60_000);
      expect(await thumbnailProgress(collectionId)).toEqual({ total: IMAGES, done: IMAGES, unreadable: 0 });
      expect(fs.readdirSync(dir).filter((f) => f.endsWith(".webp"))).toHaveLength(IMAGES);
      expect(fs.readdirSync(dir).filter((f) => !f.endsWith(".webp"))).toEqual([]);
    } finally {
      await worker.stop();
    }
  }, 90_000);
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { resolveImageLocation } from "@/lib/images/files";
import { makeThumbnail, makeThumbnails, thumbnailFor, thumbnailPath, thumbnailProgress } from "@/lib/images/thumbnails";
import { enqueueThumbnails } from "@/lib/jobs/thumbnails";
import { startWorker } from "@/workers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

async function writeFixtures(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  // 60 wide x 30 high, stored with EXIF orientation 6 (rotate 90° clockwise to view): shown 30 x 60
  await sharp({ create: { width: 60, height: 30, channels: 3, background: "#3a7" } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toFile(path.join(dir, "rotated.jpg"));
  const good = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#a53" } })
    .jpeg()
    .toBuffer();
  fs.writeFileSync(path.join(dir, "good.jpg"), good);
  fs.writeFileSync(path.join(dir, "truncated.jpg"), good.subarray(0, Math.floor(good.length / 3)));
  fs.writeFileSync(path.join(dir, "not-an-image.jpg"), "hello, I am text");
}

async function insertImages(root: string, files: string[]): Promise<number> {
  const c = await db().query("INSERT INTO collections (name, images_root) VALUES ($1, $2) RETURNING id", [
    `c${Date.now()}`,
    root,
  ]);
  const cid = c.rows[0].id;
  for (const f of files) {
    await db().query("INSERT INTO images (collection_id, source_id, file_name) VALUES ($1, $2, $2)", [cid, f]);
  }
  return cid;
}

async function imageRow(cid: number, file: string) {
  return (await db().query("SELECT * FROM images WHERE collection_id = $1 AND source_id = $2", [cid, file])).rows[0];
}

describe.each(dbKinds)("thumbnails on %s", (kind) => {
  let t: TestDatabase;
  let root: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    process.env.FIELDMARK_DATA_DIR = t.dataDir;
    // beside the data folder, never in it: files there are never served
    root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-photos-"));
    await writeFixtures(root);
  });
  afterAll(async () => {
    await t?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("makes thumbnails with EXIF orientation applied and marks unreadable images with their reason", async () => {
    const files = ["rotated.jpg", "good.jpg", "truncated.jpg", "not-an-image.jpg", "missing.jpg"];
    const cid = await insertImages(root, files);
    const ids = (await db().query("SELECT min(id) AS a, max(id) AS b FROM images WHERE collection_id = $1", [cid]))
      .rows[0];
    const r = await makeThumbnails(cid, { fromId: ids.a, toId: ids.b });
    expect(r).toEqual({ made: 2, unreadable: 3 });

    const rotated = await imageRow(cid, "rotated.jpg");
    const meta = await sharp(thumbnailPath(cid, rotated.id)).metadata();
    expect([meta.width, meta.height]).toEqual([30, 60]);
    expect([rotated.width, rotated.height]).toEqual([30, 60]);

    const good = await imageRow(cid, "good.jpg");
    const gm = await sharp(thumbnailPath(cid, good.id)).metadata();
    expect(Math.max(gm.width!, gm.height!)).toBe(384);

    expect((await imageRow(cid, "truncated.jpg")).status_reason).toMatch(/premature end|truncated|corrupt/i);
    expect((await imageRow(cid, "not-an-image.jpg")).status_reason).toMatch(/unsupported image format/i);
    const missing = await imageRow(cid, "missing.jpg");
    expect(missing.status).toBe("unreadable");
    expect(missing.status_reason).toMatch(/^file not found: .*missing\.jpg$/);
    expect(await thumbnailProgress(cid)).toEqual({ total: 5, done: 2, unreadable: 3 });

    // serving never throws for an unreadable image: it says why
    expect(await thumbnailFor(missing.id)).toEqual({ unreadable: missing.status_reason });
    const served = await thumbnailFor(good.id);
    expect("etag" in served && served.etag).toMatch(/^"t\d+-/);
  });

  it("makes one image's thumbnail many times at once without calling the image unreadable", async () => {
    const cid = await insertImages(root, ["good.jpg"]);
    const row = (
      await db().query(
        `SELECT i.id, i.collection_id AS "collectionId", i.file_name AS "fileName", c.images_root AS "imagesRoot", i.width
           FROM images i JOIN collections c ON c.id = i.collection_id WHERE i.collection_id = $1`,
        [cid],
      )
    ).rows[0];
    // two makers at once (a worker job and page requests) used to share one temporary file name
    const made = await Promise.all(Array.from({ length: 8 }, () => makeThumbnail(row)));
    expect(made).toEqual(Array.from({ length: 8 }, () => ({ ok: true })));
    const served = await Promise.all(Array.from({ length: 8 }, () => thumbnailFor(row.id)));
    expect(served.every((s) => "etag" in s)).toBe(true);
    expect((await imageRow(cid, "good.jpg")).status).toBe("ok");
    expect(fs.readdirSync(path.dirname(thumbnailPath(cid, row.id))).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses paths that escape the images root", () => {
    expect(() => resolveImageLocation("/data/photos", "../etc/passwd")).toThrow(
      "image path ../etc/passwd escapes the images root /data/photos",
    );
    expect(() => resolveImageLocation("/data/photos", "/etc/passwd")).toThrow(/escapes the images root/);
    expect(() => resolveImageLocation("https://bucket.example/photos/", "../secret.jpg")).toThrow(
      /escapes the images root/,
    );
    expect(resolveImageLocation("https://bucket.example/photos", "a b/1.jpg")).toBe(
      "https://bucket.example/photos/a%20b/1.jpg",
    );
  });

  it("worker jobs make every missing thumbnail of a real photo collection", async () => {
    const natural = "/work/shared/fixtures/natural-mix";
    const photosDir = fs.existsSync(natural) ? path.join(natural, "images") : root;
    const files = fs
      .readdirSync(photosDir, { recursive: true, encoding: "utf8" })
      .filter((f) => /\.jpe?g$/i.test(f))
      .slice(0, 40);
    const cid = await insertImages(photosDir, files);
    const worker = await startWorker();
    try {
      expect(await enqueueThumbnails(cid)).toBe(1);
      const deadline = Date.now() + 60_000;
      let p = await thumbnailProgress(cid);
      while (p.done + p.unreadable < p.total && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        p = await thumbnailProgress(cid);
      }
      expect(p.total).toBe(files.length);
      expect(p.done).toBe(files.length - p.unreadable);
      expect(p.done).toBeGreaterThan(0);
    } finally {
      await worker.stop();
    }
  });
});

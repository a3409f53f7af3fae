import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSyntheticTrainJson } from "@/bench/synthetic-inat";
import { ImportError, importCollection } from "@/lib/collections";
import { db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { counts } from "../collections/helpers";

// Two imports into one collection at once. On the embedded PGlite every connection is one database
// session, so the advisory lock an import takes excludes nobody there; the lease row in
// import_leases is what makes the second wait (or be refused) on both databases.

const IMAGES = 4_000;
const CATEGORIES = 40;

async function importRows(collection: string) {
  return (
    await db().query(
      `SELECT i.source, i.status FROM imports i JOIN collections c ON c.id = i.collection_id
        WHERE c.name = $1 ORDER BY i.id`,
      [collection],
    )
  ).rows;
}

async function duplicateImages(collection: string): Promise<number> {
  const r = await db().query(
    `SELECT count(*)::int AS n FROM (SELECT i.source_id FROM images i JOIN collections c ON c.id = i.collection_id
      WHERE c.name = $1 GROUP BY i.source_id HAVING count(*) > 1) d`,
    [collection],
  );
  return r.rows[0].n;
}

describe.each(dbKinds)("two imports into one collection at once on %s", (kind) => {
  let t: TestDatabase;
  let first: string;
  let second: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    first = path.join(t.filesDir, "first", "train.json");
    second = path.join(t.filesDir, "second", "train.json");
    fs.mkdirSync(path.dirname(first));
    fs.mkdirSync(path.dirname(second));
    await writeSyntheticTrainJson(first, { images: IMAGES, categories: CATEGORIES });
    await writeSyntheticTrainJson(second, { images: IMAGES / 2, categories: CATEGORIES / 2 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("the same source twice at once: the second waits, then finds it imported; nothing doubled", async () => {
    const started: string[] = [];
    const run = (label: string) =>
      importCollection({
        source: first,
        collection: "same",
        batchSize: 500,
        lockWaitMs: 120_000,
        onProgress: () => {
          if (!started.includes(label)) started.push(label);
        },
      });
    const [a, b] = await Promise.all([run("a"), run("b")]);
    // one of them did the work; the other ran only after it and found the file done
    expect([a.alreadyImported, b.alreadyImported].sort()).toEqual([false, true]);
    const worker = a.alreadyImported ? b : a;
    expect(worker.images).toEqual({ inSource: IMAGES, added: IMAGES });
    expect(await counts("same")).toMatchObject({ images: IMAGES, taxa: CATEGORIES, stageTables: 0 });
    expect(await duplicateImages("same")).toBe(0);
    expect(await importRows("same")).toEqual([{ source: first, status: "done" }]);
    expect((await db().query("SELECT count(*)::int AS n FROM import_leases")).rows[0].n).toBe(0);
  }, 60_000);

  it("another source while one runs: refused with a clear message, the running import unharmed", async () => {
    let reading!: () => void;
    const isReading = new Promise<void>((resolve) => (reading = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const running = importCollection({
      source: first,
      collection: "busy",
      batchSize: 500,
      onProgress: async (p) => {
        if (p.phase !== "reading" || p.records === 0) return;
        reading();
        await released; // hold the first import mid-read while the second tries
      },
    });
    await isReading;
    const refused = await importCollection({ source: second, collection: "busy", lockWaitMs: 500 }).catch((e) => e);
    release();
    expect(refused).toBeInstanceOf(ImportError);
    expect(refused.code).toBe("import-running");
    expect(refused.message).toBe('another import into collection "busy" is running; wait for it to finish');
    const done = await running;
    expect(done.images).toEqual({ inSource: IMAGES, added: IMAGES });
    expect(await counts("busy")).toMatchObject({ images: IMAGES, taxa: CATEGORIES, stageTables: 0 });
    // the refused import wrote nothing: no imports row of its own
    expect(await importRows("busy")).toEqual([{ source: first, status: "done" }]);

    // once the first is done the second goes ahead and adds its own images
    const after = await importCollection({ source: second, collection: "busy", lockWaitMs: 500 });
    expect(after.alreadyImported).toBe(false);
    expect(await duplicateImages("busy")).toBe(0);
  }, 60_000);

  it("a lease left by a process that died is taken over at once", async () => {
    const collectionId = (await db().query("SELECT id FROM collections WHERE name = 'busy'")).rows[0].id;
    // a pid that is not running on this host (pid_max is far below 2^22 here)
    await db().query("INSERT INTO import_leases (collection_id, holder, host, pid) VALUES ($1, 'dead', $2, $3)", [
      collectionId,
      (await import("node:os")).hostname(),
      4_194_000,
    ]);
    const r = await importCollection({ source: second, collection: "busy", lockWaitMs: 2_000 });
    expect(r.collectionId).toBe(collectionId);
    expect((await db().query("SELECT count(*)::int AS n FROM import_leases")).rows[0].n).toBe(0);
  }, 30_000);
});

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSyntheticTrainJson } from "@/bench/synthetic-inat";
import { ImportInterruptedError, importCollection, type ImportProgress } from "@/lib/collections";
import { db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { counts, tempDir } from "./helpers";

// An interrupted import (an error, an abort, kill -9) keeps what it staged and the next run of the
// same import continues from there, ending with exactly the images of the file.

const IMAGES = 6_000;
const CATEGORIES = 50;
const RECORDS = 2 * IMAGES + CATEGORIES + 1; // and the one licence the synthetic file lists

async function importRow(id: number) {
  return (await db().query("SELECT status, phase, records_done, error FROM imports WHERE id = $1", [id])).rows[0];
}

describe.each(dbKinds)("resuming an interrupted import on %s", (kind) => {
  let t: TestDatabase;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    dir = tempDir();
    file = path.join(dir, "train.json");
    // annotations first: resuming must not depend on the usual section order
    await writeSyntheticTrainJson(file, {
      images: IMAGES,
      categories: CATEGORIES,
      order: ["annotations", "categories", "images"],
    });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("an error thrown from onProgress stops it; the next run skips what was staged", async () => {
    let calls = 0;
    const stop = new Error("stop here");
    const error = await importCollection({
      source: file,
      collection: "thrown",
      batchSize: 1_000,
      onProgress: (p) => {
        if (p.phase === "reading" && ++calls === 4) throw stop;
      },
    }).catch((e) => e);
    expect(error).toBe(stop);
    const imports = (await db().query("SELECT id FROM imports ORDER BY id DESC LIMIT 1")).rows[0];
    const row = await importRow(imports.id);
    expect(row).toMatchObject({ status: "interrupted", phase: "reading", error: "stop here" });
    expect(row.records_done).toBeGreaterThanOrEqual(4_000);
    expect(row.records_done).toBeLessThan(RECORDS);
    expect((await counts("thrown")).images).toBe(0); // nothing merged yet
    expect((await counts()).stageTables).toBe(4);

    const seen: ImportProgress[] = [];
    const r = await importCollection({
      source: file,
      collection: "thrown",
      batchSize: 1_000,
      onProgress: (p) => {
        seen.push(p);
      },
    });
    expect(r.resumed).toBe(true);
    expect(r.importId).toBe(imports.id);
    expect(seen[0].records).toBeGreaterThan(row.records_done); // it did not start over
    expect(r.images).toEqual({ inSource: IMAGES, added: IMAGES });
    expect(r.taxa).toEqual({ inSource: CATEGORIES, added: CATEGORIES });
    expect(r.records).toBe(RECORDS);
    expect(await counts("thrown")).toMatchObject({ images: IMAGES, taxa: CATEGORIES, stageTables: 0 });
    expect(await importRow(imports.id)).toMatchObject({ status: "done", phase: "done", records_done: RECORDS });
  });

  it("an AbortSignal stops it with ImportInterruptedError; the next run finishes it", async () => {
    const abort = new AbortController();
    let calls = 0;
    const error = await importCollection({
      source: file,
      collection: "aborted",
      batchSize: 1_000,
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase === "reading" && ++calls === 2) abort.abort();
      },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(ImportInterruptedError);
    expect(error.message).toMatch(/^Import \d+ interrupted after \d+ records \(.*\); run it again to resume$/);
    const r = await importCollection({ source: file, collection: "aborted" });
    expect(r.resumed).toBe(true);
    expect(await counts("aborted")).toMatchObject({ images: IMAGES, taxa: CATEGORIES, stageTables: 0 });
  });

  it("stopped while merging: the next run merges without reading again", async () => {
    const error = await importCollection({
      source: file,
      collection: "merging",
      onProgress: (p) => {
        if (p.phase === "merging") throw new Error("stop before the merge");
      },
    }).catch((e) => e);
    expect(error.message).toBe("stop before the merge");
    const phases: string[] = [];
    const r = await importCollection({
      source: file,
      collection: "merging",
      onProgress: (p) => {
        phases.push(p.phase);
      },
    });
    expect(r.resumed).toBe(true);
    expect(phases).toEqual(["checking", "merging", "done"]);
    expect(await counts("merging")).toMatchObject({ images: IMAGES, taxa: CATEGORIES, stageTables: 0 });
  });

  it("a changed file does not resume the old import: that one is abandoned", async () => {
    const small = path.join(dir, "changing.json");
    await writeSyntheticTrainJson(small, { images: 3_000, categories: 10 });
    await importCollection({
      source: small,
      collection: "changing",
      batchSize: 1_000,
      onProgress: (p) => {
        if (p.phase === "reading") throw new Error("stop");
      },
    }).catch(() => {});
    await writeSyntheticTrainJson(small, { images: 2_000, categories: 10 });
    fs.utimesSync(small, new Date(), new Date(Date.now() + 5_000));
    const r = await importCollection({ source: small, collection: "changing" });
    expect(r.resumed).toBe(false);
    expect(r.images).toEqual({ inSource: 2_000, added: 2_000 });
    const statuses = (
      await db().query(
        "SELECT i.status FROM imports i JOIN collections c ON c.id = i.collection_id WHERE c.name = 'changing' ORDER BY i.id",
      )
    ).rows.map((row) => row.status);
    expect(statuses).toEqual(["abandoned", "done"]);
    expect((await counts()).stageTables).toBe(0);
  });

  it("an interrupted import whose file is gone is cleaned up by the next import into the collection", async () => {
    const gone = path.join(dir, "gone.json");
    await writeSyntheticTrainJson(gone, { images: 3_000, categories: 10 });
    await importCollection({
      source: gone,
      collection: "tidy",
      batchSize: 1_000,
      onProgress: (p) => {
        if (p.phase === "reading") throw new Error("stop");
      },
    }).catch(() => {});
    expect((await counts()).stageTables).toBe(4);
    fs.rmSync(gone);
    const other = path.join(dir, "other.json");
    await writeSyntheticTrainJson(other, { images: 100, categories: 10 });
    await importCollection({ source: other, collection: "tidy", imagesRoot: dir });
    expect((await counts()).stageTables).toBe(0);
    const statuses = (
      await db().query(
        "SELECT i.status FROM imports i JOIN collections c ON c.id = i.collection_id WHERE c.name = 'tidy' ORDER BY i.id",
      )
    ).rows.map((row) => row.status);
    expect(statuses).toEqual(["abandoned", "done"]);
  });

  it("kill -9 of the CLI mid-import: the next run resumes and ends with exact counts", async () => {
    const big = path.join(dir, "big.json");
    const images = 30_000;
    await writeSyntheticTrainJson(big, { images, categories: 500 });
    const env: NodeJS.ProcessEnv = { ...process.env, FIELDMARK_DATA_DIR: t.dataDir };
    // PostgreSQL by URL; PGlite by joining this test's embedded database through its server.json
    if (kind === "postgres") env.DATABASE_URL = t.url;
    else delete env.DATABASE_URL;
    const root = path.resolve(import.meta.dirname, "../..");
    const child = spawn(
      process.execPath,
      [path.join(root, "bin/fieldmark.mjs"), "import", big, "--collection", "killed", "--batch-size", "1000"],
      {
        cwd: root,
        env,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // wait until some batches are committed, then kill it without warning
    const deadline = Date.now() + 60_000;
    let done = 0;
    while (Date.now() < deadline) {
      const r = await db().query(
        "SELECT i.records_done FROM imports i JOIN collections c ON c.id = i.collection_id WHERE c.name = 'killed'",
      );
      done = r.rows[0]?.records_done ?? 0;
      if (done >= 10_000 || child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGKILL");
    await exited;
    expect(done, stderr).toBeGreaterThan(0);
    expect(done).toBeLessThan(2 * images);
    expect((await counts("killed")).images).toBe(0);

    const r = await importCollection({ source: big, collection: "killed" });
    expect(r.resumed).toBe(true);
    expect(r.images).toEqual({ inSource: images, added: images });
    expect(r.records).toBe(2 * images + 500 + 1);
    expect(await counts("killed")).toMatchObject({ images, taxa: 500, stageTables: 0 });
  }, 120_000);
});

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeSyntheticTrainJson } from "@/bench/synthetic-inat";
import { db } from "@/lib/db/client";
import { stopBoss } from "@/lib/jobs/boss";
import { enqueueImport, importJobStatus } from "@/lib/jobs/imports";
import { counts } from "../collections/helpers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { kill9, spawnWorker, stopGracefully, waitUntil, type Child } from "./helpers";

// `fieldmark worker` killed with SIGKILL in the middle of an import job. An import keeps its 6 h
// expiry (it may rightly run that long), so pg-boss alone would leave the job "active" for hours; the
// next worker sees from the import's lease that its run is gone and hands the job back under the same
// id, and the import resumes from what it saved: every image once, the lead's page following one job.

const IMAGES = 60_000;
const CATEGORIES = 300;

describe.each(dbKinds)("the worker killed with SIGKILL mid-import on %s", (kind) => {
  let t: TestDatabase;
  let source: string;
  let child: Child | undefined;
  const saved = process.env.FIELDMARK_IMAGE_ROOTS;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    source = path.join(t.filesDir, "inat", "train.json");
    fs.mkdirSync(path.dirname(source), { recursive: true });
    await writeSyntheticTrainJson(source, { images: IMAGES, categories: CATEGORIES });
    process.env.FIELDMARK_IMAGE_ROOTS = t.filesDir;
  }, 120_000);
  afterAll(async () => {
    if (child) await kill9(child);
    if (saved === undefined) delete process.env.FIELDMARK_IMAGE_ROOTS;
    else process.env.FIELDMARK_IMAGE_ROOTS = saved;
    await stopBoss({ timeout: 2_000 });
    await t?.close();
  });

  it("the next worker takes the job back under its id and the import ends whole, nothing doubled", async () => {
    const env = { FIELDMARK_IMAGE_ROOTS: t.filesDir };
    const jobId = await enqueueImport({ source, collection: "killed", imagesRoot: t.filesDir });
    child = spawnWorker(t, env);
    let recordsAtKill = 0;
    await waitUntil(
      async () => {
        const s = await importJobStatus(jobId);
        recordsAtKill = s?.progress?.records ?? 0;
        return s?.state === "running" && recordsAtKill > 0;
      },
      "the import to be under way",
      90_000,
    ).catch((e) => {
      throw new Error(`${e.message}; worker said: ${child!.output()}`);
    });
    await kill9(child);
    const afterKill = await importJobStatus(jobId);
    expect(afterKill?.state).toBe("running"); // pg-boss alone would say so for 6 h

    child = spawnWorker(t, env);
    await waitUntil(
      async () => (await importJobStatus(jobId))?.state === "done",
      "the import to finish",
      180_000,
    ).catch((e) => {
      throw new Error(`${e.message}; worker said: ${child!.output()}`);
    });
    expect(child.output()).toMatch(/the worker running it stopped; queued again/);
    await stopGracefully(child);
    child = undefined;

    expect(recordsAtKill).toBeLessThan(IMAGES);
    expect(await counts("killed")).toMatchObject({ images: IMAGES, taxa: CATEGORIES, stageTables: 0 });
    const dup = await db().query(
      `SELECT count(*)::int AS n FROM (SELECT source_id FROM images GROUP BY source_id HAVING count(*) > 1) d`,
    );
    expect(dup.rows[0].n).toBe(0);
    // one job, never queued again; pg-boss counts the failure and the retry it was handed back with
    const jobs = await db().query("SELECT id, state FROM pgboss.job WHERE name = 'imports'");
    expect(jobs.rows).toEqual([{ id: jobId, state: "completed" }]);
    const imports = await db().query("SELECT status FROM imports");
    expect(imports.rows).toEqual([{ status: "done" }]);
    expect((await db().query("SELECT count(*)::int AS n FROM import_leases")).rows[0].n).toBe(0);
  }, 300_000);
});

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { thumbnailProgress } from "@/lib/images/thumbnails";
import { enqueueImport, importJobStatus, type ImportJobStatus } from "@/lib/jobs/imports";
import { startWorker } from "@/workers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds, servicesRequired } from "../helpers/services";

const NATURAL_MIX = path.resolve(import.meta.dirname, "../../../shared/fixtures/natural-mix/train.json");
const haveShared = fs.existsSync(NATURAL_MIX);
if (!haveShared && servicesRequired) throw new Error(`${NATURAL_MIX} is missing`);

async function waitFor(jobId: string, until: (s: ImportJobStatus) => boolean): Promise<ImportJobStatus> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const s = await importJobStatus(jobId);
    if (s && until(s)) return s;
    if (Date.now() > deadline) throw new Error(`import job ${jobId} still ${s?.state} after 90 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(!haveShared).each(dbKinds)("import jobs in the worker on %s (needs ../shared)", (kind) => {
  let t: TestDatabase;
  let worker: { stop: () => Promise<void> };
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    process.env.FIELDMARK_DATA_DIR = t.dataDir;
    // the worker imports for leads, from what an admin allowed: here the fixture and this test's files
    process.env.FIELDMARK_IMAGE_ROOTS = [path.dirname(NATURAL_MIX), t.filesDir].join(",");
    worker = await startWorker();
  });
  afterAll(async () => {
    delete process.env.FIELDMARK_IMAGE_ROOTS;
    await worker?.stop();
    await t?.close();
  });

  it("imports a collection in the background, then makes its thumbnails", async () => {
    const jobId = await enqueueImport({ source: NATURAL_MIX, collection: "natural-mix" });
    const done = await waitFor(jobId, (s) => s.state === "done" || s.state === "failed");
    expect(done.error).toBeNull();
    expect(done.state).toBe("done");
    expect(done.progress?.status).toBe("done");
    const c = await db().query("SELECT id FROM collections WHERE name = 'natural-mix'");
    const cid = c.rows[0].id;
    const deadline = Date.now() + 120_000;
    let p = await thumbnailProgress(cid);
    while (p.done + p.unreadable < p.total && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      p = await thumbnailProgress(cid);
    }
    expect(p).toEqual({ total: 409, done: 409, unreadable: 0 });
  });

  it("reports a failed import with the importer's message", async () => {
    const bad = path.join(t.filesDir, "bad.json");
    fs.writeFileSync(bad, '{"images": [{"id": 1, "file_name": "a.jpg"},\n  {"id": 2 "file_name": "b.jpg"}]}');
    const jobId = await enqueueImport({ source: bad, collection: "bad" });
    const s = await waitFor(jobId, (x) => x.state === "failed" || x.state === "done");
    expect(s.state).toBe("failed");
    expect(s.error).toMatch(/line 2/);
  });

  it("refuses a source outside the allowed folders, saying so without naming server paths", async () => {
    const elsewhere = path.join(path.dirname(t.filesDir), "not-allowed.json");
    fs.writeFileSync(elsewhere, "{}");
    const jobId = await enqueueImport({ source: elsewhere, collection: "elsewhere" });
    const s = await waitFor(jobId, (x) => x.state === "failed" || x.state === "done");
    expect(s.state).toBe("failed");
    expect(s.error).toMatch(/FIELDMARK_IMAGE_ROOTS/);
    expect(s.error).not.toContain(path.dirname(t.filesDir));
  });
});

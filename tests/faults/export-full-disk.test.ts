import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { exportsRoot } from "@/lib/export/folder";
import { stopBoss } from "@/lib/jobs/boss";
import { enqueueExport, exportStatus } from "@/lib/jobs/export";
import { startWorker } from "@/workers";
import { seedExportFixture, type ExportFixture } from "../export/fixture";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds, servicesRequired } from "../helpers/services";
import { waitUntil } from "./helpers";

// A full disk while writing an export: the data folder's exports/ is a 128 KiB tmpfs (mounting needs
// root; without it the test says so and is skipped, or fails in CI) and the export's judgments.jsonl
// alone is larger. The job fails with "no space left for the export in <dir>", the row says failed with
// that message, nothing half-written is left (it would hold the space), the worker stays up, and once
// there is room the next export is written whole.

const EXTRA_IMAGES = 2500;

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
if (!canMount && servicesRequired)
  throw new Error("tests/faults/export-full-disk needs to mount a tmpfs (run as root)");
if (!canMount) console.warn("skipping tests/faults/export-full-disk: mounting a tmpfs needs root");

describe.skipIf(!canMount).each(dbKinds)("a full disk while writing an export on %s", (kind) => {
  let t: TestDatabase;
  let f: ExportFixture;
  let mounted: string | undefined;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    process.env.FIELDMARK_DATA_DIR = t.dataDir;
    f = await seedExportFixture(path.join(t.filesDir, "photos"));
    // enough judgments that judgments.jsonl outgrows the disk
    await db().query(
      `INSERT INTO images (collection_id, source_id, file_name)
       SELECT $1, 'x' || n, 'extra/x' || n || '.jpg' FROM generate_series(1, $2) AS n`,
      [f.id, EXTRA_IMAGES],
    );
    await db().query(
      `INSERT INTO judgments (query_id, image_id, annotator_id, value, created_at, updated_at)
       SELECT $1, i.id, 'u-bea', 'not_relevant', '2026-11-02T10:00:00Z', '2026-11-02T10:00:00Z'
         FROM images i WHERE i.collection_id = $2 AND i.source_id LIKE 'x%'`,
      [f.queryRowIds["1"], f.id],
    );
    const dir = exportsRoot();
    fs.mkdirSync(dir, { recursive: true });
    if (!tryMount(dir, "128k")) throw new Error(`could not mount a tmpfs on ${dir}`);
    mounted = dir;
  }, 120_000);
  afterAll(async () => {
    if (mounted) execFileSync("umount", ["-l", mounted]);
    await stopBoss();
    await t?.close();
  });

  it("fails with a clear message on its row, leaves nothing half-written, and the next export succeeds once there is room", async () => {
    const worker = await startWorker();
    try {
      const { exportId } = await enqueueExport(f.id);
      await waitUntil(async () => (await exportStatus(f.id, exportId))?.status === "failed", "the export to fail");
      const row = (await exportStatus(f.id, exportId))!;
      expect(row.error).toMatch(/^no space left for the export in .*exports\/\d+: free some and export again$/);
      expect(row.finishedAt).not.toBeNull();
      expect(row.checksums).toEqual({});
      const job = await db().query(
        "SELECT state, output->>'message' AS message FROM pgboss.job WHERE name = 'exports'",
      );
      expect(job.rows).toEqual([{ state: "failed", message: row.error }]); // the job and its row agree
      expect(fs.readdirSync(mounted!)).toEqual([]); // the half-written export is gone, and its space with it
      // nothing was published: the splits and the rerank set are still movable
      const frozen = await db().query(
        "SELECT count(*)::int AS n FROM queries WHERE collection_id = $1 AND split_frozen_at IS NOT NULL",
        [f.id],
      );
      expect(frozen.rows[0].n).toBe(0);

      // room again: the worker (still up) writes the next export whole
      execFileSync("mount", ["-o", "remount,size=64m", mounted!]);
      const next = await enqueueExport(f.id);
      expect(next.exportId).not.toBe(exportId);
      await waitUntil(async () => (await exportStatus(f.id, next.exportId))?.status === "done", "the next export");
      execFileSync("sha256sum", ["-c", "--quiet", "SHA256SUMS"], { cwd: path.join(mounted!, String(next.exportId)) });
    } finally {
      await worker.stop();
    }
  }, 120_000);
});

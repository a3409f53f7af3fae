import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { exportArchive, exportArchiveName } from "@/lib/export/archive";
import { exportDir, exportFile } from "@/lib/export/folder";
import { enqueueExport, exportStatus } from "@/lib/jobs/export";
import { stopBoss } from "@/lib/jobs/boss";
import { startWorker } from "@/workers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { waitUntil } from "../faults/helpers";
import { seedExportFixture, type ExportFixture } from "./fixture";

// An export as a worker job: two requests at once queue one export, the row follows the job to done with
// its checksums and left-out list, the files land in <data>/exports/<id>/, and the archive is one zip,
// the same bytes twice, whose SHA256SUMS verifies once unzipped; no name outside the export is read.

describe.each(dbKinds)("an export job on %s", (kind) => {
  let t: TestDatabase;
  let f: ExportFixture;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    process.env.FIELDMARK_DATA_DIR = t.dataDir;
    f = await seedExportFixture(path.join(t.filesDir, "photos"));
  }, 60_000);
  afterAll(async () => {
    await stopBoss();
    await t?.close();
  });

  it("queues one export for two requests, runs it to done, and zips it deterministically", async () => {
    // two clicks by the same lead, at once: either may insert the row, so both name the lead
    const [a, b] = await Promise.all([
      enqueueExport(f.id, { userId: "u-lead" }),
      enqueueExport(f.id, { userId: "u-lead" }),
    ]);
    expect(a.exportId).toBe(b.exportId);
    expect([a.alreadyQueued, b.alreadyQueued].sort()).toEqual([false, true]);
    const queued = await exportStatus(f.id, a.exportId);
    expect(queued?.status).toBe("queued");
    expect(queued?.leftOut.map((l) => l.query_id)).toEqual(["3", "4"]);

    const worker = await startWorker();
    try {
      await waitUntil(async () => (await exportStatus(f.id, a.exportId))?.status === "done", "the export to finish");
    } finally {
      await worker.stop();
    }
    const row = (await exportStatus(f.id, a.exportId))!;
    expect(row).toMatchObject({
      status: "done",
      error: null,
      rerankSetVersion: 1,
      createdBy: "lead",
      pseudonymous: true,
    });
    expect(row.done).toBe(row.total);
    expect(Object.keys(row.checksums)).toContain("inquire_annotations.csv");
    const dir = exportDir(a.exportId);
    expect(dir).toBe(path.join(t.dataDir, "exports", String(a.exportId)));
    execFileSync("sha256sum", ["-c", "--quiet", "SHA256SUMS"], { cwd: dir });

    const name = exportArchiveName(f.name, a.exportId);
    const zip = exportArchive(a.exportId, name, row.checksums);
    expect(Buffer.from(exportArchive(a.exportId, name, row.checksums)).equals(Buffer.from(zip))).toBe(true);
    const entries = unzipSync(zip);
    expect(Object.keys(entries)).toEqual(
      [...Object.keys(row.checksums), "SHA256SUMS"].sort().map((n) => `${name}/${n}`),
    );
    const out = path.join(t.filesDir, "unzipped");
    for (const [entry, bytes] of Object.entries(entries)) {
      fs.mkdirSync(path.dirname(path.join(out, entry)), { recursive: true });
      fs.writeFileSync(path.join(out, entry), bytes);
    }
    execFileSync("sha256sum", ["-c", "--quiet", "SHA256SUMS"], { cwd: path.join(out, name) });

    // a new export after this one is its own row
    const again = await enqueueExport(f.id);
    expect(again.alreadyQueued).toBe(false);
    expect(again.exportId).toBeGreaterThan(a.exportId);
  }, 120_000);

  it("reads only the export's own files", () => {
    fs.writeFileSync(path.join(t.dataDir, "secret.txt"), "not for you");
    const id = Number(fs.readdirSync(path.join(t.dataDir, "exports"))[0]);
    expect(exportFile(id, "README.md")).not.toBeNull();
    for (const name of [
      "../../secret.txt",
      "../secret.txt",
      "/etc/passwd",
      "charts/../../../secret.txt",
      "charts",
      "..",
    ])
      expect(exportFile(id, name), name).toBeNull();
    fs.symlinkSync(path.join(t.dataDir, "secret.txt"), path.join(exportDir(id), "link.txt"));
    expect(exportFile(id, "link.txt")).toBeNull();
  });

  it("says a job that died without a word failed", async () => {
    const { exportId, jobId } = await enqueueExport(f.id);
    await (await import("@/lib/jobs/boss")).boss().then((b) => b.cancel("exports", jobId));
    const row = await exportStatus(f.id, exportId);
    expect(row?.status).toBe("failed");
    expect(row?.error).toMatch(/ended without finishing/);
    expect((await db().query("SELECT status FROM exports WHERE id = $1", [exportId])).rows[0].status).toBe("queued");
  });
});

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db/open";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedProject, tableContents } from "./project";

// `fieldmark backup` and `fieldmark restore` as a user runs them on the embedded database: a backup
// of a running Fieldmark's database (joined by the CLI), restored into a new data folder.

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Runs the CLI. Not spawnSync: the embedded database is served from this process, which must keep running. */
function fieldmark(
  dataDir: string,
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, FIELDMARK_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.FIELDMARK_DB_KIND;
  const child = spawn(process.execPath, [path.join(ROOT, "bin/fieldmark.mjs"), ...args], { cwd: ROOT, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.once("close", (status) => resolve({ status, stdout, stderr })));
}

describe("fieldmark backup and restore on the embedded database", () => {
  let t: TestDatabase | undefined;
  let work: string;
  let before: Record<string, string[]>;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-backup-cli-"));
    t = await createTestDatabase("pglite");
    await seedProject(path.join(t.filesDir, "photos"));
    before = await tableContents();
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("backs up a running database and restores it into a new data folder; a second restore is refused", async () => {
    const file = path.join(work, "project.fieldmark.gz");
    const backup = await fieldmark(t!.dataDir, "backup", "--out", file);
    expect(backup.stderr).toBe("");
    expect(backup.status).toBe(0);
    const rows = Object.values(before).reduce((n, r) => n + r.length, 0);
    const tables = Object.keys(before).length;
    expect(rows).toBeGreaterThan(400);
    expect(backup.stdout).toMatch(
      new RegExp(
        `^backed up ${rows.toLocaleString("en-US")} rows of ${tables} tables to .*project\\.fieldmark\\.gz \\([\\d,]+ bytes\\) in [\\d.]+ s\\n$`,
      ),
    );
    await t!.close();
    t = undefined;

    const fresh = path.join(work, "new-data");
    const restore = await fieldmark(fresh, "restore", file);
    expect(restore.stderr).toBe("");
    expect(restore.status).toBe(0);
    expect(restore.stdout).toMatch(
      new RegExp(
        `^restored ${rows.toLocaleString("en-US")} rows of ${tables} tables \\(backup of .* from the embedded database\\) in [\\d.]+ s; every table matches the backup's checksums\\n$`,
      ),
    );
    const again = await fieldmark(fresh, "restore", file);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(
      /^error: the database is not empty \(1 collections, 3 users; rows in .*\): restore into an empty database, or pass --force to replace everything in it\n$/,
    );

    const opened = await openDatabase({ dataDir: fresh, port: 3000, databaseUrl: undefined });
    try {
      expect(await tableContents()).toEqual(before);
    } finally {
      await opened.close();
    }
  });

  it("says in its help what travels and what does not, the auth secret among them", async () => {
    const help = await fieldmark(path.join(work, "unused"), "restore", "--help");
    expect(help.stdout).toMatch(/auth secret/);
    expect(help.stdout).toMatch(/pgboss/);
    expect(fs.existsSync(path.join(work, "unused"))).toBe(false);
  });
});

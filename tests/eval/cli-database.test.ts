import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeClients, db } from "@/lib/db/client";
import { runQueryMetrics } from "@/lib/eval/runs";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { createRunFixture } from "./run-fixture";

// `fieldmark eval --collection` and `fieldmark report` as a user runs them, against a database another
// process holds (the test's), as the CLI joins a running Fieldmark: the run is kept and scored, and the
// report file is self-contained.

const ROOT = path.resolve(import.meta.dirname, "../..");

function fieldmark(
  t: TestDatabase,
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin/fieldmark.mjs"), ...args], {
      cwd: t.filesDir,
      env: { ...process.env, DATABASE_URL: t.url, FIELDMARK_DB_KIND: t.kind, FIELDMARK_DATA_DIR: t.dataDir },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe.each(dbKinds)("fieldmark eval --collection and fieldmark report on %s", (kind) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await createRunFixture("cli");
    if (kind === "pglite") await closeClients(); // the embedded server answers one client at a time well
  }, 120_000);
  afterAll(async () => t?.close());

  it("scores a two-stage run, keeps it, and writes its report as one file", { timeout: 240_000 }, async () => {
    const r = await fieldmark(
      t,
      "eval",
      "--collection",
      "cli",
      "--model",
      "cli-first",
      "--second-model",
      "cli-second",
      "--k",
      "10",
      "--json",
    );
    expect(r.stderr).not.toMatch(/error/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.run).toMatchObject({ kind: "two-stage", k: 10, model: "cli-first" });
    const stored = await runQueryMetrics(out.run.id);
    expect(out.per_query.map((q: { ap: number }) => q.ap)).toEqual(stored.map((m) => m.ap));
    const command = (await db().query("SELECT command FROM eval_runs WHERE id = $1", [out.run.id])).rows[0].command;
    expect(command).toBe("fieldmark eval --collection cli --model cli-first --second-model cli-second --k 10 --json");
    if (kind === "pglite") await closeClients();

    const report = await fieldmark(t, "report", "--collection", "cli", "--run", String(out.run.id), "--out", "r.html");
    expect(report.stderr).toBe("");
    expect(report.status).toBe(0);
    const html = fs.readFileSync(path.join(t.filesDir, "r.html"), "utf8");
    expect(html).toContain('id="errors"');
    expect(html).toContain(command);
    expect(html).not.toMatch(/src="(?!data:)/);

    const missing = await fieldmark(t, "report", "--collection", "cli", "--run", "999", "--out", "x.html");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('collection "cli" has no run 999');
  });
});

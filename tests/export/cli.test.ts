import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { seedExportFixture } from "./fixture";

// `fieldmark export` end to end on a small seeded collection, as a user runs it (the CLI joins the
// test's database), then `fieldmark eval --rerank` on what it wrote, and the refusals.

const ROOT = path.resolve(import.meta.dirname, "../..");

function fieldmark(
  t: TestDatabase,
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, FIELDMARK_DATA_DIR: t.dataDir };
  delete env.DATABASE_URL;
  delete env.FIELDMARK_DB_KIND;
  if (t.kind === "postgres") env.DATABASE_URL = t.url;
  const child = spawn(process.execPath, [path.join(ROOT, "bin/fieldmark.mjs"), ...args], { cwd: ROOT, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.once("close", (status) => resolve({ status, stdout, stderr })));
}

describe.each(dbKinds)("fieldmark export on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await seedExportFixture(path.join(t.filesDir, "photos"));
  }, 60_000);
  afterAll(async () => t?.close());

  it("exports, lists what it left out, and its rerank CSV scores with fieldmark eval", async () => {
    const out = path.join(t.filesDir, "benchmark");
    const r = await fieldmark(t, "export", "--collection", "garden-survey", "--out", out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^exported 3 queries \(val 1, test 2\), 14 judgments, 12 files to .*benchmark in [\d.]+ s\n/,
    );
    expect(r.stdout).toContain("rerank set version 1 (test-clip)\n");
    expect(r.stdout).toContain("left out: query 3: not finished (status labeling)\n");
    expect(r.stdout).toContain("left out: query 4: no split (val or test) assigned yet\n");
    expect(r.stderr).toMatch(/exporting garden-survey \[#+\] 6\/6/);
    execFileSync("sha256sum", ["-c", "--quiet", "SHA256SUMS"], { cwd: out });

    // a run that ranks query 1's set in reverse image order, scored as a rerank
    const run = path.join(t.filesDir, "run.csv");
    fs.writeFileSync(
      run,
      "query_id,image_id,score\n" +
        [1001, 1002, 1003, 1004, 1005, 1006].map((id, i) => `1,${id},${i}`).join("\n") +
        "\n",
    );
    const evaluated = await fieldmark(
      t,
      "eval",
      "--queries",
      path.join(out, "inquire_queries_val.csv"),
      "--run",
      run,
      "--rerank",
      path.join(out, "inquire_rerank_val.csv"),
      "--json",
    );
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    expect(report.task).toBe("rerank");
    expect(report.per_query).toHaveLength(1);
    // ranked 1006, 1005, 1004, 1003, 1002, 1001 with 1001, 1003, 1004, 1005 relevant: AP = (1/2 + 2/3 + 3/4 + 4/6) / 4
    expect(report.mean.ap).toBeCloseTo((1 / 2 + 2 / 3 + 3 / 4 + 4 / 6) / 4, 10);
  }, 120_000);

  it("refuses an --out that is not empty and an unknown collection, writing nothing", async () => {
    const full = path.join(t.filesDir, "full");
    fs.mkdirSync(full);
    fs.writeFileSync(path.join(full, "notes.txt"), "mine");
    const r = await fieldmark(t, "export", "--collection", "garden-survey", "--out", full);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: .*full is not empty: export into a new or empty folder\n$/);
    expect(fs.readdirSync(full)).toEqual(["notes.txt"]);
    const missing = await fieldmark(t, "export", "--collection", "nope", "--out", path.join(t.filesDir, "x"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^error: no collection named "nope"/);
    expect(fs.existsSync(path.join(t.filesDir, "x"))).toBe(false);
    const badSet = await fieldmark(
      t,
      "export",
      "--collection",
      "garden-survey",
      "--out",
      path.join(t.filesDir, "y"),
      "--rerank-set",
      "7",
    );
    expect(badSet.status).toBe(1);
    expect(badSet.stderr).toMatch(/^error: the collection has no rerank set version 7\n$/);
  }, 120_000);

  // last: it stops this process's server, as when the tool is stopped and the CLI opens PGlite itself
  // (PostgreSQL has no such case: the CLI always connects)
  if (kind === "pglite")
    it("with the tool stopped, opens the database on a thread of its own and exports the same bytes", async () => {
      await t.stopServer();
      const out = path.join(t.filesDir, "stopped");
      const r = await fieldmark(t, "export", "--collection", "garden-survey", "--out", out);
      expect(r.status, r.stderr).toBe(0);
      expect(fs.readFileSync(path.join(out, "SHA256SUMS"), "utf8")).toBe(
        fs.readFileSync(path.join(t.filesDir, "benchmark", "SHA256SUMS"), "utf8"),
      );
      expect(fs.existsSync(path.join(t.dataDir, "server.json"))).toBe(false); // the thread's server stopped
    }, 120_000);
});

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedCollection } from "../helpers/seed";
import { dbKinds, servicesRequired } from "../helpers/services";

const ROOT = path.resolve(import.meta.dirname, "../..");
const VAL = path.resolve(ROOT, "../shared/data/inquire/inquire_queries_val.csv");
const haveInquire = fs.existsSync(VAL);
if (!haveInquire && servicesRequired) throw new Error(`${VAL} is missing`);

describe.skipIf(!haveInquire).each(dbKinds)("fieldmark queries import/list on %s (needs ../shared)", (kind) => {
  let t: TestDatabase;
  let root: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-queries-cli-"));
    await seedCollection(root);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Runs the CLI. Not spawnSync: the embedded database is served from this process, which must keep running. */
  function fieldmark(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, FIELDMARK_DATA_DIR: t.dataDir };
    // PostgreSQL by URL; PGlite by joining this test's embedded database
    if (kind === "postgres") env.DATABASE_URL = t.url;
    else delete env.DATABASE_URL;
    const child = spawn(process.execPath, [path.join(ROOT, "bin/fieldmark.mjs"), ...args], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    return new Promise((resolve) => child.once("close", (status) => resolve({ status, stdout, stderr })));
  }

  it("imports INQUIRE's val queries and lists them as JSON with INQUIRE's ids and exact text", async () => {
    const imported = await fieldmark("queries", "import", VAL, "--collection", "garden-survey", "--split", "val");
    expect(imported.stderr).toBe("");
    expect(imported.stdout).toBe("50 queries in inquire_queries_val.csv: 50 new, 0 updated, 0 unchanged\n");
    const listed = await fieldmark("queries", "list", "--collection", "garden-survey", "--json");
    const rows = JSON.parse(listed.stdout);
    expect(rows).toHaveLength(50);
    expect(rows.find((q: { query_id: number }) => q.query_id === 161)).toEqual({
      query_id: 161,
      query_text: "red fox showing signs of sarcoptic mange ",
      supercategory: "Appearance",
      category: "Health and Disease",
      iconic_group: "Mammals",
      split: "val",
    });
    expect(Object.keys(rows[0])).toEqual([
      "query_id",
      "query_text",
      "supercategory",
      "category",
      "iconic_group",
      "split",
    ]);
  });

  it("fails with the file, line and column of a bad row, and names a missing collection", async () => {
    const bad = path.join(root, "bad.csv");
    fs.writeFileSync(
      bad,
      ",query_id,query_text,supercategory,category,iconic_group\n0,1,a heron,Behavior,x,Birds\n1,2,a crane,Behaviour,x,Birds\n",
    );
    const r = await fieldmark("queries", "import", bad, "--collection", "garden-survey");
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'error: bad.csv line 3, column supercategory: "Behaviour" is not one of Appearance, Behavior, Context, Species\n',
    );
    const missing = await fieldmark("queries", "list", "--collection", "nope", "--json");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('error: no collection named "nope" (see `fieldmark collections list`)\n');
  });
});

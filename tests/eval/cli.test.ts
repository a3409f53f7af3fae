import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// `fieldmark eval` as a user runs it: plain files in, JSON out, and no database opened or created.

const ROOT = path.resolve(import.meta.dirname, "../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-eval-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

function fieldmark(...args: string[]) {
  const dataDir = path.join(dir, "data");
  // a database URL nothing answers: a command that tried to use it would fail
  const env = { ...process.env, FIELDMARK_DATA_DIR: dataDir, DATABASE_URL: "postgresql://nobody@127.0.0.1:9/none" };
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin/fieldmark.mjs"), "eval", ...args], {
    cwd: dir,
    env,
    encoding: "utf8",
  });
  return { ...r, dataDirMade: fs.existsSync(dataDir) };
}

const queries = file(
  "q.csv",
  ",query_id,query_text,supercategory,category,iconic_group\n0,1,a,Behavior,Feeding,Birds\n1,2,b,Appearance,,Insects\n",
);
const annotations = file("a.csv", "query_id,image_id,image_path\n1,10,x\n1,11,x\n2,20,x\n");

describe("fieldmark eval", () => {
  it("prints the mean, per query and groups as JSON, with no database", () => {
    const run = file("run.csv", "query_id,image_id,score\n1,11,0.2\n1,10,0.9\n1,12,0.5\n");
    const r = fieldmark(
      "--queries",
      queries,
      "--annotations",
      annotations,
      "--run",
      run,
      "--k",
      "2",
      "--by",
      "iconic_group",
      "--json",
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    // query 1, top 2 by score: 10 (R), 12 (.); 2 relevant in all: AP 1 x 1 / min(2, 2)
    expect(out.per_query[0]).toMatchObject({ query_id: "1", ap: 0.5, mrr: 1, precision: 0.5, recall: 0.5 });
    expect(out.per_query[1]).toEqual({ query_id: "2", ap: 0, ndcg: 0, mrr: 0, precision: 0, recall: 0 });
    expect(out.mean.ap).toBeCloseTo(0.25, 12);
    expect(Object.keys(out.groups)).toEqual(["Birds", "Insects"]);
    expect(r.dataDirMade).toBe(false);
  });

  it("says what is wrong and where, and exits 1", () => {
    const run = file("bad.csv", "query_id,image_id,score\n1,10,0.9\n1,11,n/a\n");
    const r = fieldmark("--queries", queries, "--annotations", annotations, "--run", run);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('bad.csv line 3, column score: "n/a" is not a number');
    expect(r.stdout).toBe("");
  });

  it("states the tie rule in --help", () => {
    const r = fieldmark("--help");
    expect(r.stdout).toMatch(/equal scores are broken by ascending\s+image id/);
  });
});

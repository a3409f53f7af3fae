// Model runs inside the tool: a full-rank run (each finished query ranked over the collection through
// the vector search, INQUIRE's metrics, the ranking kept), an imported run CSV, and the PoC report, on a
// throwaway PostgreSQL database. Baseline from the same run: the same metrics by `fieldmark eval`'s
// evaluateFiles on the run's ranking written to files (no database).
// Usage: npx tsx bench/runs.ts [--images 20000] [--queries 50] [--dim 64] [--k 50]
// Needs FIELDMARK_BENCH_POSTGRES_URL or FIELDMARK_TEST_POSTGRES_URL (an admin URL).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { db } from "@/lib/db/client";
import { openDatabase } from "@/lib/db/open";
import { evaluateFiles } from "@/lib/eval/evaluate";
import { importRun } from "@/lib/eval/import-run";
import { buildReport } from "@/lib/eval/report/build";
import { checkRunRequest } from "@/lib/eval/run-request";
import { createRunHere } from "@/lib/eval/runs";
import { scoreRun } from "@/lib/eval/score-run";
import { rng } from "@/lib/random";
import { buildIndex } from "@/lib/vectors/hnsw";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";

const { values: a } = parseArgs({
  options: {
    images: { type: "string", default: "20000" },
    queries: { type: "string", default: "50" },
    dim: { type: "string", default: "64" },
    k: { type: "string", default: "50" },
  },
});
const [N, Q, DIM, K] = [Number(a.images), Number(a.queries), Number(a.dim), Number(a.k)];
const log = (s: string) => process.stderr.write(`${s}\n`);
const adminUrl = process.env.FIELDMARK_BENCH_POSTGRES_URL || process.env.FIELDMARK_TEST_POSTGRES_URL;
if (!adminUrl) throw new Error("set FIELDMARK_BENCH_POSTGRES_URL or FIELDMARK_TEST_POSTGRES_URL");
const dbName = `fieldmark_bench_${crypto.randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-bench-runs-"));
const database = await openDatabase({ dataDir, port: 0, databaseUrl: url.toString() });
const time = async <T>(work: () => Promise<T> | T): Promise<[T, number]> => {
  const t0 = performance.now();
  const out = await work();
  return [out, performance.now() - t0];
};

try {
  const random = rng(1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 40 }, () => Float32Array.from({ length: DIM }, gauss));
  const clusterOf = (i: number) => i % centres.length;
  const vectors = Array.from({ length: N }, (_, i) =>
    Float32Array.from(centres[clusterOf(i)], (x) => x + 1.2 * gauss()),
  );
  const collectionId = (await db().query("INSERT INTO collections (name) VALUES ('bench') RETURNING id")).rows[0].id;
  const ids = (
    await db().query<{ id: string }>(
      `INSERT INTO images (collection_id, source_id, file_name) SELECT $1, g::text, g || '.jpg'
         FROM generate_series(1, $2) g ORDER BY g RETURNING id`,
      [collectionId, N],
    )
  ).rows.map((r) => Number(r.id));
  const modelId = (
    await db().query(
      "INSERT INTO models (name, kind, folder, dim) VALUES ('bench', 'image', '/nowhere', $1) RETURNING id",
      [DIM],
    )
  ).rows[0].id;
  await ensureVectorStorage(modelId, DIM);
  for (let at = 0; at < N; at += 5000)
    await upsertEmbeddings(
      modelId,
      ids.slice(at, at + 5000).map((imageId, i) => ({ imageId, vector: vectors[at + i] })),
    );
  await buildIndex(modelId);
  await db().query("INSERT INTO users (id, name, email) VALUES ('ann', 'ann', 'ann@example.org')");
  // Q finished queries: one cluster each, an example image, 100 judgments (the cluster's first 60 relevant)
  for (let q = 0; q < Q; q++) {
    const qid = (
      await db().query(
        "INSERT INTO queries (collection_id, source_id, text, category, status) VALUES ($1, $2, 'q', $3, 'finished') RETURNING id",
        [collectionId, String(q + 1), `c${q % 5}`],
      )
    ).rows[0].id;
    const members = ids.filter((_, i) => clusterOf(i) === q % centres.length);
    await db().query("INSERT INTO query_examples (query_id, image_id) VALUES ($1, $2)", [qid, members[0]]);
    const judged = [
      ...members.slice(0, 60).map((id) => [id, "relevant"]),
      ...ids.slice(q * 40, q * 40 + 40).map((id) => [id, "not_relevant"]),
    ];
    await db().query(
      `INSERT INTO judgments (query_id, image_id, annotator_id, value)
       SELECT $1, u.i, 'ann', u.v::"JudgmentValue" FROM unnest($2::bigint[], $3::text[]) u(i, v) ON CONFLICT DO NOTHING`,
      [qid, judged.map((j) => j[0]), judged.map((j) => j[1])],
    );
  }
  log(`${N} images, ${Q} queries, ${DIM}-d, indexed`);

  const run = await checkRunRequest({ collectionId, model: "bench", k: K, command: "bench", createdBy: null });
  const runId = await createRunHere(run);
  const [, runMs] = await time(() => scoreRun(runId));
  const [, reportMs] = await time(() => buildReport({ id: collectionId, name: "bench" }, runId, { threshold: 0.5 }));

  // baseline: the kept ranking and the labels as files, scored with no database
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-bench-runs-files-"));
  const scores = await db().query(
    `SELECT q.source_id AS q, i.source_id AS i, s.score FROM eval_run_scores s JOIN queries q ON q.id = s.query_id
       JOIN images i ON i.id = s.image_id WHERE s.run_id = $1 AND s.rank <= $2`,
    [runId, K],
  );
  fs.writeFileSync(
    path.join(dir, "run.csv"),
    "query_id,image_id,score\n" + scores.rows.map((r) => `${r.q},${r.i},${r.score}`).join("\n") + "\n",
  );
  const rel = await db().query(
    `SELECT q.source_id AS q, i.source_id AS i FROM judgments j JOIN queries q ON q.id = j.query_id JOIN images i ON i.id = j.image_id WHERE j.value = 'relevant'`,
  );
  fs.writeFileSync(
    path.join(dir, "ann.csv"),
    "query_id,image_id\n" + rel.rows.map((r) => `${r.q},${r.i}`).join("\n") + "\n",
  );
  fs.writeFileSync(
    path.join(dir, "q.csv"),
    ",query_id,query_text,supercategory,category,iconic_group\n" +
      Array.from({ length: Q }, (_, q) => `${q},${q + 1},q,Species,,`).join("\n") +
      "\n",
  );
  const [files, filesMs] = await time(() =>
    evaluateFiles({
      queries: path.join(dir, "q.csv"),
      annotations: path.join(dir, "ann.csv"),
      run: path.join(dir, "run.csv"),
      k: K,
    }),
  );
  // an imported run of 1,000 images per query
  const lines = ["query_id,image_id,score"];
  for (let q = 0; q < Q; q++)
    for (let i = 0; i < 1000; i++) lines.push(`${q + 1},${((q * 1000 + i) % N) + 1},${random()}`);
  fs.writeFileSync(path.join(dir, "import.csv"), lines.join("\n") + "\n");
  const [, importMs] = await time(() =>
    importRun({
      collectionId,
      file: path.join(dir, "import.csv"),
      modelName: "elsewhere",
      k: K,
      command: "bench",
      createdBy: null,
    }),
  );
  const means = (await db().query("SELECT means FROM eval_runs WHERE id = $1", [runId])).rows[0].means;
  fs.rmSync(dir, { recursive: true, force: true });

  const rows = [
    ["step", "ms", "per query ms", "note"],
    [`in-tool full-rank run (k ${K})`, runMs.toFixed(0), (runMs / Q).toFixed(1), `mean AP ${means.ap.toFixed(4)}`],
    [
      "baseline: same ranking scored from files",
      filesMs.toFixed(0),
      (filesMs / Q).toFixed(2),
      `mean AP ${files.mean.ap.toFixed(4)}`,
    ],
    [`import a run CSV (${Q} x 1,000 rows)`, importMs.toFixed(0), (importMs / Q).toFixed(1), ""],
    ["PoC report (errors, expert, probe)", reportMs.toFixed(0), (reportMs / Q).toFixed(1), ""],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(`| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`);
} finally {
  await database.close();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e) => log(`drop failed: ${e.message}`));
  await admin.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

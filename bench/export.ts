// Exporting a benchmark of INQUIRE's size: 250 finished queries (50 val, 200 test), 200,000 judgments
// by 20 annotators (20 images per query judged twice, so agreement has pairs; one in five with an earlier
// value in its history), a rerank set of 100 images per query. Rows per database: the whole export
// (lib/export's buildExport and writing the files, as the worker does) against, in the same run, the raw
// read of every judgment row (SELECT * FROM judgments, history included) it must at least do.
// Usage: npx tsx bench/export.ts [--db pglite|pglite-thread|pglite-served|postgres|both|all] [--rounds 2]
// pglite-thread runs the embedded database on a worker thread of the exporting process, as `fieldmark
// export` opens it while the tool is stopped; pglite on the exporting thread itself (the baseline, as
// every other command opens it); pglite-served in a process of its own (scripts/serve-embedded.mjs), as `fieldmark start`
// serves it to the worker that runs a page's export and to a CLI started while the tool runs.
// PostgreSQL needs FIELDMARK_BENCH_POSTGRES_URL (or FIELDMARK_TEST_POSTGRES_URL), an admin URL: the
// bench creates and drops its own database there.
import crypto from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { closeClients, db } from "@/lib/db/client";
import { openDatabase } from "@/lib/db/open";
import { buildExport } from "@/lib/export/build";
import { writeFiles } from "@/lib/export/write";
import { table } from "./label-load";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const QUERIES = 250;
const PER_QUERY = 800; // 780 images judged once, 20 judged twice
const IMAGES = 100_000;
const ANNOTATORS = 20;
const ROUNDS = Number(arg("rounds", "2"));

async function seed(): Promise<number> {
  const c = (await db().query("INSERT INTO collections (name) VALUES ('bench') RETURNING id")).rows[0].id as number;
  await db().query(
    `INSERT INTO taxa (collection_id, source_id, name, iconic_group)
     SELECT $1, n::text, 'Species ' || n, (ARRAY['Aves','Insecta','Plantae','Fungi'])[1 + n % 4] FROM generate_series(1, 50) n`,
    [c],
  );
  await db().query(
    `INSERT INTO images (collection_id, source_id, file_name, taxon_id, latitude, longitude, license, rights_holder, observed_at)
     SELECT $1, n::text, 'train/t' || (n % 50) || '/' || n || '.jpg', (SELECT id FROM taxa WHERE collection_id = $1 AND source_id = (1 + n % 50)::text),
            40 + n % 10, -70 - n % 10, 'cc-by', 'someone', '2024-05-01T10:00:00Z'::timestamptz + n * interval '1 minute'
       FROM generate_series(1, $2) n`,
    [c, IMAGES],
  );
  await db().query(
    `INSERT INTO users (id, name, email) SELECT 'a' || n, 'Annotator ' || n, 'a' || n || '@example.org' FROM generate_series(0, $1 - 1) n`,
    [ANNOTATORS],
  );
  await db().query(
    `INSERT INTO queries (collection_id, source_id, text, status, split, supercategory, category, iconic_group)
     SELECT $1, q::text, 'query number ' || q, 'finished', CASE WHEN q <= 50 THEN 'val' ELSE 'test' END::"Split",
            (ARRAY['Appearance','Behavior','Context','Species'])[1 + q % 4], 'category ' || (q % 16), 'Aves'
       FROM generate_series(1, $2) q`,
    [c, QUERIES],
  );
  // image k of query q: ((q * 397 + k * 7) mod IMAGES) + 1, distinct for k < 800
  await db().query(
    `INSERT INTO judgments (query_id, image_id, annotator_id, value, source, history, created_at, updated_at)
     SELECT qr.id, im.id, 'a' || a, v::"JudgmentValue", 'text-image',
            CASE WHEN k % 5 = 0 THEN jsonb_build_array(jsonb_build_object('value', 'unsure', 'at', '2026-01-01T00:00:00Z')) ELSE '[]' END,
            '2026-01-01'::timestamptz + (q * 1000 + k) * interval '1 second', '2026-01-01'::timestamptz + (q * 1000 + k) * interval '1 second'
       FROM generate_series(1, $2) q
       CROSS JOIN generate_series(0, $3 - 1) k
       CROSS JOIN LATERAL (SELECT CASE WHEN k < $3 - 20 THEN k ELSE k - ($3 - 20) END AS j) jj
       CROSS JOIN LATERAL (SELECT CASE WHEN k < $3 - 20 THEN k % $5 ELSE (jj.j + 1) % $5 END AS a,
                                  CASE WHEN jj.j % 10 = 0 THEN 'relevant' WHEN jj.j % 97 = 1 THEN 'unsure' ELSE 'not_relevant' END AS v) av
       JOIN queries qr ON qr.collection_id = $1 AND qr.source_id = q::text
       JOIN images im ON im.collection_id = $1 AND im.source_id = (((q * 397 + jj.j * 7) % $4) + 1)::text`,
    [c, QUERIES, PER_QUERY, IMAGES, ANNOTATORS],
  );
  const set = await db().query(
    `INSERT INTO rerank_sets (collection_id, version, model_name, model_checksum, depth, built_at)
     VALUES ($1, 1, 'bench-clip', 'sha256:bench', 100, now()) RETURNING id`,
    [c],
  );
  const setId = set.rows[0].id;
  await db().query(
    `INSERT INTO rerank_set_queries (rerank_set_id, query_id, status, relevant)
     SELECT $1, id, 'included', 10 FROM queries WHERE collection_id = $2`,
    [setId, c],
  );
  await db().query(
    `INSERT INTO rerank_items (rerank_set_id, query_id, image_id, rank, score)
     SELECT $1, qr.id, im.id, k + 1, 1 - k / 1000.0
       FROM generate_series(1, $3) q CROSS JOIN generate_series(0, 99) k
       JOIN queries qr ON qr.collection_id = $2 AND qr.source_id = q::text
       JOIN images im ON im.collection_id = $2 AND im.source_id = (((q * 397 + k * 7) % $4) + 1)::text`,
    [setId, c, QUERIES, IMAGES],
  );
  await db().query("ANALYZE");
  return c;
}

type Kind = "pglite" | "pglite-thread" | "pglite-served" | "postgres";
const KIND_LABEL: Record<Kind, string> = {
  pglite: "pglite, on the exporting thread",
  "pglite-thread": "pglite, on a thread of its own (fieldmark export)",
  "pglite-served": "pglite, served by another process",
  postgres: "postgres",
};

/** The embedded database alone in a process of its own, as `fieldmark start` serves it to the worker. */
function serveEmbedded(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [path.join(import.meta.dirname, "../scripts/serve-embedded.mjs"), dataDir, "0"],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout!.on("data", (d: Buffer) => {
      output += d;
      const ready = /ready (\S+)/.exec(output);
      if (ready) resolve({ url: ready[1], child });
    });
    child.once("exit", (code) => reject(new Error(`the embedded database exited with ${code}: ${output}`)));
  });
}

async function measure(kind: Kind, adminUrl?: string): Promise<(string | number)[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-bench-export-"));
  const dataDir = path.join(dir, "data");
  fs.mkdirSync(dataDir);
  delete process.env.DATABASE_URL;
  delete process.env.FIELDMARK_DB_KIND;
  let name: string | null = null;
  let databaseUrl: string | undefined;
  let served: ChildProcess | undefined;
  if (kind === "pglite-served") {
    const server = await serveEmbedded(dataDir);
    served = server.child;
    databaseUrl = server.url;
    process.env.FIELDMARK_DB_KIND = "pglite"; // as a child of `fieldmark start` is told
  }
  if (kind === "postgres") {
    name = `fieldmark_bench_${crypto.randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl!);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  const opened = await openDatabase({ dataDir, port: 3000, databaseUrl }, { thread: kind === "pglite-thread" });
  try {
    let t = performance.now();
    const collectionId = await seed();
    const judgments = (await db().query("SELECT count(*)::int AS n FROM judgments")).rows[0].n as number;
    console.error(
      `${kind}: seeded ${judgments.toLocaleString("en-US")} judgments in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    let exportBest = Infinity;
    let rawBest = Infinity;
    let bytes = 0;
    let first: string | null = null;
    for (let round = 0; round < ROUNDS; round++) {
      t = performance.now();
      const phases: string[] = [];
      let last = performance.now();
      let current = "plan";
      const built = await buildExport(collectionId, {}, ({ phase }) => {
        phases.push(`${current} ${((performance.now() - last) / 1000).toFixed(2)}`);
        last = performance.now();
        current = phase;
      });
      console.error(`  phases: ${phases.join(", ")}`);
      writeFiles(path.join(dir, `out-${round}`), built.files);
      exportBest = Math.min(exportBest, (performance.now() - t) / 1000);
      bytes = [...built.files.values()].reduce((s, b) => s + b.byteLength, 0);
      const sums = Buffer.from(built.files.get("SHA256SUMS")!).toString();
      if (first !== null && sums !== first) throw new Error("two exports of the same data differ");
      first = sums;
      // the baseline after the export, not before: the raw read's 200,000 parsed rows are garbage the
      // export would otherwise pay to collect
      t = performance.now();
      const raw = (await db().query("SELECT * FROM judgments")).rows.length;
      rawBest = Math.min(rawBest, (performance.now() - t) / 1000);
      if (raw !== judgments) throw new Error("the raw read missed rows");
      console.error(`${kind} round ${round + 1}: export ${exportBest.toFixed(2)} s, raw read ${rawBest.toFixed(2)} s`);
    }
    return [
      KIND_LABEL[kind],
      QUERIES,
      judgments.toLocaleString("en-US"),
      (bytes / 1e6).toFixed(1),
      exportBest.toFixed(2),
      rawBest.toFixed(2),
      `${(exportBest / rawBest).toFixed(1)}x`,
    ];
  } finally {
    await opened.close();
    await closeClients();
    if (served) {
      const exited = new Promise((resolve) => served!.once("exit", resolve));
      served.kill("SIGTERM");
      await exited;
    }
    if (name) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const which = arg("db", "both");
  if (!["pglite", "pglite-thread", "pglite-served", "postgres", "both", "all"].includes(which))
    throw new Error(
      "--db must be pglite, pglite-thread, pglite-served, postgres, both (pglite-thread and postgres) or all",
    );
  const adminUrl = process.env.FIELDMARK_BENCH_POSTGRES_URL || process.env.FIELDMARK_TEST_POSTGRES_URL;
  const kinds: Kind[] =
    which === "all"
      ? ["pglite", "pglite-thread", "pglite-served", "postgres"]
      : which === "both"
        ? ["pglite-thread", "postgres"]
        : [which as Kind];
  if (kinds.includes("postgres") && !adminUrl)
    throw new Error(
      "set FIELDMARK_BENCH_POSTGRES_URL (or FIELDMARK_TEST_POSTGRES_URL) to a PostgreSQL admin URL, or use --db pglite",
    );
  const rows: (string | number)[][] = [];
  for (const kind of kinds) rows.push(await measure(kind, adminUrl));
  console.log(
    table(["database", "queries", "judgments", "files MB", "export s", "raw SELECT s", "export / raw"], rows),
  );
  console.log(
    `\n${os.cpus().length} cores, Node ${process.versions.node}; best of ${ROUNDS} rounds; export = every file built and ` +
      `written (annotations, rerank Parquet and CSV, judgments.jsonl, card, charts, SHA256SUMS); the target is under 5 s`,
  );
}

await main();

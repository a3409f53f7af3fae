// bench/dashboard: the coverage dashboard's server work (readDashboard: every query's counts by final
// label, recall and signals, annotators, agreement, the matrix, judgments per annotator per day and the
// relevant-found curves) at INQUIRE's size: 250 queries, 200,000 judgments by 20 annotators (10% of each
// query's images judged twice, half the disagreements adjudicated), 100,000 images. Baseline from the
// same run and data: one `SELECT query_id, count(*) FROM judgments GROUP BY query_id`.
//
//   npx tsx bench/dashboard.ts [--runs 7] [--db pglite|postgres|both] [--keep bench/out/dashboard-db]
//
// PGlite by default; PostgreSQL in a throwaway database on FIELDMARK_BENCH_POSTGRES_URL (an admin URL).

import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { querySignals } from "@/lib/active-learning/stopping";
import { finalLabelCounts, judgmentsByQuery } from "@/lib/agreement/labels";
import { agreementForQueries } from "@/lib/agreement/read";
import { readDashboard } from "@/lib/dashboard/read";
import { closeClients, db } from "@/lib/db/client";
import { openDatabase } from "@/lib/db/open";
import { cpuBetween, cpuSeconds, percentile, table } from "./label-load";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const RUNS = Number(arg("runs", "7"));
const ADMIN_URL = process.env.FIELDMARK_BENCH_POSTGRES_URL;
const KINDS = arg("db", ADMIN_URL ? "both" : "pglite") === "both" ? ["pglite", "postgres"] : [arg("db", "pglite")];
const QUERIES = 250;
const PER_QUERY = 727; // + every 10th judged twice: 250 x (727 + 73) = 200,000 judgments
const IMAGES = 100_000;
const ANNOTATORS = 20;

type Opened = { close: () => Promise<void> };
/** The PostgreSQL database's name while it is open: its backends' CPU counts as server work too. */
let benchDatabase: string | null = null;

const KEEP = arg("keep", ""); // a PGlite data folder kept between runs: seeded once, reused after

async function open(kind: string, root: string): Promise<Opened> {
  const dataDir =
    kind === "pglite" && KEEP ? path.resolve(KEEP) : path.join(root, crypto.randomBytes(4).toString("hex"));
  fs.mkdirSync(dataDir, { recursive: true });
  if (kind === "pglite") return openDatabase({ dataDir, port: 3000, databaseUrl: undefined });
  if (!ADMIN_URL) throw new Error("set FIELDMARK_BENCH_POSTGRES_URL to a PostgreSQL admin URL");
  const name = `fieldmark_bench_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  delete process.env.FIELDMARK_DB_KIND;
  await openDatabase({ dataDir, port: 3000, databaseUrl: url.toString() });
  benchDatabase = name;
  return {
    close: async () => {
      benchDatabase = null;
      await closeClients();
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** A number in [0, 1) from the text, the same on both databases. */
const HASH = (text: string) => `((hashtext(${text}) & 2147483647) / 2147483648.0)`;

async function seed(): Promise<number> {
  const pool = db();
  const c = (await pool.query("INSERT INTO collections (name) VALUES ('bench') RETURNING id")).rows[0].id;
  await pool.query(
    `INSERT INTO taxa (collection_id, source_id, name, rank, iconic_group)
     SELECT $1, g::text, 'Species ' || g, 'species', (ARRAY['Aves','Insecta','Plantae','Mammalia','Fungi'])[1 + g % 5]
       FROM generate_series(1, 500) g`,
    [c],
  );
  await pool.query(
    `INSERT INTO images (collection_id, source_id, file_name, taxon_id)
     SELECT $1, g::text, 'img/' || g || '.jpg', (SELECT min(id) FROM taxa) + g % 500 FROM generate_series(1, $2) g`,
    [c, IMAGES],
  );
  await pool.query(
    `INSERT INTO users (id, name, email, role)
     SELECT 'u' || g, 'Expert ' || g, 'e' || g || '@example.org', 'expert' FROM generate_series(1, $1) g`,
    [ANNOTATORS],
  );
  await pool.query(
    `INSERT INTO queries (collection_id, source_id, text, supercategory, category, iconic_group, status)
     SELECT $1, g::text, 'query ' || g, (ARRAY['Appearance','Behavior','Context','Species'])[1 + g % 4],
            'category ' || (g % 13), (ARRAY['Aves','Insecta','Plantae','Mammalia','Fungi'])[1 + g % 5],
            (CASE WHEN g % 3 = 0 THEN 'finished' ELSE 'labeling' END)::"QueryStatus"
       FROM generate_series(1, $2) g`,
    [c, QUERIES],
  );
  // first judgments: image k of query q is ((q * 7919 + k * 13) mod IMAGES); relevant often early, rarely late
  await pool.query(
    `INSERT INTO judgments (query_id, image_id, annotator_id, value, created_at)
     SELECT q.id, (SELECT min(id) FROM images) + (q.id * 7919 + k * 13) % $1,
            'u' || (1 + q.id % $2),
            (CASE WHEN ${HASH("q.id || ':' || k")} < 0.7 * exp(-k / 120.0) THEN 'relevant'
                  WHEN ${HASH("'u' || q.id || ':' || k")} < 0.03 THEN 'unsure' ELSE 'not_relevant' END)::"JudgmentValue",
            timestamptz '2026-11-01 08:00Z' + (q.id % 30) * interval '1 day' + k * interval '40 seconds'
       FROM queries q CROSS JOIN generate_series(0, $3 - 1) k ORDER BY q.id, k`,
    [IMAGES, ANNOTATORS, PER_QUERY],
  );
  // the overlap sample: every 10th image judged again by the next annotator, who disagrees 1 time in 8
  await pool.query(
    `INSERT INTO judgments (query_id, image_id, annotator_id, value, created_at)
     SELECT j.query_id, j.image_id, 'u' || (1 + (j.query_id + 1) % $1),
            (CASE WHEN ${HASH("'o' || j.id")} < 0.125
                  THEN CASE WHEN j.value = 'relevant' THEN 'not_relevant' ELSE 'relevant' END ELSE j.value::text END)::"JudgmentValue",
            j.created_at + interval '2 days'
       FROM (SELECT *, row_number() OVER (PARTITION BY query_id ORDER BY id) AS k FROM judgments) j
      WHERE j.k % 10 = 1 ORDER BY j.id`,
    [ANNOTATORS],
  );
  await pool.query(
    `INSERT INTO adjudications (query_id, image_id, value)
     SELECT query_id, image_id, 'relevant' FROM judgments GROUP BY query_id, image_id
     HAVING count(DISTINCT value) > 1 AND hashtext(query_id || ':' || image_id) % 2 = 0`,
  );
  // a learning row per query with the signals a round writes
  const queries = await pool.query<{ id: number; seq: boolean[] }>(
    `SELECT query_id AS id, array_agg(value = 'relevant' ORDER BY id) AS seq FROM judgments GROUP BY query_id`,
  );
  for (const q of queries.rows) {
    const found = q.seq.filter(Boolean).length;
    const trusted = q.id % 2 === 0;
    const estimate = {
      remaining: 3,
      remainingLow: 0,
      remainingHigh: 9,
      recall: found / (found + 3),
      recallLow: found / (found + 9),
      recallHigh: 1,
      audited: trusted ? 60 : 10,
      trusted,
      ...(trusted ? {} : { reason: "only 10 audit judgments (30 needed)" }),
    };
    const signals = querySignals({
      sequence: q.seq,
      collectionSize: IMAGES,
      audit: { draw: 1, planned: 30, judged: 30, relevant: 0, foundSince: 0 },
      estimate,
    });
    await pool.query(`INSERT INTO query_learning (query_id, rounds, signals, looks_complete) VALUES ($1, 12, $2, $3)`, [
      q.id,
      JSON.stringify(signals),
      signals.looksComplete,
    ]);
  }
  await pool.query("ANALYZE");
  const n = await pool.query("SELECT count(*)::int AS n FROM judgments");
  return n.rows[0].n;
}

/** The CPU seconds of this database's PostgreSQL backends (their command line names the database). */
const backends = () =>
  benchDatabase
    ? cpuSeconds((p) => p.cmdline.startsWith("postgres:") && p.cmdline.includes(benchDatabase!))
    : new Map();

/**
 * Wall ms of each run, and the server's CPU ms: this process (with PGlite, the database's work too) plus,
 * on PostgreSQL, its backends. On a shared machine the wall time waits for the neighbours; the CPU does not.
 */
async function time(runs: number, work: () => Promise<unknown>): Promise<{ wall: number[]; cpu: number[] }> {
  await work(); // warm: plans cached, pages read
  const out = { wall: [] as number[], cpu: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const before = backends();
    const t = performance.now();
    const c = process.cpuUsage();
    await work();
    const used = process.cpuUsage(c);
    out.wall.push(performance.now() - t);
    out.cpu.push((used.user + used.system) / 1000 + cpuBetween(before, backends()) * 1000);
  }
  return out;
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-bench-dashboard-"));
  const rows: (string | number)[][] = [];
  try {
    for (const kind of KINDS) {
      const opened = await open(kind, root);
      const t0 = performance.now();
      const seeded = await db().query("SELECT count(*)::int AS n FROM judgments");
      const judgments = seeded.rows[0].n > 0 ? seeded.rows[0].n : await seed();
      console.error(
        `${kind}: seeded ${judgments.toLocaleString("en-US")} judgments in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      const collectionId = (await db().query("SELECT id FROM collections WHERE name = 'bench'")).rows[0].id;
      const ids: number[] = (await db().query("SELECT id FROM queries ORDER BY id")).rows.map((r) => r.id);
      const baseline = await time(RUNS, () =>
        db().query("SELECT query_id, count(*) FROM judgments WHERE query_id = ANY($1::int[]) GROUP BY query_id", [ids]),
      );
      const base = percentile(baseline.wall, 50);
      const parts: [string, () => Promise<unknown>][] = [
        ["baseline: count(*) GROUP BY query_id", async () => {}],
        ["readDashboard (all of it)", () => readDashboard(collectionId)],
        ["  finalLabelCounts", () => finalLabelCounts(ids)],
        ["  judgmentsByQuery (the compact read)", () => judgmentsByQuery(ids)],
        ["  agreementForQueries", () => agreementForQueries(ids)],
      ];
      for (const [what, work] of parts) {
        const ms = what.startsWith("baseline") ? baseline : await time(RUNS, work);
        const p50 = percentile(ms.wall, 50);
        rows.push([
          kind,
          what,
          p50.toFixed(0),
          percentile(ms.wall, 95).toFixed(0),
          (p50 / base).toFixed(1),
          percentile(ms.cpu, 50).toFixed(0),
        ]);
      }
      const d = await readDashboard(collectionId);
      console.error(
        `${kind}: ${d.queries.length} queries, ${d.totals.judgments.toLocaleString("en-US")} judgments, ` +
          `${d.totals.relevant.toLocaleString("en-US")} relevant, kappa ${d.agreement.kappa?.toFixed(3)}`,
      );
      await opened.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(
    `\n${QUERIES} queries, ${(QUERIES * (PER_QUERY + Math.ceil(PER_QUERY / 10))).toLocaleString("en-US")} judgments, ` +
      `${RUNS} runs after a warm-up; ms of server work\n`,
  );
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} on ${os.cpus().length} cores\n`,
  );
  console.log(table(["database", "what", "p50 ms", "p95 ms", "p50 / baseline", "server CPU ms (p50)"], rows));
}

await main();

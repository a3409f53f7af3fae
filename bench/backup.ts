// bench/backup: how long `fieldmark backup` and `restore` take on a project of N images with 512-d
// vectors and judgments, on PostgreSQL and on the embedded PGlite, and how big the file is.
//
//   npx tsx bench/backup.ts [--images 50000] [--dim 512] [--db postgres|pglite|both] [--index]
//
// PostgreSQL is a throwaway database on FIELDMARK_BENCH_POSTGRES_URL or FIELDMARK_TEST_POSTGRES_URL.
// Baseline, same run, same data: pg_dump -Fc and pg_restore of the PostgreSQL database (PGlite has no
// pg_dump). Each restore goes into a fresh database of the same kind and checks every table's checksum.

import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { writeBackup } from "@/lib/backup/backup";
import { restoreBackup } from "@/lib/backup/restore";
import { closeClients, db } from "@/lib/db/client";
import { openDatabase } from "@/lib/db/open";
import { buildIndex } from "@/lib/vectors/hnsw";
import { ensureVectorStorage } from "@/lib/vectors/storage";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const IMAGES = Number(arg("images", "50000"));
const DIM = Number(arg("dim", "512"));
const KINDS = arg("db", "both") === "both" ? ["postgres", "pglite"] : [arg("db", "both")];
const INDEX = process.argv.includes("--index");
const ADMIN_URL = process.env.FIELDMARK_BENCH_POSTGRES_URL || process.env.FIELDMARK_TEST_POSTGRES_URL;

type Opened = { url: string; close: () => Promise<void> };

async function open(kind: string, root: string): Promise<Opened> {
  const dataDir = path.join(root, crypto.randomBytes(4).toString("hex"));
  fs.mkdirSync(dataDir, { recursive: true });
  if (kind === "pglite") {
    const o = await openDatabase({ dataDir, port: 3000, databaseUrl: undefined });
    return { url: o.url, close: o.close };
  }
  if (!ADMIN_URL) throw new Error("set FIELDMARK_BENCH_POSTGRES_URL or FIELDMARK_TEST_POSTGRES_URL");
  const name = `fieldmark_bench_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  delete process.env.FIELDMARK_DB_KIND;
  const o = await openDatabase({ dataDir, port: 3000, databaseUrl: url.toString() });
  return {
    url: url.toString(),
    close: async () => {
      await closeClients();
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
      void o;
    },
  };
}

async function seed(): Promise<number> {
  const pool = db();
  const c = (await pool.query("INSERT INTO collections (name) VALUES ('bench') RETURNING id")).rows[0].id;
  await pool.query(
    `INSERT INTO taxa (collection_id, source_id, name, rank, kingdom, genus, species)
     SELECT $1, g::text, 'Genus' || (g / 10) || ' species' || g, 'species', 'Animalia', 'Genus' || (g / 10), 'species' || g
       FROM generate_series(1, 500) g`,
    [c],
  );
  await pool.query(
    `INSERT INTO images (collection_id, source_id, file_name, width, height, taxon_id, observed_at, latitude, longitude)
     SELECT $1, g::text, 'img/' || g || '.jpg', 640, 480, (SELECT min(id) FROM taxa) + g % 500,
            timestamptz '2023-01-01' + g * interval '1 minute', 40 + (g % 1000) / 100.0, -70 - (g % 777) / 77.0
       FROM generate_series(1, $2) g`,
    [c, IMAGES],
  );
  const model = (
    await pool.query(
      "INSERT INTO models (name, kind, folder, dim) VALUES ('bench-clip', 'clip', '/models/bench', $1) RETURNING id",
      [DIM],
    )
  ).rows[0].id;
  const store = await ensureVectorStorage(model, DIM);
  for (let from = 0; from < IMAGES; from += 5000) {
    await pool.query(
      `INSERT INTO ${store.tableName} (image_id, collection_id, taxon_id, vector)
       SELECT i.id, i.collection_id, i.taxon_id,
              (SELECT array_agg(sin(i.id * 7.0 + d))::real[] FROM generate_series(1, $3) d)::vector
         FROM images i ORDER BY i.id OFFSET $1 LIMIT $2`,
      [from, 5000, DIM],
    );
  }
  if (INDEX) await buildIndex(model);
  await pool.query(
    `INSERT INTO users (id, name, email, role) SELECT 'u' || g, 'Expert ' || g, 'e' || g || '@example.org', 'expert' FROM generate_series(1, 20) g`,
  );
  const q = (
    await pool.query("INSERT INTO queries (collection_id, source_id, text) VALUES ($1, '1', 'a heron') RETURNING id", [
      c,
    ])
  ).rows[0].id;
  await pool.query(
    `INSERT INTO judgment_events (annotator_id, client_id, query_id, image_id, value, source, time_spent_ms)
     SELECT 'u' || (1 + g % 20), md5(g::text), $1, i.id, 'relevant', 'text-image', 900
       FROM generate_series(1, $2) g JOIN images i ON i.source_id = g::text`,
    [q, Math.floor(IMAGES / 5)],
  );
  await pool.query(
    `INSERT INTO judgments (query_id, image_id, annotator_id, value, source, time_spent_ms, client_id)
     SELECT query_id, image_id, annotator_id, value, source, time_spent_ms, client_id FROM judgment_events`,
  );
  return Number((await pool.query("SELECT pg_database_size(current_database()) AS n")).rows[0].n);
}

type Result = { what: string; seconds: number; mb: number; note: string };

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-bench-backup-"));
  const results: Result[] = [];
  try {
    for (const kind of KINDS) {
      const source = await open(kind, root);
      const size = await seed();
      const file = path.join(root, `${kind}.fieldmark.gz`);
      const b = await writeBackup(file);
      const rows = b.tables.reduce((s, t) => s + t.rows, 0);
      results.push({
        what: `fieldmark backup (${kind})`,
        seconds: b.seconds,
        mb: b.bytes / 2 ** 20,
        note: `${rows.toLocaleString("en-US")} rows; database ${(size / 2 ** 20).toFixed(0)} MB`,
      });
      if (kind === "postgres") {
        const dump = path.join(root, "pg.dump");
        let t = performance.now();
        execFileSync("pg_dump", ["-Fc", "-f", dump, source.url]);
        results.push({
          what: "pg_dump -Fc (baseline)",
          seconds: (performance.now() - t) / 1000,
          mb: fs.statSync(dump).size / 2 ** 20,
          note: "",
        });
        const bare = `fieldmark_bench_${crypto.randomBytes(4).toString("hex")}`;
        const admin = new pg.Client({ connectionString: ADMIN_URL });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${bare}`);
        const bareUrl = new URL(ADMIN_URL!);
        bareUrl.pathname = `/${bare}`;
        t = performance.now();
        execFileSync("pg_restore", ["--no-owner", "-d", bareUrl.toString(), dump]);
        results.push({
          what: "pg_restore (baseline)",
          seconds: (performance.now() - t) / 1000,
          mb: 0,
          note: "no checksum check",
        });
        await admin.query(`DROP DATABASE ${bare} WITH (FORCE)`);
        await admin.end();
      }
      await source.close();
      const target = await open(kind, root);
      const r = await restoreBackup(file);
      results.push({ what: `fieldmark restore (${kind})`, seconds: r.seconds, mb: 0, note: "checksums verified" });
      await target.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(`\n${IMAGES.toLocaleString("en-US")} images, ${DIM}-d vectors${INDEX ? " with HNSW" : ""}\n`);
  console.log("| what | seconds | file MB | |");
  console.log("| --- | ---: | ---: | --- |");
  for (const r of results)
    console.log(`| ${r.what} | ${r.seconds.toFixed(1)} | ${r.mb ? r.mb.toFixed(1) : ""} | ${r.note} |`);
}

await main();

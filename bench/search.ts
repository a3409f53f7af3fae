// Vector search at scale: N vectors (default 1,000,000) of 512 dimensions in PostgreSQL + pgvector with
// HNSW (cosine). Reports load rate, index build time and size, then top-k latency (p50/p95) and
// recall@k against exact search computed in the same run, unfiltered and with a taxon filter keeping 1%
// of rows, for a realistic set (low intrinsic dimension, see search-data.ts), for uniformly random unit
// vectors (the worst case) and for real MobileNetV2 vectors of the lepidoptera fixture. CPU is shared on these machines, so compare against the exact-scan
// baseline measured in the same run.
// Usage: npx tsx bench/search.ts [--n 1000000] [--dim 512] [--queries 100] [--k 100] [--ef 100,200,400]
//        [--random-n 100000] [--sets realistic,random,mobilenet] [--memory 4GB] [--workers 1] [--keep] [--no-sort]
// Needs FIELDMARK_BENCH_POSTGRES_URL or FIELDMARK_TEST_POSTGRES_URL (an admin URL): it creates and drops
// a throwaway database there.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { db } from "@/lib/db/client";
import { openDatabase } from "@/lib/db/open";
import type { ImageFilter } from "@/lib/filters/filter";
import {
  DEFAULT_EF_SEARCH,
  imageVector,
  searchByVectorDetailed,
  type SearchResult,
  type VectorSearchOptions,
} from "@/lib/search/vector-search";
import { buildIndex } from "@/lib/vectors/hnsw";
import { ensureVectorStorage, getVectorStore } from "@/lib/vectors/storage";
import { upsertBatchRows, upsertEmbeddings } from "@/lib/vectors/upsert";
import { loadMobileNetSet, mobilenetAvailable } from "./search-mobilenet";
import {
  GENERA,
  SPECIES,
  makeMixture,
  normals,
  sampleImage,
  sampleUniform,
  speciesOfRow,
  twoNearestNeighbourDimension,
} from "./search-data";
import { rng } from "../tests/helpers/random";

const { values: a } = parseArgs({
  options: {
    n: { type: "string", default: "1000000" },
    dim: { type: "string", default: "512" },
    queries: { type: "string", default: "100" },
    k: { type: "string", default: "100" },
    ef: { type: "string", default: "100,200,400" }, // pgvector returns at most ef_search rows without iterating: below k it acts as k
    "random-n": { type: "string", default: "100000" },
    sets: { type: "string", default: "realistic,random,mobilenet" },
    memory: { type: "string", default: "4GB" },
    workers: { type: "string", default: "1" },
    m: { type: "string", default: "16" },
    "ef-construction": { type: "string", default: "200" },
    keep: { type: "boolean", default: false },
    "no-sort": { type: "boolean", default: false },
  },
});
const N = Number(a.n);
const DIM = Number(a.dim);
const Q = Number(a.queries);
const K = Number(a.k);
const EFS = a.ef!.split(",").map(Number);
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

const adminUrl = process.env.FIELDMARK_BENCH_POSTGRES_URL || process.env.FIELDMARK_TEST_POSTGRES_URL;
if (!adminUrl)
  throw new Error("set FIELDMARK_BENCH_POSTGRES_URL (or FIELDMARK_TEST_POSTGRES_URL) to a PostgreSQL admin URL");
const dbName = `fieldmark_bench_${crypto.randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-bench-search-"));
const database = await openDatabase({ dataDir, port: 0, databaseUrl: url.toString() });
log(
  `database ${dbName}; ${os.cpus().length} cores; pgvector ${(await db().query("SELECT extversion FROM pg_extension WHERE extname = 'vector'")).rows[0].extversion}`,
);

type Row = Record<string, string | number>;
const rows: Row[] = [];
const facts: Row[] = [];

// ---- collection: SPECIES species in GENERA genera; image g is of species g % SPECIES
const collectionId = (await db().query("INSERT INTO collections (name) VALUES ('bench') RETURNING id")).rows[0].id;
await db().query(
  `INSERT INTO taxa (collection_id, source_id, name, rank, kingdom, family, genus, species, iconic_group)
   SELECT $1, 's' || s, 'G' || (s % ${GENERA}) || ' e' || s, 'species', 'Animalia', 'F' || (s % ${GENERA} / 10), 'G' || (s % ${GENERA}), 'e' || s, 'Insecta'
   FROM generate_series(0, ${SPECIES - 1}) s`,
  [collectionId],
);
const t0 = performance.now();
await db().query(
  `INSERT INTO images (collection_id, source_id, file_name, taxon_id)
   SELECT $1, 'b' || g, 'b' || g || '.jpg', t.id FROM generate_series(0, ${N - 1}) g
   JOIN taxa t ON t.collection_id = $1 AND t.source_id = 's' || (g % ${SPECIES}) ORDER BY g`,
  [collectionId],
);
await db().query("ANALYZE images; ANALYZE taxa");
const ids = (await db().query("SELECT min(id) AS lo, max(id) AS hi FROM images")).rows[0];
if (ids.hi - ids.lo !== N - 1) throw new Error("image ids are not contiguous");
const imageId = (g: number) => ids.lo + g;
log(`${N.toLocaleString()} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const ms = (x: number) => x.toFixed(1);
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}
function recall(found: SearchResult[], truth: SearchResult[]): number {
  const t = new Set(truth.map((r) => r.imageId));
  return truth.length ? found.filter((r) => t.has(r.imageId)).length / truth.length : 1;
}

type Dataset = {
  name: string;
  n: number;
  collectionId: number;
  modelId: number;
  queries: Float32Array[];
  filter: (q: number) => ImageFilter;
  filterName: string;
};

async function measure(
  ds: Dataset,
  queries: Float32Array[],
  opts: (q: number) => Omit<VectorSearchOptions, "collectionId" | "k">,
) {
  const times: number[] = [];
  const results: SearchResult[][] = [];
  const strategies = new Set<string>();
  let fellBack = 0;
  for (let q = 0; q < queries.length; q++) {
    const s = performance.now();
    const d = await searchByVectorDetailed(ds.modelId, queries[q], { collectionId: ds.collectionId, k: K, ...opts(q) });
    times.push(performance.now() - s);
    results.push(d.results);
    strategies.add(d.strategy);
    if (d.fellBack) fellBack++;
  }
  return { times, results, strategy: [...strategies].join("+"), fellBack };
}

/** Sorts, builds the HNSW index and records load, build and size facts. */
async function index(name: string, modelId: number, n: number, loadFact: string): Promise<void> {
  let lastLog = 0;
  const built = await buildIndex(modelId, {
    m: Number(a.m),
    efConstruction: Number(a["ef-construction"]),
    maintenanceWorkMem: a.memory,
    parallelWorkers: Number(a.workers),
    sortByTaxonomy: !a["no-sort"],
    onProgress: (p) => {
      if (Date.now() - lastLog > 60_000) {
        lastLog = Date.now();
        log(`${name}: index ${p.phase} ${p.tuplesDone.toLocaleString()} / ${p.tuplesTotal.toLocaleString()}`);
      }
    },
  });
  const store = await getVectorStore(modelId);
  const tableBytes = Number(
    (await db().query("SELECT pg_total_relation_size($1::regclass) AS s", [store.tableName])).rows[0].s,
  );
  facts.push(
    { set: name, fact: "vectors", value: `${n.toLocaleString()} x ${store.dim}` },
    { set: name, fact: "load", value: loadFact },
    {
      set: name,
      fact: "sort by taxonomy (table rewrite before the build)",
      value: `${built.sortSeconds.toFixed(0)} s`,
    },
    {
      set: name,
      fact: `HNSW build (m ${a.m}, ef_construction ${a["ef-construction"]}, ${a.memory}, ${a.workers} worker(s))`,
      value: `${built.seconds.toFixed(0)} s`,
    },
    {
      set: name,
      fact: "index size / table size",
      value: `${(built.sizeBytes / 2 ** 20).toFixed(0)} MB / ${(tableBytes / 2 ** 20).toFixed(0)} MB`,
    },
  );
  log(`${name}: index built in ${built.seconds.toFixed(0)} s`);
}

async function synthetic(name: "realistic" | "random", n: number): Promise<Dataset> {
  const modelId = (
    await db().query("INSERT INTO models (name, kind, folder, dim) VALUES ($1, 'image', '-', $2) RETURNING id", [
      name,
      DIM,
    ])
  ).rows[0].id;
  const store = await ensureVectorStorage(modelId, DIM);
  const mixture = makeMixture(DIM, 1);
  const gauss = normals(rng(name === "realistic" ? 2 : 3));
  const vectorOf = (g: number) =>
    name === "realistic" ? sampleImage(mixture, speciesOfRow(g), gauss) : sampleUniform(DIM, gauss);
  if (name === "realistic") {
    const sample = Array.from({ length: 8000 }, (_, i) => vectorOf(i));
    facts.push({
      set: name,
      fact: "intrinsic dimension (two-NN, 400 probes in 8,000 rows)",
      value: twoNearestNeighbourDimension(sample).toFixed(1),
    });
  }
  // load: generate the next batch while the database writes the current one
  const t = performance.now();
  const batch = upsertBatchRows(DIM);
  let pending: Promise<number> | undefined;
  for (let at = 0; at < n; at += batch) {
    const part = Array.from({ length: Math.min(batch, n - at) }, (_, i) => ({
      imageId: imageId(at + i),
      vector: vectorOf(at + i),
    }));
    if (pending) await pending;
    pending = upsertEmbeddings(modelId, part, store);
    if ((at / batch) % 100 === 0) log(`${name}: loading ${at.toLocaleString()} / ${n.toLocaleString()}`);
  }
  await pending;
  const loadSeconds = (performance.now() - t) / 1000;
  await index(
    name,
    modelId,
    n,
    `${loadSeconds.toFixed(0)} s, ${Math.round(n / loadSeconds).toLocaleString()} vectors/s (generated in JS meanwhile; upsertEmbeddings, binary)`,
  );
  // queries: new images of random species (not in the table), or random directions
  const qrand = rng(name === "realistic" ? 100 : 101);
  const qgauss = normals(qrand);
  const queries = Array.from({ length: Q }, () =>
    name === "realistic" ? sampleImage(mixture, Math.floor(qrand() * SPECIES), qgauss) : sampleUniform(DIM, qgauss),
  );
  const genus = Array.from({ length: Q }, () => Math.floor(qrand() * GENERA));
  return {
    name,
    n,
    collectionId,
    modelId,
    queries,
    filter: (q) => ({ taxon: `G${genus[q]}`, rank: "genus" }),
    filterName: "genus 1%",
  };
}

async function mobilenet(): Promise<Dataset> {
  const set = await loadMobileNetSet(log);
  const n = set.imageIds.length;
  await index(
    "mobilenet",
    set.modelId,
    n,
    `embedded in ${set.embedSeconds.toFixed(0)} s (${(n / set.embedSeconds).toFixed(0)} images/s)`,
  );
  const qrand = rng(102);
  const picks = Array.from({ length: Math.min(Q, n) }, () => Math.floor(qrand() * n));
  const queries = await Promise.all(picks.map(async (i) => (await imageVector(set.modelId, set.imageIds[i])).vector));
  const species = picks.map(() => Math.floor(qrand() * set.speciesNames.length));
  return {
    name: "mobilenet",
    n,
    collectionId: set.collectionId,
    modelId: set.modelId,
    queries,
    filter: (q) => ({ taxon: set.speciesNames[species[q]] }),
    filterName: "species 1%",
  };
}

async function report(ds: Dataset): Promise<void> {
  const { name, n, queries } = ds;
  await measure(ds, queries.slice(0, 10), () => ({ strategy: "index", efSearch: 100 })); // warm the caches
  const exact = await measure(ds, queries, () => ({ strategy: "exact" }));
  const exactF = await measure(ds, queries, (q) => ({ strategy: "exact", filters: ds.filter(q) }));
  const add = (
    filterName: string,
    method: string,
    ef: string,
    m: Awaited<ReturnType<typeof measure>>,
    truth: typeof exact,
  ) => {
    const baseline = pct(truth.times, 0.5);
    const r = m.results.reduce((s, res, i) => s + recall(res, truth.results[i]), 0) / m.results.length;
    const short = m.results.filter((res, i) => res.length < Math.min(K, truth.results[i].length)).length;
    rows.push({
      set: name,
      n: n.toLocaleString(),
      filter: filterName,
      method,
      ef_search: ef,
      "p50 ms": ms(pct(m.times, 0.5)),
      "p95 ms": ms(pct(m.times, 0.95)),
      [`recall@${K}`]: r.toFixed(3),
      "p50 / exact p50": (pct(m.times, 0.5) / baseline).toFixed(3),
      "short of K": short,
      "fell back": m.fellBack,
    });
  };
  add("none", "exact scan", "-", exact, exact);
  const auto = await measure(ds, queries, () => ({}));
  add("none", `auto (${auto.strategy})`, String(Math.max(K, DEFAULT_EF_SEARCH)), auto, exact);
  for (const ef of EFS)
    add(
      "none",
      "HNSW",
      String(Math.max(K, ef)),
      await measure(ds, queries, () => ({ strategy: "index", efSearch: ef })),
      exact,
    );
  add(ds.filterName, "exact scan", "-", exactF, exactF);
  const autoF = await measure(ds, queries, (q) => ({ filters: ds.filter(q) }));
  add(ds.filterName, `auto (${autoF.strategy})`, "-", autoF, exactF);
  const forced = await measure(ds, queries, (q) => ({
    strategy: "index",
    efSearch: DEFAULT_EF_SEARCH,
    filters: ds.filter(q),
  }));
  add(ds.filterName, "HNSW iterative scan, forced", String(Math.max(K, DEFAULT_EF_SEARCH)), forced, exactF);
}

try {
  for (const set of a.sets!.split(",")) {
    if (set === "realistic") await report(await synthetic("realistic", N));
    else if (set === "random") await report(await synthetic("random", Math.min(N, Number(a["random-n"]))));
    else if (set === "mobilenet") {
      if (mobilenetAvailable()) await report(await mobilenet());
      else log("mobilenet: ../shared/models/mobilenetv2-int8 or ../shared/fixtures/lepidoptera not found, skipped");
    } else throw new Error(`unknown set ${set}`);
  }
} finally {
  await database.close();
  if (!a.keep)
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e) => log(`drop failed: ${e.message}`));
  await admin.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

function table(list: Row[]): string {
  const head = Object.keys(list[0]);
  const widths = head.map((h) => Math.max(h.length, ...list.map((r) => String(r[h]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [
    line(head),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...list.map((r) => line(head.map((h) => String(r[h])))),
  ].join("\n");
}
console.log(`\nbench/search: dim ${DIM}, k ${K}, ${Q} queries per row, ${os.cpus().length} cores (shared)\n`);
console.log(table(facts));
console.log();
console.log(table(rows));
fs.mkdirSync(path.resolve(import.meta.dirname, "out"), { recursive: true });
fs.writeFileSync(
  path.resolve(import.meta.dirname, "out", `search-${N}.json`),
  JSON.stringify({ facts, rows }, null, 2),
);

// bench/exhaustive: what active learning and the stopping signals buy, measured by the simulator on the
// product's own path (lib/simulate), and how fast a round refreshes the queue at scale.
//
//   FIELDMARK_BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:54329/postgres npx tsx bench/exhaustive.ts
//     [--parts simulate,refresh] [--limit N] [--random-seed 1] [--refresh-n 1000000] [--refresh-dim 512]
//
// simulate: ../shared/fixtures/lepidoptera embedded with MobileNetV2 (int8, pooled 1280-d), one query per
// species (50 relevant among 4,950; the rankers never see the species) and multi-species queries
// (groups of species sharing a name: swallowtails, hairstreaks, whites, skippers, birdwings, hawk moths),
// each seeded by one random relevant photo; static (INQUIRE's protocol) against cal.
// refresh: N synthetic vectors (bench/search-data's realistic mixture) with their HNSW index; an expert
// judges a species query batch by batch and the worker runs each round; the time from the batch's last
// judgment to the refreshed queue, against the same round forced onto an exact scan (the baseline).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { db } from "@/lib/db/client";
import { openDatabase } from "@/lib/db/open";
import { runLearningRound } from "@/lib/active-learning/round";
import { requestLearningRoundIfDue } from "@/lib/jobs/learning";
import { nextCandidates } from "@/lib/judgments/queue";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import { simulate, type SimulationReport } from "@/lib/simulate/simulate";
import type { Truth } from "@/lib/simulate/truth";
import { buildIndex } from "@/lib/vectors/hnsw";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { startWorker } from "@/workers";
import { rng } from "../tests/helpers/random";
import { GENERA, makeMixture, normals, sampleImage, SPECIES, speciesOfRow } from "./search-data";
import { loadMobileNetSet, mobilenetAvailable } from "./search-mobilenet";

const { values: a } = parseArgs({
  options: {
    parts: { type: "string", default: "simulate,refresh" },
    limit: { type: "string", default: "0" },
    "random-seed": { type: "string", default: "1" },
    "refresh-n": { type: "string", default: "1000000" },
    "refresh-dim": { type: "string", default: "512" },
    "refresh-rounds": { type: "string", default: "30" },
  },
});
const parts = new Set(a.parts!.split(","));
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const adminUrl = process.env.FIELDMARK_BENCH_POSTGRES_URL || process.env.FIELDMARK_TEST_POSTGRES_URL;
if (!adminUrl)
  throw new Error("set FIELDMARK_BENCH_POSTGRES_URL (or FIELDMARK_TEST_POSTGRES_URL) to a PostgreSQL admin URL");

async function withDatabase<T>(label: string, work: () => Promise<T>): Promise<T> {
  const name = `fieldmark_bench_${label}_${crypto.randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl!);
  url.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-bench-exhaustive-"));
  const database = await openDatabase({ dataDir, port: 0, databaseUrl: url.toString() });
  try {
    return await work();
  } finally {
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

const f = (x: number | null, d = 1) => (x === null ? "-" : x.toFixed(d));

function table(title: string, report: SimulationReport): string {
  const s = report.strategies;
  const lines = [
    `${title}`,
    "",
    "| strategy | queries | judgments (mean) | recall at stop | judgments to 95% | reached 95% | interval covered |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const [name, r] of Object.entries(s))
    lines.push(
      `| ${name} | ${r.queries} | ${f(r.judgments)} | ${f(r.recall, 3)} | ${f(r.judgments_to_95)} | ${r.reached_95} | ${r.ci_coverage === null ? "-" : `${(r.ci_coverage * 100).toFixed(0)}%`} |`,
    );
  if (s.static && s.cal) {
    lines.push("");
    lines.push(
      `cal / static judgments at the stop: ${(s.cal.judgments / s.static.judgments).toFixed(2)} (target ≤ 0.50); ` +
        `cal recall at the stop ${f(s.cal.recall, 3)} (target ≥ 0.95); ` +
        `cal interval coverage ${s.cal.ci_coverage === null ? "-" : f(s.cal.ci_coverage, 2)} (target ≥ 0.90)`,
    );
  }
  return lines.join("\n");
}

const GROUPS: Record<string, RegExp> = {
  swallowtails: /swallow/i,
  hairstreaks: /hairstreak/i,
  whites: /\bwhite$/i,
  skippers: /skipper/i,
  birdwings: /birdwing/i,
  "hawk moths": /hawk moth|sphinx/i,
};

async function simulatePart() {
  if (!mobilenetAvailable()) throw new Error("simulate needs ../shared (MobileNetV2 and the lepidoptera fixture)");
  await withDatabase("sim", async () => {
    const set = await loadMobileNetSet(log);
    const names = (
      await db().query<{ id: number; name: string }>("SELECT id, name FROM taxa WHERE collection_id = $1", [
        set.collectionId,
      ])
    ).rows;
    const images = (
      await db().query<{ id: string; source_id: string; taxon_id: number }>(
        "SELECT id, source_id, taxon_id FROM images WHERE collection_id = $1",
        [set.collectionId],
      )
    ).rows;
    const truthOf = (members: (taxonId: number) => string | null): Truth => {
      const truth: Truth = new Map();
      for (const img of images) {
        const q = members(img.taxon_id);
        if (!q) continue;
        const m = truth.get(q) ?? new Map<string, number>();
        m.set(img.source_id, Number(img.id));
        truth.set(q, m);
      }
      const limit = Number(a.limit);
      return limit ? new Map([...truth].slice(0, limit)) : truth;
    };
    const nameOf = new Map(names.map((t) => [t.id, t.name]));
    const species = truthOf((t) => nameOf.get(t) ?? null);
    const groups = truthOf((t) => Object.entries(GROUPS).find(([, re]) => re.test(nameOf.get(t) ?? ""))?.[0] ?? null);
    const out: string[] = [];
    for (const [title, truth] of [
      [`Species queries (${species.size}, 50 relevant each among 4,950)`, species],
      [`Multi-species queries (${[...groups].map(([g, m]) => `${g} ${m.size}`).join(", ")} relevant)`, groups],
    ] as const) {
      const started = performance.now();
      let last = 0;
      const report = await simulate({
        collectionId: set.collectionId,
        modelId: set.modelId,
        truth,
        seedPositives: 1,
        strategies: ["static", "cal"],
        randomSeed: Number(a["random-seed"]),
        onProgress: (done, total, label) => {
          if (Date.now() - last > 30_000) {
            last = Date.now();
            log(`simulate: ${done} / ${total} (${label})`);
          }
        },
      });
      out.push(table(title, report));
      log(`${title}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
    console.log(out.join("\n\n"));
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

async function refreshPart() {
  const N = Number(a["refresh-n"]);
  const DIM = Number(a["refresh-dim"]);
  await withDatabase("refresh", async () => {
    const collectionId = (await db().query("INSERT INTO collections (name) VALUES ('refresh') RETURNING id")).rows[0]
      .id;
    await db().query(
      `INSERT INTO taxa (collection_id, source_id, name, rank, genus, species, iconic_group)
       SELECT $1, 's' || s, 'G' || (s % ${GENERA}) || ' e' || s, 'species', 'G' || (s % ${GENERA}), 'e' || s, 'Insecta'
       FROM generate_series(0, ${SPECIES - 1}) s`,
      [collectionId],
    );
    await db().query(
      `INSERT INTO images (collection_id, source_id, file_name, taxon_id)
       SELECT $1, 'b' || g, 'b' || g || '.jpg', t.id FROM generate_series(0, ${N - 1}) g
       JOIN taxa t ON t.collection_id = $1 AND t.source_id = 's' || (g % ${SPECIES}) ORDER BY g`,
      [collectionId],
    );
    const lo = Number((await db().query("SELECT min(id) AS lo FROM images")).rows[0].lo);
    const modelId = (
      await db().query(
        "INSERT INTO models (name, kind, folder, dim) VALUES ('synthetic', 'image', '/nowhere', $1) RETURNING id",
        [DIM],
      )
    ).rows[0].id;
    await ensureVectorStorage(modelId, DIM);
    const mixture = makeMixture(DIM, 1);
    const gauss = normals(rng(2));
    const t0 = performance.now();
    for (let at = 0; at < N; at += 5000) {
      const rows = [];
      for (let g = at; g < Math.min(N, at + 5000); g++)
        rows.push({ imageId: lo + g, vector: sampleImage(mixture, speciesOfRow(g), gauss) });
      await upsertEmbeddings(modelId, rows);
      if (at % 100_000 === 0) log(`refresh: ${at.toLocaleString()} vectors`);
    }
    log(
      `refresh: ${N.toLocaleString()} vectors in ${((performance.now() - t0) / 1000).toFixed(0)} s; building the index`,
    );
    const b0 = performance.now();
    await buildIndex(modelId, { maintenanceWorkMem: "4GB" });
    log(`refresh: index built in ${((performance.now() - b0) / 1000).toFixed(0)} s`);
    await db().query("ANALYZE");

    // one species (0.1% of the collection) as the query; the example is one of its images
    const species = 7;
    const isRelevant = (imageId: number) => (imageId - lo) % SPECIES === species;
    await db().query("INSERT INTO users (id, name, email) VALUES ('bench', 'bench', 'bench@example.org')");
    const q = (
      await db().query(
        "INSERT INTO queries (collection_id, source_id, text, status) VALUES ($1, 'q', 'q', 'labeling') RETURNING id",
        [collectionId],
      )
    ).rows[0].id;
    await db().query("INSERT INTO query_examples (query_id, image_id) VALUES ($1, $2)", [q, lo + species]);
    const ref = { rowId: q, collectionId };
    const worker = await startWorker();
    const latencies: number[] = [];
    const bare: number[] = [];
    let judged = 0;
    try {
      await runLearningRound(q);
      for (let round = 0; round < Number(a["refresh-rounds"]); round++) {
        const before = (await db().query("SELECT rounds FROM query_learning WHERE query_id = $1", [q])).rows[0].rounds;
        const batch = (await db().query("SELECT last_batch FROM query_learning WHERE query_id = $1", [q])).rows[0]
          .last_batch;
        const page = await nextCandidates(ref, "bench", { limit: Math.min(10, batch + Math.ceil(batch / 10)) });
        // the batch's last judgment is the one the clock starts at
        for (const [i, c] of page.candidates.entries()) {
          const id = Number(c.imageId.slice(1)) + lo;
          const started = performance.now();
          await applyJudgmentWrites(ref, "bench", [
            {
              clientId: `bench-${judged++}`,
              imageId: c.imageId,
              value: isRelevant(id) ? "relevant" : "not_relevant",
              source: c.source,
              timeSpentMs: null,
            },
          ]);
          if (i === page.candidates.length - 1) {
            await requestLearningRoundIfDue(q);
            for (;;) {
              const r = (await db().query("SELECT rounds, round_ms FROM query_learning WHERE query_id = $1", [q]))
                .rows[0];
              if (r.rounds > before) {
                latencies.push(performance.now() - started);
                bare.push(r.round_ms);
                break;
              }
              await new Promise((res) => setTimeout(res, 20));
            }
          }
        }
      }
      // the baseline: the same round with the ranking read by an exact scan of every vector
      const exact: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        await runLearningRound(q, { strategy: "exact" });
        exact.push(performance.now() - s);
      }
      console.log(
        [
          `Refresh at ${N.toLocaleString()} x ${DIM} vectors (PostgreSQL, HNSW), ${latencies.length} rounds, ${judged} judgments:`,
          "",
          "| measure | p50 ms | p95 ms |",
          "| --- | --- | --- |",
          `| last judgment of a batch to refreshed queue (worker) | ${f(pct(latencies, 0.5), 0)} | ${f(pct(latencies, 0.95), 0)} |`,
          `| the round itself (train, rank through HNSW, write) | ${f(pct(bare, 0.5), 0)} | ${f(pct(bare, 0.95), 0)} |`,
          `| baseline: the round ranking by an exact scan | ${f(pct(exact, 0.5), 0)} | ${f(pct(exact, 0.95), 0)} |`,
          "",
          `HNSW round / exact round (p50): ${(pct(bare, 0.5) / pct(exact, 0.5)).toFixed(3)}; target p95 < 2000 ms end to end.`,
        ].join("\n"),
      );
    } finally {
      await worker.stop();
    }
  });
}

if (parts.has("simulate")) await simulatePart();
if (parts.has("refresh")) await refreshPart();
process.exit(0);

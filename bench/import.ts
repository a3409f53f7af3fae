// bench/import: how fast a big iNat-style train.json imports, and in how much memory.
//
//   npx tsx bench/import.ts [--images 1000000] [--categories 10000] [--db postgres|pglite|both] [--keep]
//
// Writes a synthetic train.json (streamed to a temp file), then imports it in a child process per
// database so each gets its own peak RSS: PostgreSQL (a throwaway database on the server named by
// FIELDMARK_BENCH_POSTGRES_URL or FIELDMARK_TEST_POSTGRES_URL) and embedded PGlite (which runs inside
// the importing process, so its RSS includes the database). Baseline rows read the same file with no
// database: the JSON stream parse alone, and parse + validation, to show what share is the database.
// Target: 1M images into PostgreSQL in under 60 s with peak RSS under 500 MB.

import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { writeSyntheticTrainJson } from "./synthetic-inat";

type Row = {
  db: string;
  images: number;
  records: number;
  seconds: number;
  phases?: Record<string, number>;
  peakRssMb: number;
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

// ---- child: one measured run, printed as a JSON line

async function child(mode: string, file: string): Promise<Row> {
  const started = performance.now();
  if (mode === "parse" || mode === "validate") {
    const { Tokenizer, TokenParser } = await import("@streamparser/json");
    const { readInatJson } = await import("@/lib/collections/read-inat-json");
    let records = 0;
    let images = 0;
    if (mode === "parse") {
      const tokenizer = new Tokenizer();
      const parser = new TokenParser({
        paths: ["$.images.*", "$.categories.*", "$.annotations.*", "$.licenses.*"],
        keepStack: false,
      });
      tokenizer.onToken = (t) => parser.write(t);
      parser.onValue = ({ stack }) => {
        records++;
        if (stack[1]?.key === "images") images++;
      };
      for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) tokenizer.write(chunk as Buffer);
      tokenizer.end();
    } else {
      for await (const chunk of readInatJson(file, { resolveFileName: (f) => f, rootLabel: "/" })) {
        records += chunk.records.length;
        images += chunk.records.filter((r) => r.kind === "image").length;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      db: mode === "parse" ? "none: JSON stream parse only" : "none: parse + validate",
      images,
      records,
      seconds,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  }
  const { openDatabase } = await import("@/lib/db/open");
  const { importCollection } = await import("@/lib/collections");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-bench-db-"));
  const database = await openDatabase({ databaseUrl: mode === "pglite" ? undefined : mode, dataDir, port: 3000 });
  const phases: Record<string, number> = {};
  let phase = "";
  let phaseStart = performance.now();
  const importStart = performance.now();
  try {
    const r = await importCollection({
      source: file,
      collection: "bench",
      onProgress: (p) => {
        if (p.phase === phase) return;
        if (phase) phases[phase] = (performance.now() - phaseStart) / 1000;
        phase = p.phase;
        phaseStart = performance.now();
      },
    });
    const seconds = (performance.now() - importStart) / 1000;
    return {
      db: database.kind,
      images: r.images.added,
      records: r.records,
      seconds,
      phases,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- parent: generate, run each child, print the table

function runChild(mode: string, file: string): Promise<Row> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, import.meta.filename, "--child", mode, "--file", file], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, DATABASE_URL: "" },
    });
    let out = "";
    p.stdout.on("data", (d) => {
      out += d;
    });
    p.once("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) reject(new Error(`${mode} run exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as Row);
    });
  });
}

async function withThrowawayPostgres<T>(admin: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `fieldmark_bench_${crypto.randomBytes(4).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  }
}

function table(rows: Row[]): string {
  const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = [
    "| db | images | records | seconds | records/s | peak RSS MB | phases (s) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const r of rows) {
    const phases = r.phases
      ? Object.entries(r.phases)
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(", ")
      : "";
    lines.push(
      `| ${r.db} | ${fmt(r.images)} | ${fmt(r.records)} | ${fmt(r.seconds, 1)} | ${fmt(r.records / r.seconds)} | ${fmt(r.peakRssMb)} | ${phases} |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  if (process.argv.includes("--child")) {
    const row = await child(arg("child", ""), arg("file", ""));
    process.stdout.write(`\n${JSON.stringify(row)}\n`);
    return;
  }
  const images = Number(arg("images", "1000000"));
  const categories = Number(arg("categories", "10000"));
  const which = arg("db", "both");
  if (!["postgres", "pglite", "both"].includes(which)) throw new Error("--db must be postgres, pglite or both");
  const admin = process.env.FIELDMARK_BENCH_POSTGRES_URL || process.env.FIELDMARK_TEST_POSTGRES_URL;
  if (which !== "pglite" && !admin) {
    throw new Error(
      "set FIELDMARK_BENCH_POSTGRES_URL (or FIELDMARK_TEST_POSTGRES_URL) to a PostgreSQL admin URL, or use --db pglite",
    );
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-bench-"));
  const file = path.join(dir, "train.json");
  try {
    let t = performance.now();
    const { bytes } = await writeSyntheticTrainJson(file, { images, categories });
    console.error(
      `wrote ${file}: ${images.toLocaleString("en-US")} images, ${categories.toLocaleString("en-US")} categories, ` +
        `${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const rows: Row[] = [];
    for (const mode of ["parse", "validate"]) {
      rows.push(await runChild(mode, file));
      console.error(`${rows.at(-1)!.db}: ${rows.at(-1)!.seconds.toFixed(1)} s`);
    }
    if (which !== "pglite") {
      t = performance.now();
      rows.push(await withThrowawayPostgres(admin!, (url) => runChild(url, file)));
      console.error(`postgres: ${rows.at(-1)!.seconds.toFixed(1)} s`);
    }
    if (which !== "postgres") {
      rows.push(await runChild("pglite", file));
      console.error(`pglite: ${rows.at(-1)!.seconds.toFixed(1)} s`);
    }
    console.log(table(rows));
    console.log(
      `\n${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}; ` +
        `file ${(bytes / 1e6).toFixed(0)} MB; records = images + categories + annotations + licences; ` +
        `peak RSS is the importing process's (PGlite runs inside it; PostgreSQL is a separate server)`,
    );
  } finally {
    if (!process.argv.includes("--keep")) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();

// The afternoon proof of concept, step by step, as a user runs it: `fieldmark` commands in child
// processes on the embedded database, over the shared fixture photos (a folder, no taxonomy), with the
// project's tiny CLIP test model fetched from a stand-in hub on 127.0.0.1. Each step is timed, then
// scaled to 10,000 photos (linearly for the steps that touch every photo; said so per row). Embedding
// with a real ViT-B/32 is scaled from bench/embed's end-to-end rate instead (README), since the tiny
// model's towers cost almost nothing beside decoding.
// Usage: npx tsx bench/poc-path.ts [--photos <folder>] [--target 10000]
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeClipTestFolder } from "@/scripts/models/clip-test-folder";
import { repoFilesFromFolder, startStandInHub } from "@/tests/helpers/stand-in-hub";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const ROOT = path.resolve(import.meta.dirname, "..");
const SHARED = path.resolve(ROOT, "../shared");
const PHOTOS = path.resolve(arg("photos") ?? path.join(SHARED, "fixtures"));
const TARGET = Number(arg("target") ?? 10_000);
const CLI = path.join(ROOT, "bin", "fieldmark.mjs");
const MERGES = path.join(SHARED, "models/clip-tokenizer/bpe_simple_vocab_16e6.txt.gz");
// bench/embed, end to end from JPEG files (decode, preprocess, embed), ViT-B/32, 2 threads (README)
const VIT_B32_IMAGES_PER_S = { fp32: 20.5, int8: 56.4 };
const VIT_B32_BYTES = 352e6 + 254e6; // Xenova/clip-vit-base-patch32 fp32 towers as the hub lists them
const SECONDS_PER_JUDGMENT = 3; // an assumption about people, not a measurement
// simulated queries: with the tiny random-weight model the ranking is no better than chance, so the
// simulated expert judges most of the collection per query; a few queries measure the system's part
const JUDGE_QUERIES = Number(arg("judge-queries") ?? 2);

const work = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-poc-"));
const env: Record<string, string | undefined> = {
  ...process.env,
  FIELDMARK_DATA_DIR: path.join(work, "data"),
  NEXT_TELEMETRY_DISABLED: "1",
};
delete env.DATABASE_URL;

/** A fieldmark command in a child process (not spawnSync: the stand-in hub answers from this process). */
function run(args: string[], extra: Record<string, string> = {}): Promise<{ seconds: number; stdout: string }> {
  const t = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...env, ...extra } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) =>
    child.once("exit", (code) => {
      const seconds = (performance.now() - t) / 1000;
      if (code !== 0)
        reject(new Error(`fieldmark ${args.join(" ")} failed (${code}):\n${stdout}\n${stderr.slice(-4000)}`));
      else resolve({ seconds, stdout });
    }),
  );
}

function jpegsUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.(jpe?g|png)$/i.test(f) && !f.split(path.sep).some((p) => p.startsWith(".")))
    .map((f) => f.split(path.sep).join("/"))
    .sort();
}

type Row = { step: string; command: string; measured: string; seconds: number; scaled: string };
const rows: Row[] = [];
/** Kept for the table, and said at once on stderr (a long run shows its steps as they end). */
function push(r: Row): void {
  rows.push(r);
  console.error(`${r.step}: ${r.seconds.toFixed(1)} s (${r.measured}); ${r.scaled}`);
}
const fmt = (s: number) => (s < 60 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`);

async function main() {
  const photos = jpegsUnder(PHOTOS);
  if (photos.length === 0) throw new Error(`no photos under ${PHOTOS}`);
  const scale = TARGET / photos.length;
  console.error(
    `${photos.length} photos under ${PHOTOS}; scaling to ${TARGET.toLocaleString("en-US")} (x${scale.toFixed(2)})`,
  );

  // 1. import the folder (no taxonomy): ids are paths relative to it
  const imp = await run(["import", PHOTOS, "--collection", "poc"]);
  push({
    step: "import a folder",
    command: "fieldmark import ./photos --collection poc",
    measured: `${photos.length} photos`,
    seconds: imp.seconds,
    scaled: `${fmt(imp.seconds * scale)} (linear in photos)`,
  });

  // 2. fetch the model from the (stand-in) hub
  const modelDir = path.join(work, "tiny-clip");
  writeClipTestFolder(modelDir, { tokenizerFile: fs.existsSync(MERGES) ? MERGES : undefined });
  const files = repoFilesFromFolder(modelDir);
  const bytes = Object.values(files).reduce((s, b) => s + b.length, 0);
  const hub = await startStandInHub({ "fieldmark/tiny-clip": { files } });
  let fetched;
  try {
    fetched = await run(["models", "fetch", "fieldmark/tiny-clip", "--name", "poc-clip"], { HF_ENDPOINT: hub.url });
  } finally {
    await hub.close();
  }
  const big = crypto.randomBytes(64 * 1024 * 1024);
  const h0 = performance.now();
  crypto.createHash("sha256").update(big).digest();
  const hashPerByte = (performance.now() - h0) / 1000 / big.length;
  push({
    step: "fetch a model",
    command: "fieldmark models fetch Xenova/clip-vit-base-patch32 --name clip-b32",
    measured: `stand-in hub, tiny CLIP (${(bytes / 1e6).toFixed(1)} MB)`,
    seconds: fetched.seconds,
    scaled: `ViT-B/32 (606 MB): network-bound, ${fmt((VIT_B32_BYTES * 8) / 100e6)} at 100 Mbit/s, + ${fmt(VIT_B32_BYTES * hashPerByte)} SHA-256 checks (measured rate)`,
  });

  // 3. embed every photo (and build the index)
  const emb = await run(["embed", "--collection", "poc", "--model", "poc-clip"]);
  const vit = (rate: number) => TARGET / rate;
  push({
    step: "embed",
    command: "fieldmark embed --collection poc --model clip-b32",
    measured: `${photos.length} photos, tiny CLIP`,
    seconds: emb.seconds,
    scaled: `tiny: ${fmt(emb.seconds * scale)}; ViT-B/32: ${fmt(vit(VIT_B32_IMAGES_PER_S.fp32))} fp32, ${fmt(vit(VIT_B32_IMAGES_PER_S.int8))} quantized (bench/embed rates)`,
  });

  // 4. write queries: a CSV in INQUIRE's form, imported; then search each by text
  const species = [...new Set(photos.filter((p) => p.includes("lepidoptera/")).map((p) => p.split("/").at(-2)!))].slice(
    0,
    5,
  );
  const names = species.length ? species.map((s) => s.replace(/^\d+_/, "").replace(/-/g, " ")) : ["a red flower"];
  const csv = path.join(work, "queries.csv");
  fs.writeFileSync(
    csv,
    `,query_id,query_text,supercategory,category,iconic_group\n${names.map((n, i) => `${i},${i + 1},photos of ${n},Appearance,Species,Insects`).join("\n")}\n`,
  );
  const qi = await run(["queries", "import", csv, "--collection", "poc"]);
  let searchSeconds = 0;
  for (const n of names)
    searchSeconds += (
      await run([
        "search",
        "--collection",
        "poc",
        "--model",
        "poc-clip",
        "--text",
        `photos of ${n}`,
        "--k",
        "100",
        "--json",
      ])
    ).seconds;
  push({
    step: "write or import queries",
    command: "fieldmark queries import queries.csv --collection poc",
    measured: `${names.length} queries`,
    seconds: qi.seconds,
    scaled: `${fmt(qi.seconds)} (per file, not per photo)`,
  });
  push({
    step: "search each query",
    command: 'fieldmark search --collection poc --model clip-b32 --text "..."',
    measured: `${names.length} searches (each a CLI start)`,
    seconds: searchSeconds,
    scaled: `${fmt(searchSeconds / names.length)} per query (HNSW: barely grows with photos)`,
  });

  // 5. judge: a simulated expert over the species folders as truth (the people's time is not measured)
  const judgeSpecies = species.slice(0, JUDGE_QUERIES);
  const truth = path.join(work, "truth.csv");
  fs.writeFileSync(
    truth,
    `query_id,image_id\n${judgeSpecies.flatMap((s, i) => photos.filter((p) => p.split("/").at(-2) === s).map((p) => `${i + 1},${p}`)).join("\n")}\n`,
  );
  let judged = "-";
  let simSeconds = 0;
  if (judgeSpecies.length) {
    const sim = await run([
      "simulate",
      "--collection",
      "poc",
      "--model",
      "poc-clip",
      "--truth",
      truth,
      "--strategies",
      "cal",
      "--json",
    ]);
    simSeconds = sim.seconds;
    const report = JSON.parse(sim.stdout.slice(sim.stdout.indexOf("{")));
    const judgments = Number(report.strategies.cal.judgments) * judgeSpecies.length;
    judged = `${judgments.toFixed(0)} judgments`;
    push({
      step: "judge (simulated expert)",
      command: "judging page, or fieldmark simulate",
      measured: `${judgeSpecies.length} queries, ${judged} (${((simSeconds * 1000) / Math.max(1, Number(report.strategies.cal.judgments) * judgeSpecies.length)).toFixed(0)} ms each, rounds included)`,
      seconds: simSeconds,
      scaled: `people: ~${fmt((judgments / judgeSpecies.length) * SECONDS_PER_JUDGMENT)} per query at ${SECONDS_PER_JUDGMENT} s a judgment (assumed; grows with relevant images, not photos)`,
    });
  }
  push({
    step: "finish",
    command: "Finish on each query's page (lead)",
    measured: "not timed (one click a query)",
    seconds: 0,
    scaled: "-",
  });
  push({
    step: "report",
    command: "fieldmark report --collection poc --run <id> --out report.html",
    measured: "not timed here (being built)",
    seconds: 0,
    scaled: "-",
  });

  console.log(
    `\nPoC path: ${photos.length} fixture photos measured, scaled to ${TARGET.toLocaleString("en-US")}; ${os.cpus().length} cores, embedded database\n`,
  );
  console.log("| step | command | measured on | time | for 10,000 photos |");
  console.log("|---|---|---|---:|---|");
  for (const r of rows)
    console.log(`| ${r.step} | \`${r.command}\` | ${r.measured} | ${r.seconds ? fmt(r.seconds) : "-"} | ${r.scaled} |`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(work, { recursive: true, force: true }));

// `fieldmark eval` speed against scikit-learn doing the same scoring the way INQUIRE's scripts do, in
// the same run: synthetic INQUIRE-sized files (250 queries, 33,000 relevant pairs, a run of N ranked
// images per query), scored at k = 50. Rows: the whole CLI command (Node start-up included), the same
// scoring in this process (read + score), and Python (csv + numpy + sklearn, scripts/eval/sklearn_files.py).
// The means of both must agree to 1e-9, else the bench fails.
// Usage: npx tsx bench/eval.ts [--per-query 1000] [--rounds 3]
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { evaluateFiles } from "@/lib/eval/evaluate";
import { rng } from "@/tests/helpers/random";
import { table } from "./label-load";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROOT = path.resolve(import.meta.dirname, "..");
const OUT = path.join(ROOT, "bench/out/eval");
const QUERIES = 250;
const ANNOTATIONS = 33_000;
const ROUNDS = arg("rounds", 3);
const K = 50;

function writeFiles(perQuery: number) {
  fs.mkdirSync(OUT, { recursive: true });
  const rand = rng(7);
  const queries = [",query_id,query_text,supercategory,category,iconic_group"];
  const annotations = ["query_id,image_id,image_path"];
  const run = ["query_id,image_id,score"];
  const supers = ["Appearance", "Behavior", "Context", "Species"];
  for (let q = 1; q <= QUERIES; q++) {
    queries.push(`${q - 1},${q},query ${q},${supers[q % 4]},category ${q % 17},Birds`);
    // relevant images spread over the collection; the run finds some of them near the top
    const relevant = Math.round((ANNOTATIONS / QUERIES) * (0.2 + 1.6 * rand()));
    const ids = new Set<number>();
    while (ids.size < relevant) ids.add(1 + Math.floor(rand() * 5_000_000));
    for (const id of ids) annotations.push(`${q},${id},train/x/${id}.jpg`);
    const pool = [...ids];
    const used = new Set<number>();
    for (let r = 0; r < perQuery; r++) {
      let id =
        rand() < 0.3 && pool.length ? pool[Math.floor(rand() * pool.length)] : 1 + Math.floor(rand() * 5_000_000);
      while (used.has(id)) id = 1 + Math.floor(rand() * 5_000_000);
      used.add(id);
      run.push(`${q},${id},${(1 - r / perQuery + 0.01 * rand()).toFixed(6)}`);
    }
  }
  const files = {
    queries: path.join(OUT, "queries.csv"),
    annotations: path.join(OUT, "annotations.csv"),
    run: path.join(OUT, `run-${perQuery}.csv`),
  };
  fs.writeFileSync(files.queries, queries.join("\n") + "\n");
  fs.writeFileSync(files.annotations, annotations.slice(0, ANNOTATIONS + 1).join("\n") + "\n");
  fs.writeFileSync(files.run, run.join("\n") + "\n");
  return { ...files, runRows: run.length - 1, annotationRows: Math.min(annotations.length - 1, ANNOTATIONS) };
}

function timed<T>(f: () => T): { seconds: number; value: T } {
  const t = process.hrtime.bigint();
  const value = f();
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, value };
}

function main() {
  const rows: (string | number)[][] = [];
  for (const perQuery of [arg("per-query", 1000), 100]) {
    const files = writeFiles(perQuery);
    const best = { cli: Infinity, inProcess: Infinity, python: Infinity };
    let ours = { ap: 0, ndcg: 0, mrr: 0 };
    let theirs = { ap: 0, ndcg: 0, mrr: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const cli = timed(() =>
        spawnSync(
          process.execPath,
          [
            "bin/fieldmark.mjs",
            "eval",
            "--queries",
            files.queries,
            "--annotations",
            files.annotations,
            "--run",
            files.run,
            "--k",
            String(K),
            "--json",
          ],
          { cwd: ROOT, encoding: "utf8", maxBuffer: 256 << 20 },
        ),
      );
      if (cli.value.status !== 0) throw new Error(`fieldmark eval failed: ${cli.value.stderr}`);
      best.cli = Math.min(best.cli, cli.seconds);
      const inProcess = timed(() => evaluateFiles({ ...files, k: K }));
      best.inProcess = Math.min(best.inProcess, inProcess.seconds);
      ours = inProcess.value.mean;
      const py = timed(() =>
        spawnSync(
          "/usr/bin/python3",
          ["scripts/eval/sklearn_files.py", files.queries, files.annotations, files.run, String(K)],
          { cwd: ROOT, encoding: "utf8" },
        ),
      );
      if (py.value.status !== 0) throw new Error(`sklearn_files.py failed: ${py.value.stderr}`);
      best.python = Math.min(best.python, py.seconds);
      theirs = JSON.parse(py.value.stdout);
    }
    for (const m of ["ap", "ndcg", "mrr"] as const) {
      if (Math.abs(ours[m] - theirs[m]) > 1e-9)
        throw new Error(`mean ${m} differs: fieldmark ${ours[m]}, sklearn ${theirs[m]}`);
    }
    const label = `${QUERIES} queries x ${perQuery.toLocaleString("en-US")} ranked, ${files.annotationRows.toLocaleString("en-US")} annotations`;
    rows.push([
      label,
      "fieldmark eval (whole command)",
      best.cli.toFixed(2),
      (best.cli / best.python).toFixed(2),
      ours.ap.toFixed(6),
    ]);
    rows.push([
      label,
      "evaluateFiles in process (read + score)",
      best.inProcess.toFixed(3),
      (best.inProcess / best.python).toFixed(2),
      ours.ap.toFixed(6),
    ]);
    rows.push([
      label,
      "Python: csv + scikit-learn (INQUIRE's calls)",
      best.python.toFixed(2),
      "1.00",
      theirs.ap.toFixed(6),
    ]);
  }
  console.log(`k = ${K}, best of ${ROUNDS} rounds; means agree with scikit-learn to 1e-9\n`);
  console.log(table(["files", "scorer", "seconds", "/ Python", "mean AP@50"], rows));
}

main();

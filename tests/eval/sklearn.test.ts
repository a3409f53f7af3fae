import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fullRankMetrics, rerankMetrics, type Scored } from "@/lib/eval/metrics";
import { rng as seededRandom } from "../helpers/random";
import { servicesRequired } from "../helpers/services";

// Random runs scored here and by scikit-learn, called the way INQUIRE's src/metrics.py calls it
// (scripts/eval/sklearn_reference.py under Debian's python3-sklearn), must agree to 1e-9.

const PYTHON = "/usr/bin/python3";
const SCRIPT = path.resolve(import.meta.dirname, "../../scripts/eval/sklearn_reference.py");

function sklearnAvailable(): boolean {
  const ok = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import sklearn"]).status === 0;
  if (!ok && servicesRequired) throw new Error("FIELDMARK_REQUIRE_SERVICES=1 but python3-sklearn is not installed");
  if (!ok)
    console.warn(
      "skipping the scikit-learn comparison: /usr/bin/python3 has no sklearn (apt-get install python3-sklearn)",
    );
  return ok;
}

type Case = { task: "fullrank" | "rerank"; y_true: number[]; y_pred: number[]; count_pos: number; k: number };

function sklearn(cases: Case[]): { ap: number; ndcg: number; mrr: number }[] {
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify({ cases }), maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`sklearn_reference.py failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()).results;
}

/** A random ranked list: scores from a few levels when `ties`, so equal scores are common. */
function randomCase(rand: () => number, task: Case["task"], ties: boolean): { ranked: Scored[]; case: Case } {
  const n = 1 + Math.floor(rand() * 120);
  const scores = Array.from({ length: n }, () => (ties ? Math.round(rand() * 6) / 6 : rand() * 2 - 1)).sort(
    (a, b) => b - a,
  );
  const rate = rand();
  const ranked = scores.map((score) => ({ score, relevant: rand() < rate }));
  const hits = ranked.filter((s) => s.relevant).length;
  const k = 1 + Math.floor(rand() * 150);
  const hitsAtK = ranked.slice(0, k).filter((s) => s.relevant).length;
  const countPos = task === "rerank" ? hits : hitsAtK + Math.floor(rand() * 40);
  return {
    ranked,
    case: { task, y_true: ranked.map((s) => (s.relevant ? 1 : 0)), y_pred: scores, count_pos: countPos, k },
  };
}

describe.skipIf(!sklearnAvailable())("INQUIRE's metrics against scikit-learn", () => {
  for (const task of ["fullrank", "rerank"] as const) {
    for (const ties of [false, true]) {
      it(`${task}, ${ties ? "with many equal scores" : "distinct scores"}: 400 random queries agree to 1e-9`, () => {
        const rand = seededRandom(task === "fullrank" ? (ties ? 11 : 12) : ties ? 13 : 14);
        const made = Array.from({ length: 400 }, () => randomCase(rand, task, ties));
        // a query with no relevant image is left out (INQUIRE would divide by zero), and sklearn's
        // ndcg_score refuses a single document (INQUIRE never scores one)
        const documents = (c: Case) =>
          c.task === "rerank" ? c.y_true.length : c.k + c.count_pos - c.y_true.slice(0, c.k).reduce((a, b) => a + b, 0);
        const usable = made.filter((m) => m.case.count_pos > 0 && documents(m.case) > 1);
        const expected = sklearn(usable.map((m) => m.case));
        usable.forEach((m, i) => {
          const ours =
            task === "rerank"
              ? rerankMetrics(m.ranked, m.case.k)
              : fullRankMetrics(m.ranked, m.case.count_pos, m.case.k);
          expect(Math.abs(ours.ap - expected[i].ap), `case ${i} AP`).toBeLessThan(1e-9);
          expect(Math.abs(ours.ndcg - expected[i].ndcg), `case ${i} nDCG`).toBeLessThan(1e-9);
          expect(Math.abs(ours.mrr - expected[i].mrr), `case ${i} MRR`).toBeLessThan(1e-9);
        });
        expect(usable.length).toBeGreaterThan(300);
      });
    }
  }
});

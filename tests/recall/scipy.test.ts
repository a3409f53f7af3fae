import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hypergeomCdf } from "@/lib/recall/hypergeom";
import { recallTargetTest } from "@/lib/recall/signals";
import { rng as seededRandom } from "../helpers/random";
import { servicesRequired } from "../helpers/services";

// Random screening sequences tested here and by scipy (scripts/recall/hypergeom_reference.py, buscarpy's
// calculate_h0 under Debian's python3-scipy) must give the same p to 1e-9.

const PYTHON = "/usr/bin/python3";
const SCRIPT = path.resolve(import.meta.dirname, "../../scripts/recall/hypergeom_reference.py");

function scipyAvailable(): boolean {
  const ok = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import scipy.stats"]).status === 0;
  if (!ok && servicesRequired) throw new Error("FIELDMARK_REQUIRE_SERVICES=1 but python3-scipy is not installed");
  if (!ok) console.warn("skipping the scipy comparison: /usr/bin/python3 has no scipy (apt-get install python3-scipy)");
  return ok;
}

type Case = { labels: number[]; N: number; recall_target: number };

function scipy(cases: Case[]): number[] {
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify({ cases }), maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`hypergeom_reference.py failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString()).results.map((x: { p: number }) => x.p);
}

/** A screening order like a ranking's: relevant images thin out along it, at a random rate. */
function randomCase(random: () => number, maxLength: number, maxUnjudged: number): Case {
  const length = 1 + Math.floor(random() * maxLength);
  const top = random() * 0.6;
  const decay = 5 + random() * 200;
  const labels: number[] = Array.from({ length }, (_, i) => (random() < top / (1 + i / decay) ? 1 : 0));
  const targets = [0.8, 0.9, 0.95, 0.99];
  const recallTarget = targets[Math.floor(random() * targets.length)];
  const relevant = labels.reduce((a, b) => a + b, 0);
  // enough unjudged images for H0 to be possible, where scipy and Fieldmark agree (past it scipy says NaN);
  // often few, so that p falls below 0.05 in a fair share of cases
  const missing = Math.floor(relevant / recallTarget) + 1 - relevant;
  return { labels, N: length + missing + Math.floor(random() ** 3 * maxUnjudged), recall_target: recallTarget };
}

describe.skipIf(!scipyAvailable())("the recall-target test against scipy", () => {
  it("150 short sequences (up to 200 judged, up to 2,000 unjudged) agree to 1e-9", () => {
    const random = seededRandom(21);
    const cases = Array.from({ length: 150 }, () => randomCase(random, 200, 2000));
    const expected = scipy(cases);
    cases.forEach((c, i) => {
      const ours = recallTargetTest(
        c.labels.map((l) => l === 1),
        { collectionSize: c.N, targetRecall: c.recall_target },
      );
      expect(Math.abs(ours.p - expected[i]), `case ${i}`).toBeLessThan(1e-9);
    });
    // the cases reach both sides of the 0.05 bar
    expect(expected.filter((p) => p < 0.05).length).toBeGreaterThan(10);
    expect(expected.filter((p) => p >= 0.05).length).toBeGreaterThan(10);
  });

  it("4 long sequences (up to 3,000 judged, up to 47,000 unjudged) agree to 1e-9", () => {
    const random = seededRandom(22);
    const cases = Array.from({ length: 4 }, () => randomCase(random, 3000, 47000));
    const expected = scipy(cases);
    cases.forEach((c, i) => {
      const ours = recallTargetTest(
        c.labels.map((l) => l === 1),
        { collectionSize: c.N, targetRecall: c.recall_target },
      );
      expect(Math.abs(ours.p - expected[i]), `case ${i}`).toBeLessThan(1e-9);
    });
  });

  it("150 hypergeometric tails, far into both ends, agree to 1e-9 relative", () => {
    const random = seededRandom(23);
    const cases: [number, number, number, number][] = [];
    for (let i = 0; i < 150; i++) {
      const population = 1 + Math.floor(random() ** 2 * 100000);
      const marked = Math.floor(random() * (population + 1));
      const draws = Math.floor(random() * (population + 1));
      const low = Math.max(0, draws - (population - marked));
      const high = Math.min(marked, draws);
      cases.push([low + Math.floor(random() * (high - low + 1)), population, marked, draws]);
    }
    const code =
      "import json,sys\nfrom scipy.stats import hypergeom\n" +
      "print(json.dumps([float(hypergeom.cdf(k,M,n,N)) for k,M,n,N in json.load(sys.stdin)]))";
    const r = spawnSync(PYTHON, ["-c", code], { input: JSON.stringify(cases) });
    if (r.status !== 0) throw new Error(r.stderr.toString());
    const expected: number[] = JSON.parse(r.stdout.toString());
    cases.forEach(([k, population, marked, draws], i) => {
      const ours = hypergeomCdf(k, population, marked, draws);
      const scale = Math.max(expected[i], 1e-300);
      expect(Math.abs(ours - expected[i]) / scale, `cdf(${k}; ${population}, ${marked}, ${draws})`).toBeLessThan(1e-9);
    });
  });
});

import { describe, expect, it } from "vitest";
import { probeVsZeroShot, type ProbeQuery } from "@/lib/eval/report/probe";
import { rng } from "../helpers/random";
import { gaussian, normalise } from "../search/fixture";

// The linear probe against the zero-shot ranking: it must gain where the zero-shot direction misleads
// but the image vectors separate the relevant images, and cannot where the labels are random.

const DIM = 16;

function queries(opts: { seed: number; randomLabels: boolean }): ProbeQuery[] {
  const random = rng(opts.seed);
  const out: ProbeQuery[] = [];
  for (let q = 0; q < 6; q++) {
    const relevantAxis = q % DIM;
    const otherAxis = (q + 5) % DIM;
    const labeled = Array.from({ length: 60 }, (_, i) => {
      const relevant = i < 20;
      const v = Float32Array.from(
        { length: DIM },
        (_, j) => 0.35 * gaussian(random) + (j === (relevant ? relevantAxis : otherAxis) ? 1 : 0),
      );
      return { vector: normalise(v), relevant: opts.randomLabels ? random() < 1 / 3 : relevant };
    });
    // the zero-shot direction points at the not-relevant images' cluster, a little towards the relevant
    const probe = Float32Array.from({ length: DIM }, (_, j) => (j === otherAxis ? 1 : j === relevantAxis ? 0.3 : 0));
    out.push({ queryId: String(q), category: q % 2 ? "Mating" : "Feeding", probe: [probe], labeled });
  }
  return out;
}

describe("linear probe vs zero-shot", () => {
  it("gains, with an interval above zero, where the text prior misleads but the images separate", () => {
    const report = probeVsZeroShot(queries({ seed: 1, randomLabels: false }), { folds: 5, labelsPerClass: 5 });
    expect(report.labelsPerQuery).toBe(10);
    expect(report.categories.map((c) => c.category)).toEqual(["Feeding", "Mating"]);
    for (const c of report.categories) {
      if (!("gain" in c)) throw new Error(`no number for ${c.category}`);
      expect(c.zeroShotAp).toBeLessThan(0.6);
      expect(c.probeAp).toBeGreaterThan(0.8);
      expect(c.low).toBeGreaterThan(0.2);
      expect(c.folds).toBe(5);
    }
  });

  it("does not gain where the labels are random: the interval holds zero", () => {
    const report = probeVsZeroShot(queries({ seed: 2, randomLabels: true }), { folds: 5, labelsPerClass: 5 });
    for (const c of report.categories) {
      if (!("gain" in c)) throw new Error(`no number for ${c.category}`);
      expect(Math.abs(c.gain)).toBeLessThan(0.15);
      expect(c.low).toBeLessThan(0.1);
      expect(c.high).toBeGreaterThan(-0.1);
    }
  });

  it("says the labels are too few instead of giving a number", () => {
    const q = queries({ seed: 3, randomLabels: false })[0];
    const few = { ...q, labeled: [...q.labeled.slice(0, 1), ...q.labeled.slice(30, 35)] };
    const [c] = probeVsZeroShot([few]).categories;
    expect("untrusted" in c && c.untrusted).toMatch(/too few labels/);
  });
});

import { describe, expect, it } from "vitest";
import { drawAudit, planStrata } from "@/lib/recall/strata";

describe("planStrata", () => {
  it("doubling strata that tile the pool, every one sampled, the sample spent in full", () => {
    for (const [poolSize, sampleSize] of [
      [4800, 40],
      [4800, 160],
      [500, 40],
      [50000, 100],
      [5_000_000, 400],
      [120, 40],
    ]) {
      const strata = planStrata(poolSize, { sampleSize });
      expect(strata[0].from).toBe(0);
      expect(strata.at(-1)!.to).toBe(poolSize);
      strata.forEach((s, i) => {
        if (i > 0) expect(s.from).toBe(strata[i - 1].to);
        expect(s.population).toBe(s.to - s.from);
        expect(s.stratum).toBe(`${s.from + 1}-${s.to}`);
        expect(s.sample).toBeGreaterThanOrEqual(Math.min(20, s.population));
        expect(s.sample).toBeLessThanOrEqual(s.population);
        if (i > 0) expect(Math.abs(s.population - 2 * strata[i - 1].population)).toBeLessThanOrEqual(2);
      });
      expect(strata[0].population).toBeGreaterThanOrEqual(50);
      expect(strata.reduce((a, s) => a + s.sample, 0)).toBe(Math.min(sampleSize, poolSize));
      // the top is sampled at the highest rate
      const rates = strata.map((s) => s.sample / s.population);
      expect(Math.max(...rates)).toBe(rates[0]);
    }
  });

  it("4,800 unjudged, 40 to audit: two strata of 20", () => {
    expect(planStrata(4800, { sampleSize: 40 })).toEqual([
      { stratum: "1-1600", from: 0, to: 1600, population: 1600, sample: 20 },
      { stratum: "1601-4800", from: 1600, to: 4800, population: 3200, sample: 20 },
    ]);
  });

  it("more audit judgments buy more strata, up to one per doubling from 50", () => {
    expect(planStrata(4800, { sampleSize: 160 }).map((s) => [s.stratum, s.sample])).toEqual([
      ["1-76", 23],
      ["77-229", 23],
      ["230-533", 24],
      ["534-1143", 27],
      ["1144-2362", 29],
      ["2363-4800", 34],
    ]);
    // 20 each, then 40 shared by population / √(mid-position): 76/√39 : 153/√153 : ... : 2438/√3582
    expect(planStrata(4800, { sampleSize: 2000 }).length).toBe(6);
    expect(planStrata(4800, { sampleSize: 2000, minPerStratum: 1 }).length).toBe(6);
  });

  it("small pools and small samples", () => {
    expect(planStrata(0, { sampleSize: 40 })).toEqual([]);
    expect(planStrata(30, { sampleSize: 40 })).toEqual([
      { stratum: "1-30", from: 0, to: 30, population: 30, sample: 30 },
    ]);
    expect(planStrata(4800, { sampleSize: 5 })).toEqual([
      { stratum: "1-4800", from: 0, to: 4800, population: 4800, sample: 5 },
    ]);
    expect(planStrata(4800, { sampleSize: 0 })[0].sample).toBe(0);
    expect(() => planStrata(-1, { sampleSize: 4 })).toThrow(RangeError);
    expect(() => planStrata(10, { sampleSize: 2.5 })).toThrow(RangeError);
  });

  it("is deterministic", () => {
    expect(planStrata(123457, { sampleSize: 333 })).toEqual(planStrata(123457, { sampleSize: 333 }));
  });
});

describe("drawAudit", () => {
  it("draws distinct positions inside each stratum, as many as planned", () => {
    const strata = planStrata(50000, { sampleSize: 200 });
    const draws = drawAudit(strata, 7);
    draws.forEach((d, i) => {
      expect(d.stratum).toBe(strata[i].stratum);
      expect(d.positions.length).toBe(strata[i].sample);
      expect(new Set(d.positions).size).toBe(d.positions.length);
      for (const p of d.positions) {
        expect(Number.isInteger(p)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(strata[i].from);
        expect(p).toBeLessThan(strata[i].to);
      }
      expect([...d.positions].sort((a, b) => a - b)).toEqual(d.positions);
    });
  });

  it("a fully sampled stratum is every position; a huge one costs only its sample", () => {
    const strata = planStrata(30, { sampleSize: 40 });
    expect(drawAudit(strata, 1)[0].positions).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const huge = [{ stratum: "1-1000000000", from: 0, to: 1e9, population: 1e9, sample: 3 }];
    expect(drawAudit(huge, 1)[0].positions.length).toBe(3);
  });

  it("same seed, same audit; another seed, another audit", () => {
    const strata = planStrata(4800, { sampleSize: 40 });
    expect(drawAudit(strata, 42)).toEqual(drawAudit(strata, 42));
    expect(drawAudit(strata, 42)).not.toEqual(drawAudit(strata, 43));
  });

  it("every position of a stratum is equally likely", () => {
    // 2,000 draws of 10 from a stratum of 50: each position is expected 400 times (sd ≈ 18.6)
    const stratum = [{ stratum: "11-60", from: 10, to: 60, population: 50, sample: 10 }];
    const counts = new Array(60).fill(0);
    for (let seed = 0; seed < 2000; seed++) for (const p of drawAudit(stratum, seed)[0].positions) counts[p]++;
    for (let p = 10; p < 60; p++) expect(Math.abs(counts[p] - 400)).toBeLessThan(80);
  });
});

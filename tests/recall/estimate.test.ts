import { describe, expect, it } from "vitest";
import { estimateRemaining } from "@/lib/recall/estimate";

// The audit of the worked example: 4,800 unjudged images in planStrata's two strata, 20 audited in each.
const twoStrata = (top: number, bottom: number) => [
  { population: 1600, sampled: 20, relevant: top },
  { population: 3200, sampled: 20, relevant: bottom },
];

describe("estimateRemaining", () => {
  it("48 found, 4,800 unjudged, 40 audited, none relevant: 0 to a few hundred still unfound", () => {
    const e = estimateRemaining({ found: 48, strata: twoStrata(0, 0) }, { seed: 1 });
    expect(e).toMatchObject({ remainingLow: 0, recallHigh: 1, audited: 40, trusted: true });
    expect(e.reason).toBeUndefined();
    // the audit cannot rule out ~6% prevalence in the lower stratum
    expect(e.remainingHigh).toBeGreaterThan(100);
    expect(e.remainingHigh).toBeLessThan(400);
    expect(e.recall).toBeCloseTo(48 / (48 + e.remaining), 12);
    expect(e.recallLow).toBeCloseTo(48 / (48 + e.remainingHigh), 12);
    expect(e.remaining).toBeLessThan(e.remainingHigh);
  });

  it("audit finds count as found: recall is over found plus audited relevant", () => {
    const e = estimateRemaining({ found: 48, strata: twoStrata(4, 1) }, { seed: 1 });
    // 4 of 20 in 1,580 unaudited and 1 of 20 in 3,180: the median is near 1580·4/20 + 3180·1/20 ≈ 475
    expect(e.remaining).toBeGreaterThan(300);
    expect(e.remaining).toBeLessThan(650);
    expect(e.remainingLow).toBeGreaterThan(100);
    expect(e.recall).toBeCloseTo(53 / (53 + e.remaining), 12);
    expect(e.recallHigh).toBeCloseTo(53 / (53 + e.remainingLow), 12);
  });

  it("a fully audited pool leaves nothing unfound", () => {
    const e = estimateRemaining({ found: 10, strata: [{ population: 30, sampled: 30, relevant: 2 }] }, { seed: 3 });
    expect(e).toMatchObject({
      remaining: 0,
      remainingLow: 0,
      remainingHigh: 0,
      recall: 1,
      recallLow: 1,
      recallHigh: 1,
    });
    // exact, so trusted however few images the pool held
    const tiny = estimateRemaining({ found: 4, strata: [{ population: 7, sampled: 7, relevant: 1 }] }, { seed: 3 });
    expect(tiny).toMatchObject({ remaining: 0, recall: 1, audited: 7, trusted: true });
  });

  it("says when the numbers are not to be trusted", () => {
    const few = estimateRemaining({ found: 5, strata: [{ population: 1000, sampled: 12, relevant: 0 }] }, { seed: 1 });
    expect(few).toMatchObject({ trusted: false, reason: "too few audit judgments: 12 of at least 30", audited: 12 });
    const none = estimateRemaining({ found: 0, strata: twoStrata(0, 0) }, { seed: 1 });
    expect(none).toMatchObject({ trusted: false, reason: "no relevant image found yet", recall: 0, recallLow: 0 });
    expect(none.recallHigh).toBe(1);
    const bare = estimateRemaining(
      { found: 9, strata: [...twoStrata(0, 0), { population: 5000, sampled: 0, relevant: 0 }] },
      { seed: 1 },
    );
    expect(bare).toMatchObject({
      trusted: false,
      reason: "stratum 3 (5000 unjudged images) has no audit judgment yet",
    });
    expect(estimateRemaining({ found: 9, strata: [] }, { seed: 1 })).toMatchObject({
      trusted: false,
      reason: "no audit sample yet",
      remaining: 0,
    });
  });

  it("an unsampled stratum is bounded only by its size, not assumed empty", () => {
    const bare = estimateRemaining(
      { found: 9, strata: [...twoStrata(0, 0), { population: 5000, sampled: 0, relevant: 0 }] },
      { seed: 1 },
    );
    expect(bare.remainingHigh).toBeGreaterThan(1000);
  });

  it("same inputs and seed give the same answer; another seed moves it only by Monte Carlo noise", () => {
    const input = { found: 48, strata: twoStrata(2, 1) };
    const a = estimateRemaining(input, { seed: 11 });
    expect(estimateRemaining(input, { seed: 11 })).toEqual(a);
    const b = estimateRemaining(input, { seed: 12 });
    expect(b).not.toEqual(a);
    expect(Math.abs(b.remaining - a.remaining)).toBeLessThan(0.05 * a.remaining);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it("a higher level gives a wider interval", () => {
    const input = { found: 48, strata: twoStrata(2, 1) };
    const at80 = estimateRemaining(input, { seed: 5, level: 0.8 });
    const at99 = estimateRemaining(input, { seed: 5, level: 0.99 });
    expect(at99.remainingLow).toBeLessThan(at80.remainingLow);
    expect(at99.remainingHigh).toBeGreaterThan(at80.remainingHigh);
  });

  it("refuses impossible inputs", () => {
    const bad = [
      { found: -1, strata: twoStrata(0, 0) },
      { found: 1, strata: [{ population: 10, sampled: 11, relevant: 0 }] },
      { found: 1, strata: [{ population: 10, sampled: 5, relevant: 6 }] },
      { found: 1, strata: [{ population: 10.5, sampled: 5, relevant: 0 }] },
    ];
    for (const input of bad) expect(() => estimateRemaining(input, { seed: 1 })).toThrow(RangeError);
    expect(() => estimateRemaining({ found: 1, strata: [] }, { seed: 1, level: 1 })).toThrow(RangeError);
    expect(() => estimateRemaining({ found: 1, strata: [] }, { seed: 1, draws: 10 })).toThrow(RangeError);
  });
});

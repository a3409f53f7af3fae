import { describe, expect, it } from "vitest";
import { inquireRule, kneeSignal, recallTargetTest } from "@/lib/recall/signals";

const T = true;
const F = false;
const repeat = (value: boolean, times: number) => Array<boolean>(times).fill(value);

describe("inquireRule", () => {
  it("counts the trailing run of not-relevant judgments", () => {
    expect(inquireRule([])).toEqual({ met: false, consecutiveNotRelevant: 0, run: 100 });
    expect(inquireRule([T, ...repeat(F, 99)])).toEqual({ met: false, consecutiveNotRelevant: 99, run: 100 });
    expect(inquireRule([T, ...repeat(F, 100)])).toEqual({ met: true, consecutiveNotRelevant: 100, run: 100 });
    expect(inquireRule([...repeat(F, 50), T, F, F], 2)).toEqual({ met: true, consecutiveNotRelevant: 2, run: 2 });
    expect(inquireRule(repeat(T, 5), 1)).toEqual({ met: false, consecutiveNotRelevant: 0, run: 1 });
    expect(inquireRule(repeat(F, 3), 3).met).toBe(true);
  });

  it("refuses a run that is not a whole number ≥ 1", () => {
    expect(() => inquireRule([F], 0)).toThrow(RangeError);
    expect(() => inquireRule([F], 1.5)).toThrow(RangeError);
  });
});

describe("kneeSignal", () => {
  it("3 relevant then 7 not: knee at 3, ρ = (3/3) / ((3 − 3 + 1) / 7) = 7, below 156 − 3", () => {
    // distances ∝ |3x − 10y|: 7, 14, 21 at x = 1..3, then 18, 15, ... so the knee is x = 3
    expect(kneeSignal([T, T, T, ...repeat(F, 7)])).toEqual({
      met: false,
      knee: 3,
      ratio: 7,
      threshold: 153,
      judged: 10,
      relevant: 3,
    });
  });

  it("10 relevant then n − 10 not: ρ = n − 10, met from ρ ≥ 146 (n = 156), not at n = 155", () => {
    const at = (n: number) => kneeSignal([...repeat(T, 10), ...repeat(F, n - 10)]);
    expect(at(155)).toMatchObject({ met: false, knee: 10, ratio: 145, threshold: 146, judged: 155 });
    expect(at(156)).toMatchObject({ met: true, knee: 10, ratio: 146, threshold: 146, judged: 156 });
    expect(at(200)).toMatchObject({ met: true, knee: 10, ratio: 190 });
  });

  it("needs minJudged judgments however steep the knee", () => {
    // one relevant then 199 not: ρ = 1 / (1 / 199) = 199 ≥ 155
    const sequence = [T, ...repeat(F, 199)];
    expect(kneeSignal(sequence)).toMatchObject({ met: true, knee: 1, ratio: 199, threshold: 155 });
    expect(kneeSignal(sequence, { minJudged: 300 })).toMatchObject({ met: false, ratio: 199 });
    // 149 judged is under the default 150
    expect(kneeSignal([T, ...repeat(F, 148)])).toMatchObject({ met: false, judged: 149 });
  });

  it("edge cases: empty, no relevant, all relevant, relevant only at the end", () => {
    const none = { met: false, knee: null, ratio: null, threshold: 156, judged: 0, relevant: 0 };
    expect(kneeSignal([])).toEqual(none);
    expect(kneeSignal(repeat(F, 300))).toEqual({ ...none, judged: 300 });
    expect(kneeSignal([T])).toEqual({ met: false, knee: null, ratio: null, threshold: 155, judged: 1, relevant: 1 });
    // a straight line: every distance is 0 and the first point is the knee: ρ = 1 / (5 / 4)
    expect(kneeSignal(repeat(T, 5))).toEqual({
      met: false,
      knee: 1,
      ratio: 0.8,
      threshold: 151,
      judged: 5,
      relevant: 5,
    });
    // convex: the farthest point is just before the only relevant one, and nothing was found by then
    expect(kneeSignal([...repeat(F, 9), T])).toMatchObject({ met: false, knee: 9, ratio: 0 });
    // relevant found past 150 caps the threshold at 6
    expect(kneeSignal([...repeat(T, 200), ...repeat(F, 100)]).threshold).toBe(6);
  });

  it("answers plain JSON", () => {
    const signal = kneeSignal([T, T, F, T, ...repeat(F, 300)]);
    expect(JSON.parse(JSON.stringify(signal))).toEqual(signal);
  });
});

describe("recallTargetTest (buscarpy's calculate_h0)", () => {
  it("worked cases", () => {
    // [1,1,0,1,0×6], N = 12, target .95: r = 3, K = ⌊3/.95 + 1 − (3 − k_n)⌋ = 1 + k_n. For n ≤ 6, k_n = 0 and
    // the urn is n plus the 2 unjudged: p_n = 1 − n/(n + 2) = 2/(n + 2), smallest at n = 6: 0.25. n = 7 gives
    // 1 − C(7,5)/C(9,7) = 15/36 and n = 10 gives 1 − C(8,6)/C(12,10) = 38/66, both larger.
    const first = recallTargetTest([T, T, F, T, ...repeat(F, 6)], { collectionSize: 12 });
    expect(first.p).toBeCloseTo(0.25, 12);
    expect(first).toMatchObject({ met: false, targetRecall: 0.95, confidence: 0.95 });
    // [1,0,0], N = 100, target .9: K = 1 + k_n; n = 1: 1 − 1/98; n = 2: 1 − 2/99; n = 3: 1 − 98/C(100,3)
    expect(recallTargetTest([T, F, F], { collectionSize: 100, targetRecall: 0.9 }).p).toBeCloseTo(97 / 99, 12);
    // nothing relevant: K = 1 and p = 1 − n/N at n = everything judged
    expect(recallTargetTest(repeat(F, 4), { collectionSize: 10 }).p).toBeCloseTo(0.6, 12);
    expect(recallTargetTest(repeat(F, 960), { collectionSize: 1000 })).toMatchObject({ met: true });
    expect(recallTargetTest(repeat(F, 940), { collectionSize: 1000 })).toMatchObject({ met: false });
    expect(recallTargetTest(repeat(F, 940), { collectionSize: 1000 }).p).toBeCloseTo(0.06, 12);
  });

  it("edge cases: nothing judged, everything judged", () => {
    expect(recallTargetTest([], { collectionSize: 50 })).toEqual({
      met: false,
      p: 1,
      targetRecall: 0.95,
      confidence: 0.95,
    });
    // all judged: H0 would need a relevant image among none left, so it is impossible (scipy says NaN here)
    expect(recallTargetTest([F, T], { collectionSize: 2 })).toMatchObject({ met: true, p: 0 });
    expect(recallTargetTest(repeat(T, 20), { collectionSize: 20 })).toMatchObject({ met: true, p: 0 });
  });

  it("a long run of not relevant after a run of relevant stops it; confidence sets the bar", () => {
    // r = 50: under H0 at least ⌊50/.95⌋ + 1 − 50 = 3 are unfound. With 450 unjudged, p ≈ (450/2450)³ ≈ 0.006;
    // with 2950 unjudged the same sequence gives p ≈ (2950/4950)³ ≈ 0.21
    const sequence = [...repeat(T, 50), ...repeat(F, 2000)];
    expect(recallTargetTest(sequence, { collectionSize: 5000 }).met).toBe(false);
    const stop = recallTargetTest(sequence, { collectionSize: 2500 });
    expect(stop.met).toBe(true);
    expect(stop.p).toBeLessThan(0.05);
    expect(stop.p).toBeGreaterThan(0.005);
    expect(recallTargetTest(sequence, { collectionSize: 2500, confidence: 1 - stop.p / 2 }).met).toBe(false);
    expect(recallTargetTest([...repeat(T, 50), ...repeat(F, 20)], { collectionSize: 2500 }).met).toBe(false);
  });

  it("refuses impossible inputs", () => {
    expect(() => recallTargetTest([T, F], { collectionSize: 1 })).toThrow(RangeError);
    expect(() => recallTargetTest([T], { collectionSize: 10, targetRecall: 0 })).toThrow(RangeError);
    expect(() => recallTargetTest([T], { collectionSize: 10, confidence: 1 })).toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import { assignSplits, valQuotas, type SplitCandidate } from "@/lib/splits/assign";

// Stratified val/test splits: counts per supercategory, stability, and queries that keep their split.

function queries(counts: Record<string, number>): SplitCandidate[] {
  return Object.entries(counts).flatMap(([supercategory, n]) =>
    Array.from({ length: n }, (_, i) => ({ queryId: `${supercategory}-${i}`, supercategory })),
  );
}

const count = (splits: Map<string, string>, prefix: string, split: string) =>
  [...splits].filter(([id, s]) => id.startsWith(prefix) && s === split).length;

describe("stratified splits", () => {
  it("gives each supercategory 20% val, INQUIRE's 250 queries split 50/200", () => {
    // INQUIRE's own shape: 250 queries over four supercategories
    const qs = queries({ Appearance: 80, Behavior: 85, Context: 55, Species: 30 });
    const splits = assignSplits(qs, { seed: 1 });
    expect(count(splits, "Appearance", "val")).toBe(16);
    expect(count(splits, "Behavior", "val")).toBe(17);
    expect(count(splits, "Context", "val")).toBe(11);
    expect(count(splits, "Species", "val")).toBe(6);
    expect([...splits.values()].filter((s) => s === "val")).toHaveLength(50);
    expect(splits.size).toBe(250);
  });
  it("rounds by largest remainder so the total share holds", () => {
    // 3 strata of 3 at 20%: 0.6 each, 1.8 in all -> 2 val; the two strata named first get them
    expect(
      valQuotas(
        new Map([
          ["a", 3],
          ["b", 3],
          ["c", 3],
        ]),
        0.2,
      ),
    ).toEqual(
      new Map([
        ["a", 1],
        ["b", 1],
        ["c", 0],
      ]),
    );
  });
  it("is the same for the same seed in any input order, and differs for another seed", () => {
    const qs = queries({ Appearance: 40, Behavior: 40 });
    const a = assignSplits(qs, { seed: 7 });
    const b = assignSplits([...qs].reverse(), { seed: 7 });
    expect([...a].sort()).toEqual([...b].sort());
    const c = assignSplits(qs, { seed: 8 });
    expect([...a].sort()).not.toEqual([...c].sort());
  });
  it("keeps a query's split when it has one, counting it toward the share", () => {
    const qs = queries({ Species: 10 });
    qs[0].split = "val";
    qs[1].split = "val";
    qs[2].split = "test";
    const splits = assignSplits(qs, { seed: 3 });
    expect(splits.get("Species-0")).toBe("val");
    expect(splits.get("Species-2")).toBe("test");
    // 20% of 10 is 2, both already fixed: every other query goes to test
    expect(count(splits, "Species", "val")).toBe(2);
  });
  it("a new supercategory does not change the others' draws", () => {
    const base = queries({ Appearance: 30, Behavior: 30 });
    const more = [...base, ...queries({ Context: 10 })];
    const a = assignSplits(base, { seed: 5 });
    const b = assignSplits(more, { seed: 5 });
    for (const [id, split] of a) if (id.startsWith("Appearance") && split === "val") expect(b.get(id)).toBe("val");
  });
  it("refuses a share outside 0..1 and a query listed twice", () => {
    expect(() => assignSplits(queries({ A: 1 }), { valShare: 1.5 })).toThrow(/fraction/);
    expect(() => assignSplits([...queries({ A: 1 }), ...queries({ A: 1 })])).toThrow(/twice/);
  });
});

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { agreementOf, agreementReport, type JudgmentPair } from "@/lib/agreement/kappa";
import { finalLabel } from "@/lib/agreement/final-label";
import { JUDGMENT_VALUES } from "@/lib/judgments/values";
import { rng } from "../helpers/random";
import { servicesRequired } from "../helpers/services";

// Agreement on worked examples and against scikit-learn's cohen_kappa_score; the final label's
// precedence (adjudicated, else agreed, else single).

const pairs = (a: string, b: string): JudgmentPair[] => {
  const v = { R: "relevant", N: "not_relevant", U: "unsure" } as const;
  return [...a].map((c, i) => ({ a: v[c as "R"], b: v[b[i] as "R"] }));
};

describe("Cohen's kappa and raw agreement, worked by hand", () => {
  it("two annotators, 10 images", () => {
    // A: R R R R R N N N N N ; B: R R R R N N N N N R -> 8 of 10 agree
    // marginals A: R 5, N 5; B: R 5, N 5 -> chance 0.5; kappa (0.8 - 0.5) / (1 - 0.5) = 0.6
    const a = agreementOf(pairs("RRRRRNNNNN", "RRRRNNNNNR"));
    expect(a.raw).toBeCloseTo(0.8, 12);
    expect(a.kappa).toBeCloseTo(0.6, 12);
  });
  it("all agree: raw 1 and kappa 1 when both labels occur", () => {
    expect(agreementOf(pairs("RNRN", "RNRN"))).toEqual({ pairs: 4, raw: 1, kappa: 1 });
  });
  it("all one label: raw 1, kappa undefined (chance agreement is 1)", () => {
    expect(agreementOf(pairs("NNNN", "NNNN"))).toEqual({ pairs: 4, raw: 1, kappa: null });
  });
  it("no better than chance, and worse", () => {
    // A: R R N N; B: R N R N -> raw 0.5, chance 0.5 -> kappa 0
    expect(agreementOf(pairs("RRNN", "RNRN")).kappa).toBeCloseTo(0, 12);
    // always opposite: raw 0, chance 0.5 -> kappa -1
    expect(agreementOf(pairs("RN", "NR")).kappa).toBeCloseTo(-1, 12);
  });
  it("no pairs: nothing to say", () => {
    expect(agreementOf([])).toEqual({ pairs: 0, raw: null, kappa: null });
  });
});

describe("agreement per query, per annotator pair and overall", () => {
  it("pairs the annotators of each image, whoever judged first", () => {
    const report = agreementReport([
      { queryId: "1", imageId: "a", annotatorId: "u2", value: "relevant" },
      { queryId: "1", imageId: "a", annotatorId: "u1", value: "relevant" },
      { queryId: "1", imageId: "b", annotatorId: "u1", value: "not_relevant" },
      { queryId: "1", imageId: "b", annotatorId: "u2", value: "relevant" },
      { queryId: "2", imageId: "a", annotatorId: "u1", value: "not_relevant" },
      { queryId: "2", imageId: "a", annotatorId: "u3", value: "not_relevant" },
      { queryId: "2", imageId: "c", annotatorId: "u1", value: "relevant" }, // judged once: no pair
    ]);
    expect(report.overall.pairs).toBe(3);
    expect(report.overall.raw).toBeCloseTo(2 / 3, 12);
    expect(report.perQuery.get("1")!.raw).toBeCloseTo(1 / 2, 12);
    expect(report.perQuery.get("2")).toEqual({ pairs: 1, raw: 1, kappa: null });
    expect([...report.perPair.keys()].sort()).toEqual(["u1|u2", "u1|u3"]);
    // u1 is always "a": (R,R) and (N,R) -> A: R 1, N 1; B: R 2 -> chance 0.5, observed 0.5 -> kappa 0
    expect(report.perPair.get("u1|u2")!.kappa).toBeCloseTo(0, 12);
  });
  it("refuses one annotator judging one image twice", () => {
    expect(() =>
      agreementReport([
        { queryId: "1", imageId: "a", annotatorId: "u1", value: "relevant" },
        { queryId: "1", imageId: "a", annotatorId: "u1", value: "unsure" },
      ]),
    ).toThrow(/twice/);
  });
});

const PYTHON = "/usr/bin/python3";
const haveSklearn = fs.existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import sklearn"]).status === 0;
if (!haveSklearn && servicesRequired)
  throw new Error("FIELDMARK_REQUIRE_SERVICES=1 but python3-sklearn is not installed");

describe.skipIf(!haveSklearn)("Cohen's kappa against scikit-learn (needs python3-sklearn)", () => {
  it("agrees to 1e-12 on 300 random pairs of annotators", () => {
    const rand = rng(21);
    const cases = Array.from({ length: 300 }, () => {
      const n = 1 + Math.floor(rand() * 60);
      const bias = rand();
      const a = Array.from({ length: n }, () => JUDGMENT_VALUES[Math.floor(rand() ** (1 + 3 * bias) * 3)]);
      // b copies a often, else draws its own
      const b = a.map((v) => (rand() < 0.6 ? v : JUDGMENT_VALUES[Math.floor(rand() * 3)]));
      return { a, b };
    });
    const r = spawnSync(PYTHON, [path.resolve(import.meta.dirname, "../../scripts/eval/sklearn_kappa.py")], {
      input: JSON.stringify({ cases }),
    });
    expect(r.status, r.stderr.toString()).toBe(0);
    const expected: (number | null)[] = JSON.parse(r.stdout.toString()).results;
    let defined = 0;
    cases.forEach((c, i) => {
      const ours = agreementOf(c.a.map((a, j) => ({ a, b: c.b[j] }))).kappa;
      if (expected[i] === null) expect(ours, `case ${i}`).toBeNull();
      else {
        defined++;
        expect(Math.abs(ours! - expected[i]!), `case ${i}`).toBeLessThan(1e-12);
      }
    });
    expect(defined).toBeGreaterThan(250);
  });
});

describe("the final label", () => {
  it("is the adjudication first, whatever the annotators said", () => {
    expect(finalLabel(["relevant", "not_relevant"], "not_relevant")).toEqual({
      value: "not_relevant",
      basis: "adjudicated",
      needsAdjudication: false,
    });
  });
  it("is the agreed judgment, else the single one", () => {
    expect(finalLabel(["relevant", "relevant"])).toMatchObject({ value: "relevant", basis: "agreed" });
    expect(finalLabel(["not_relevant"])).toMatchObject({ value: "not_relevant", basis: "single" });
  });
  it("sends disagreements and unsure judgments to adjudication", () => {
    expect(finalLabel(["relevant", "not_relevant"])).toEqual({
      value: null,
      basis: "disagreement",
      needsAdjudication: true,
    });
    expect(finalLabel(["unsure"])).toMatchObject({ value: "unsure", needsAdjudication: true });
    expect(finalLabel(["unsure", "unsure"])).toMatchObject({
      value: "unsure",
      basis: "agreed",
      needsAdjudication: true,
    });
  });
  it("is nothing for an image nobody judged", () => {
    expect(finalLabel([])).toEqual({ value: null, basis: "unjudged", needsAdjudication: false });
  });
});

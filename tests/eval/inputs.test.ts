import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateFiles } from "@/lib/eval/evaluate";
import { EvalInputError } from "@/lib/eval/csv-table";

// The files `fieldmark eval` reads: worked results through the whole path, and every bad input ends in
// an error that names the file, line and column, before anything is scored.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-eval-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const QUERIES = file(
  "queries.csv",
  ",query_id,query_text,supercategory,category,iconic_group\n" +
    "0,1,a heron eating a fish,Behavior,Feeding,Birds\n" +
    "1,2,a moth with eyespots,Appearance,Mimicry,Insects\n" +
    "2,3,a fern in snow,Context,Weather,Plants\n",
);
const ANNOTATIONS = file(
  "annotations.csv",
  "query_id,image_id,image_path\n1,10,a/10.jpg\n1,11,a/11.jpg\n1,12,a/12.jpg\n2,20,b/20.jpg\n3,30,c/30.jpg\n" +
    "1,10,a/10.jpg\n99,1,other-split.jpg\n",
);

describe("evaluateFiles: full-rank", () => {
  it("scores each query's top k, counts a query absent from the run as 0, and groups the means", () => {
    const run = file("run.csv", "query_id,image_id,score\n1,10,0.9\n1,13,0.8\n1,11,0.7\n2,21,0.5\n2,20,0.4\n");
    const report = evaluateFiles({ queries: QUERIES, annotations: ANNOTATIONS, run, k: 5, by: "supercategory" });
    // query 1: R . R in the top 5, 3 relevant (the annotation listed twice counts once): AP (1 + 2/3)/2 x 2/3
    const q1 = report.per_query.find((q) => q.query_id === "1")!;
    expect(q1.ap).toBeCloseTo(((1 + 2 / 3) / 2) * (2 / 3), 12);
    expect(q1.recall).toBeCloseTo(2 / 3, 12);
    // query 2: . R: AP 1/2 x 1 / min(1, 5)
    expect(report.per_query.find((q) => q.query_id === "2")!.ap).toBeCloseTo(0.5, 12);
    // query 3 has no rows in the run: 0 everywhere, and it counts in the mean
    expect(report.per_query.find((q) => q.query_id === "3")).toEqual({
      query_id: "3",
      ap: 0,
      ndcg: 0,
      mrr: 0,
      precision: 0,
      recall: 0,
    });
    expect(report.mean.ap).toBeCloseTo((q1.ap + 0.5 + 0) / 3, 12);
    expect(Object.keys(report.groups)).toEqual(["Appearance", "Behavior", "Context"]);
    expect(report.groups.Behavior.ap).toBeCloseTo(q1.ap, 12);
    expect(report.groups.Behavior.queries).toBe(1);
  });

  it("breaks equal scores by ascending image id, numerically", () => {
    // 9 and 10 tie; by number 9 comes first (by text "10" would): with k = 1 only the first counts
    const run = file("ties.csv", "query_id,image_id,score\n1,10,0.5\n1,9,0.5\n");
    const annotations = file("ties-a.csv", "query_id,image_id\n1,9\n");
    const report = evaluateFiles({ queries: QUERIES, annotations, run, k: 1 });
    expect(report.per_query.find((q) => q.query_id === "1")!.precision).toBe(1);
  });

  it("leaves out, and lists, a query with no relevant image", () => {
    const annotations = file("some.csv", "query_id,image_id\n1,10\n");
    const run = file("run2.csv", "query_id,image_id,score\n1,10,1\n");
    const report = evaluateFiles({ queries: QUERIES, annotations, run, k: 5 });
    expect(report.per_query.map((q) => q.query_id)).toEqual(["1"]);
    expect(report.left_out.map((q) => q.query_id)).toEqual(["2", "3"]);
    expect(report.mean.mrr).toBe(1);
  });
});

describe("evaluateFiles: rerank", () => {
  it("re-orders each set by the run, unscored images last, AP over the set", () => {
    const rerank = file(
      "rerank.csv",
      "query_id,inat24_image_id,relevant,clip_score\n1,10,1,0.3\n1,11,0,0.2\n1,12,1,0.1\n1,13,0,0.05\n2,20,0,0.1\n2,21,0,0.1\n",
    );
    // the run puts 11 first, then 12; 10 and 13 are not scored and go last (tied)
    const run = file("rerank-run.csv", "query_id,image_id,score\n1,11,0.9\n1,12,0.8\n1,999,5\n");
    const report = evaluateFiles({ queries: QUERIES, rerank, run, k: 2 });
    const q1 = report.per_query.find((q) => q.query_id === "1")!;
    // order 11 (.), 12 (R), then {10 (R), 13 (.)} tied at the bottom: thresholds P 1/2 at R 1/2, P 2/4 at R 1
    expect(q1.ap).toBeCloseTo(0.5 * 0.5 + 0.5 * 0.5, 12);
    expect(q1.precision).toBeCloseTo(1 / 2, 12);
    expect(q1.recall).toBeCloseTo(1 / 2, 12);
    expect(report.task).toBe("rerank");
    expect(report.left_out).toEqual([
      { query_id: "2", reason: "its rerank set holds no relevant image" },
      { query_id: "3", reason: "not in the rerank file" },
    ]);
  });
});

describe("bad input names the file, line and column", () => {
  const cases: [string, string, RegExp][] = [
    [
      "unknown query",
      "query_id,image_id,score\n1,10,0.5\n7,10,0.5\n",
      /run-bad\.csv line 3, column query_id: "7" is not a query of the queries file/,
    ],
    ["non-numeric score", "query_id,image_id,score\n1,10,high\n", /line 2, column score: "high" is not a number/],
    [
      "duplicate row",
      "query_id,image_id,score\n1,10,0.5\n1,11,0.4\n1,10,0.3\n",
      /line 4, column image_id: image 10 is ranked twice for query 1 \(also on line 2\)/,
    ],
    ["missing column", "query_id,image,score\n1,10,0.5\n", /line 1, column image_id: missing column image_id/],
    ["ragged row", "query_id,image_id,score\n1,10\n", /line 2: this row has a different number of fields/],
    ["empty score", "query_id,image_id,score\n1,10,\n", /line 2, column score: "" is not a number/],
    ["empty file", "", /line 1: the file is empty/],
  ];
  for (const [what, text, message] of cases) {
    it(`a run with ${what}`, () => {
      const run = file("run-bad.csv", text);
      let error: unknown;
      try {
        evaluateFiles({ queries: QUERIES, annotations: ANNOTATIONS, run, k: 5 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(EvalInputError);
      expect((error as Error).message).toMatch(message);
    });
  }
  it("a file that is not UTF-8, with its line", () => {
    const run = path.join(dir, "latin1.csv");
    fs.writeFileSync(
      run,
      Buffer.concat([Buffer.from("query_id,image_id,score\n1,10,0.5\n1,"), Buffer.from([0xe9]), Buffer.from(",0.2\n")]),
    );
    expect(() => evaluateFiles({ queries: QUERIES, annotations: ANNOTATIONS, run, k: 5 })).toThrow(
      /latin1\.csv line 3: not UTF-8/,
    );
  });
  it("a rerank set with a bad relevant value, and one for the other split only", () => {
    const run = file("ok-run.csv", "query_id,image_id,score\n1,10,0.5\n");
    const bad = file("bad-rerank.csv", "query_id,inat24_image_id,relevant\n1,10,yes\n");
    expect(() => evaluateFiles({ queries: QUERIES, rerank: bad, run, k: 5 })).toThrow(
      /bad-rerank\.csv line 2, column relevant: "yes" is not 0 or 1/,
    );
    const other = file("other-rerank.csv", "query_id,inat24_image_id,relevant\n50,10,1\n");
    expect(() => evaluateFiles({ queries: QUERIES, rerank: other, run, k: 5 })).toThrow(
      /none of its queries is in the queries file/,
    );
  });
  it("a missing file", () => {
    const run = file("ok-run2.csv", "query_id,image_id,score\n1,10,0.5\n");
    const missing = path.join(dir, "nope.csv");
    expect(() => evaluateFiles({ queries: QUERIES, annotations: missing, run, k: 5 })).toThrow(
      `${missing}: no such file`,
    );
  });
});

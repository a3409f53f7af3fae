import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { curvePoints } from "@/lib/dashboard/curve";
import { readDashboard } from "@/lib/dashboard/read";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { adjudicateImage3, ANN, BOB, seedDashboardFixture, type DashboardFixture } from "./fixture";

// The dashboard's numbers on a collection worked by hand (tests/dashboard/fixture): counts by final
// label (an adjudication moves one), unsure counted, two annotators and their agreement, the recall shown
// only when trusted, the matrix and its thin cells, judgments per annotator per UTC day, the curves.

describe.each(dbKinds)("the coverage dashboard on %s", (kind) => {
  let t: TestDatabase;
  let f: DashboardFixture;
  const row = async (id: string, thin?: number) =>
    (await readDashboard(f.collectionId, { thin })).queries.find((q) => q.id === id)!;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    f = await seedDashboardFixture();
  });
  afterAll(async () => t?.close());

  it("counts each query's images by final label; the lead's adjudication moves a disagreement to relevant", async () => {
    const before = await row("1");
    expect(before).toMatchObject({
      judged: 6,
      relevant: 1,
      notRelevant: 2,
      unsure: 1,
      disagreement: 2,
      adjudicated: 0,
      needsAdjudication: 3,
    });
    await adjudicateImage3(f);
    const after = await row("1");
    expect(after).toMatchObject({
      judged: 6,
      relevant: 2,
      notRelevant: 2,
      unsure: 1,
      disagreement: 1,
      adjudicated: 1,
      needsAdjudication: 2,
    });
    expect(await row("2")).toMatchObject({ judged: 4, relevant: 2, notRelevant: 2, unsure: 0, disagreement: 0 });
    expect(await row("3")).toMatchObject({ judged: 0, relevant: 0, status: "draft", annotators: [] });
  });

  it("names who judged each query, and their raw agreement and kappa", async () => {
    const q1 = await row("1");
    expect(q1.annotators).toEqual([
      { id: ANN.id, name: ANN.name, judgments: 6 },
      { id: BOB.id, name: BOB.name, judgments: 3 },
    ]);
    // pairs (Ann, Bob): (R,R) (N,R) (R,N): raw 1/3; chance (2/3)(2/3) + (1/3)(1/3) = 5/9; kappa (1/3 - 5/9) / (4/9) = -0.5
    expect(q1.agreement.pairs).toBe(3);
    expect(q1.agreement.raw).toBeCloseTo(1 / 3, 12);
    expect(q1.agreement.kappa).toBeCloseTo(-0.5, 12);
    expect((await row("2")).agreement).toEqual({ pairs: 0, raw: null, kappa: null });
  });

  it("shows the recall with its interval only when the estimate can be trusted, else why not", async () => {
    const q1 = await row("1");
    expect(q1.recall).toEqual({ recall: 0.8, low: 0.5, high: 1 });
    expect(q1.recallText).toMatch(/recall 0\.80 \(0\.50 to 1\.00\)/);
    expect(q1.signals.map((s) => s.id)).toEqual(["inquire", "knee", "target", "quiet"]);
    const q2 = await row("2");
    expect(q2.recall).toBeNull();
    expect(q2.recallText).toBe("No recall estimate to trust yet: only 8 audit judgments (30 needed)");
    expect(q2.recallText).not.toMatch(/0\.8/);
    const q3 = await row("3");
    expect(q3.recall).toBeNull();
    expect(q3.headline).toMatch(/Waiting for the first learning round/);
  });

  it("draws the matrix of supercategory x category x iconic group, marking cells under the threshold", async () => {
    const { matrix } = await readDashboard(f.collectionId, { thin: 2 });
    expect(matrix.iconicGroups).toEqual(["Aves", "Mammalia"]);
    expect(matrix.rows.map((r) => [r.supercategory, r.category, r.cells])).toEqual([
      ["Behavior", "feeding", [{ queries: 1, relevant: 2, thin: false }, null]],
      ["Context", "urban", [{ queries: 1, relevant: 0, thin: true }, null]],
      ["Species", "fox", [null, { queries: 1, relevant: 2, thin: false }]],
    ]);
    expect(matrix.thinCells).toBe(1);
    expect((await readDashboard(f.collectionId, { thin: 3 })).matrix.thinCells).toBe(3);
  });

  it("counts judgments per annotator per UTC day, whatever the database's time zone", async () => {
    const client = await db().connect();
    let perDay;
    try {
      await client.query("SET TIME ZONE 'Pacific/Auckland'"); // 13 hours ahead of UTC in November
      expect((await client.query("SHOW timezone")).rows[0].TimeZone).toBe("Pacific/Auckland");
      perDay = (await readDashboard(f.collectionId, { client })).perDay;
    } finally {
      await client.query("RESET TIME ZONE");
      client.release();
    }
    expect(perDay).toEqual([
      { day: "2026-11-02", annotatorId: ANN.id, annotator: ANN.name, judgments: 3 },
      { day: "2026-11-03", annotatorId: ANN.id, annotator: ANN.name, judgments: 3 },
      { day: "2026-11-03", annotatorId: BOB.id, annotator: BOB.name, judgments: 3 },
      { day: "2026-11-04", annotatorId: BOB.id, annotator: BOB.name, judgments: 4 },
    ]);
  });

  it("gives each query's relevant-found curve in judging order, by final label", async () => {
    const { curves, totals } = await readDashboard(f.collectionId);
    const byId = new Map(curves.map((c) => [c.queryId, c]));
    // query 1 in the order first judged: 1 R, 2 -, 3 R (adjudicated), 4 U, 5 N, 6 N
    expect(byId.get("1")).toEqual({ queryId: "1", judged: 6, places: [1, 3] });
    expect(curvePoints(byId.get("1")!)).toEqual([
      [0, 0],
      [1, 1],
      [3, 2],
      [6, 2],
    ]);
    expect(byId.get("2")).toEqual({ queryId: "2", judged: 4, places: [2, 3] });
    expect(curvePoints(byId.get("3")!)).toEqual([[0, 0]]);
    expect(totals).toEqual({ queries: 3, judgments: 13, judged: 10, relevant: 4, finished: 0 });
  });
});

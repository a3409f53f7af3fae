import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adjudicate, findAdjudication, openAdjudications } from "@/lib/agreement/adjudication";
import { adjudicationCards, adjudicationOf, toPages } from "@/lib/agreement/adjudication-grid";
import { agreementReport, type Judged } from "@/lib/agreement/kappa";
import { finalLabels, relevantByQuery } from "@/lib/agreement/labels";
import { agreementForQueries } from "@/lib/agreement/read";
import { agreementSummary } from "@/lib/agreement/summary";
import { PermissionError } from "@/lib/auth/permissions";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import type { JudgmentValue } from "@/lib/judgments/values";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import { createQuery, type QueryRef } from "@/lib/queries/queries";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { addImages } from "../helpers/judging";
import { seedCollection, type SeededCollection } from "../helpers/seed";
import { dbKinds } from "../helpers/services";

// Final labels from the database (adjudicated beats agreed beats single; a disagreement has none and
// goes to adjudication), the lead's adjudication and its history, and agreement read from the
// database against agreementReport on the same judgments and a case worked by hand.

const V = { R: "relevant", N: "not_relevant", U: "unsure" } as const;

describe.each(dbKinds)("final labels, adjudication and agreement on %s", (kind) => {
  let t: TestDatabase;
  let root: string;
  let seeded: SeededCollection;
  let ana: string;
  let ben: string;
  let lead: { id: string; role: "lead" };
  let q1: QueryRef;
  let q2: QueryRef;
  let images: string[];

  async function judge(query: QueryRef, annotatorId: string, imageIds: string[], values: string) {
    const results = await applyJudgmentWrites(
      query,
      annotatorId,
      imageIds.map((imageId, i) => ({
        clientId: crypto.randomUUID(),
        imageId,
        value: V[values[i] as keyof typeof V] as JudgmentValue,
        source: "text-image",
        timeSpentMs: 100,
      })),
    );
    expect(results.every((r) => r.status === "saved")).toBe(true);
  }
  const imageRowId = async (sourceId: string) =>
    Number(
      (await db().query("SELECT id FROM images WHERE collection_id = $1 AND source_id = $2", [seeded.id, sourceId]))
        .rows[0].id,
    );
  const labelOf = async (query: QueryRef, sourceId: string) => {
    const id = await imageRowId(sourceId);
    return (await finalLabels([query.rowId])).find((l) => l.imageId === id);
  };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-adjudication-"));
    seeded = await seedCollection(root);
    ana = (
      await createUser({ email: "ana@example.org", name: "Ana <b>A</b>", password: "password-123", role: "expert" })
    ).id;
    ben = (await createUser({ email: "ben@example.org", name: "Ben B", password: "password-123", role: "expert" })).id;
    const l = await createUser({ email: "lee@example.org", name: "Lee Lead", password: "password-123", role: "lead" });
    lead = { id: l.id, role: "lead" };
    q1 = { rowId: (await createQuery(seeded.id, { text: "Eagle with a fish" }, ana)).rowId, collectionId: seeded.id };
    q2 = { rowId: (await createQuery(seeded.id, { text: "Eagle in flight" }, ana)).rowId, collectionId: seeded.id };
    images = await addImages(seeded, 20);
    // q1: images 0-3 judged by both: agree R, disagree R/N, agree U, agree N; 4 and 5 by Ana alone (N, U)
    await judge(q1, ana, images.slice(0, 6), "RRUNNU");
    await judge(q1, ben, images.slice(0, 4), "RNUN");
    // q2, worked by hand: A = R R R R R N N N N N, B = R R R R N N N N N R -> raw 0.8, kappa 0.6
    await judge(q2, ana, images.slice(10, 20), "RRRRRNNNNN");
    await judge(q2, ben, images.slice(10, 20), "RRRRNNNNNR");
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("labels agreed, single and disagreeing images; disagreement and unsure need adjudication", async () => {
    expect(await labelOf(q1, images[0])).toMatchObject({
      value: "relevant",
      basis: "agreed",
      needsAdjudication: false,
    });
    expect(await labelOf(q1, images[1])).toMatchObject({ value: null, basis: "disagreement", needsAdjudication: true });
    expect(await labelOf(q1, images[2])).toMatchObject({ value: "unsure", basis: "agreed", needsAdjudication: true });
    expect(await labelOf(q1, images[4])).toMatchObject({ value: "not_relevant", basis: "single", judgments: 1 });
    expect(await labelOf(q1, images[5])).toMatchObject({ value: "unsure", basis: "single", needsAdjudication: true });
  });

  it("lists the open items with every judgment, by name, query by query", async () => {
    const { items, total } = await openAdjudications(seeded.id);
    // q1: images 1 (disagree), 2 (both unsure), 5 (unsure); q2: 10 pairs, 2 disagreements (14, 19)
    expect(total).toBe(5);
    expect(items.map((i) => [i.queryId, i.imageId])).toEqual([
      ["1", images[1]],
      ["1", images[2]],
      ["1", images[5]],
      ["2", images[14]],
      ["2", images[19]],
    ]);
    expect(items[0]).toMatchObject({
      queryText: "Eagle with a fish",
      basis: "disagreement",
      judgments: [
        { annotatorId: ana, annotator: "Ana <b>A</b>", value: "relevant" },
        { annotatorId: ben, annotator: "Ben B", value: "not_relevant" },
      ],
    });
    expect((await openAdjudications(seeded.id, { queryRowId: q2.rowId })).items.map((i) => i.imageId)).toEqual([
      images[14],
      images[19],
    ]);
    expect(await openAdjudications(seeded.id, { limit: 2 })).toMatchObject({ total: 5, items: [{}, {}] });
  });

  it("an adjudication is the final label, beats agreement, keeps its history, and takes the item out of the queue", async () => {
    expect(await adjudicate(lead, q1, images[1], "not_relevant")).toEqual({
      value: "not_relevant",
      previous: null,
      changed: true,
    });
    expect(await labelOf(q1, images[1])).toMatchObject({ value: "not_relevant", basis: "adjudicated" });
    expect((await openAdjudications(seeded.id)).items.map((i) => i.imageId)).not.toContain(images[1]);
    // the same again changes nothing; another value keeps the earlier one, who gave it and when
    expect(await adjudicate(lead, q1, images[1], "not_relevant")).toMatchObject({ changed: false });
    expect(await adjudicate(lead, q1, images[1], "relevant", "on second look")).toMatchObject({
      previous: "not_relevant",
      changed: true,
    });
    const record = (await findAdjudication(q1.rowId, await imageRowId(images[1])))!;
    expect(record).toMatchObject({ value: "relevant", adjudicatorId: lead.id, note: "on second look" });
    expect(record.history).toHaveLength(1);
    expect(record.history[0]).toMatchObject({ value: "not_relevant", by: lead.id, note: null });
    expect(Number.isNaN(Date.parse(record.history[0].at))).toBe(false);
    // adjudicated beats agreed
    await adjudicate(lead, q1, images[0], "not_relevant");
    expect(await labelOf(q1, images[0])).toMatchObject({ value: "not_relevant", basis: "adjudicated" });
    const relevant = await relevantByQuery([q1.rowId]);
    expect(relevant.get(q1.rowId)).toEqual([await imageRowId(images[1])]);
  });

  it("refuses unsure, an image nobody judged for the query, an unknown image and an expert", async () => {
    await expect(adjudicate(lead, q1, images[2], "unsure")).rejects.toMatchObject({ field: "value" });
    await expect(adjudicate(lead, q1, images[8], "relevant")).rejects.toMatchObject({
      field: "imageId",
      message: expect.stringContaining("no judgment for this query"),
    });
    await expect(adjudicate(lead, q1, "no-such-image", "relevant")).rejects.toMatchObject({ field: "imageId" });
    await expect(adjudicate({ id: ana, role: "expert" }, q1, images[2], "relevant")).rejects.toBeInstanceOf(
      PermissionError,
    );
    expect(await labelOf(q1, images[2])).toMatchObject({ basis: "agreed", needsAdjudication: true });
  });

  it("agreementForQueries is agreementReport over the same judgments, and q2 is 0.8 raw, 0.6 kappa", async () => {
    const { rows } = await db().query<Judged>(
      `SELECT query_id::text AS "queryId", image_id::text AS "imageId", annotator_id AS "annotatorId", value
         FROM judgments WHERE query_id = ANY($1::int[])`,
      [[q1.rowId, q2.rowId]],
    );
    const fromDb = await agreementForQueries([q1.rowId, q2.rowId]);
    const direct = agreementReport(rows);
    expect(fromDb.overall).toEqual(direct.overall);
    expect([...fromDb.perQuery].sort()).toEqual([...direct.perQuery].sort());
    expect([...fromDb.perPair].sort()).toEqual([...direct.perPair].sort());
    const hand = fromDb.perQuery.get(String(q2.rowId))!;
    expect(hand.pairs).toBe(10);
    expect(hand.raw).toBeCloseTo(0.8, 12);
    expect(hand.kappa).toBeCloseTo(0.6, 12);
    // q1's pairs: (R,R) (R,N) (U,U) (N,N): raw 0.75; A: R2 U1 N1, B: R1 N2 U1 -> chance (2+1+2)/16 -> kappa 0.6
    const q1a = fromDb.perQuery.get(String(q1.rowId))!;
    expect(q1a.raw).toBeCloseTo(0.75, 12);
    expect(q1a.kappa).toBeCloseTo((0.75 - 5 / 16) / (1 - 5 / 16), 12);
    // the page's summary carries the same numbers, with names and counts
    const summary = await agreementSummary(seeded.id);
    expect(summary.overall).toMatchObject(direct.overall);
    expect(summary.queries.find((q) => q.queryId === "2")).toMatchObject({ judged: 10, pairs: 10, kappaNote: null });
    expect(summary.pairs).toHaveLength(1);
    expect(summary.pairs[0].annotators.map((a) => a.name).sort()).toEqual(["Ana <b>A</b>", "Ben B"]);
  });
});

describe("the adjudication grid's cards", () => {
  const item = (queryId: string, imageId: string) => ({
    queryId,
    queryText: `query ${queryId}`,
    imageId,
    width: 10,
    height: 10,
    status: "ok" as const,
    statusReason: null,
    taxon: null,
    basis: "disagreement" as const,
    judgments: [],
  });
  it("keys one image open for two queries apart, pages them, and turns grid writes into final labels", () => {
    const cards = adjudicationCards([item("1", "img"), item("2", "img"), item("2", "other")]);
    expect(cards.map((c) => c.imageId)).toEqual(["1/img", "2/img", "2/other"]);
    expect(cards.map((c) => c.image)).toEqual(["img", "img", "other"]);
    expect(toPages(cards, 2).map((p) => p.length)).toEqual([2, 1]);
    const byKey = new Map(cards.map((c) => [c.imageId, c]));
    expect(adjudicationOf({ imageId: "2/img", value: "relevant" }, byKey)).toEqual({
      queryId: "2",
      imageId: "img",
      value: "relevant",
    });
    expect(adjudicationOf({ imageId: "2/img", value: "unsure" }, byKey)).toBeNull();
    expect(adjudicationOf({ imageId: "2/img", value: null }, byKey)).toBeNull();
    expect(adjudicationOf({ imageId: "3/img", value: "relevant" }, byKey)).toBeNull();
  });
});

import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assignOverlap,
  chooseOverlap,
  overlapCounts,
  overlapSampleSize,
  overlapSeed,
  type JudgedImage,
} from "@/lib/agreement/overlap";
import { PermissionError } from "@/lib/auth/permissions";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { listJudgments } from "@/lib/judgments/list";
import { queryProgress } from "@/lib/judgments/progress";
import { nextCandidates } from "@/lib/judgments/queue";
import type { JudgmentValue } from "@/lib/judgments/values";
import { whoseJudgments } from "@/lib/judgments/visibility";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import { createQuery, type QueryRef } from "@/lib/queries/queries";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { addCandidates, addImages } from "../helpers/judging";
import { seedCollection, type SeededCollection } from "../helpers/seed";
import { dbKinds } from "../helpers/services";

// Blind overlap samples: how many go (ceil of the share of judged images, every unsure besides),
// the seeded draw, the refusals; and the second expert's queue serving them first with no trace of
// the first judgment.

const judgedImages = (n: number, unsure: number[], by = "ana"): JudgedImage[] =>
  Array.from({ length: n }, (_, i) => ({
    imageId: i + 1,
    judgments: [
      {
        annotatorId: by,
        value: (unsure.includes(i + 1) ? "unsure" : i % 2 ? "relevant" : "not_relevant") as JudgmentValue,
      },
    ],
  }));

describe("the overlap sample, pure", () => {
  it("is the share of judged images rounded up (at least one, at most all)", () => {
    expect(overlapSampleSize(30, 0.1)).toBe(3); // 0.1 * 30 is 3.0000000000000004 in floating point
    expect(overlapSampleSize(31, 0.1)).toBe(4);
    expect(overlapSampleSize(5, 0.1)).toBe(1);
    expect(overlapSampleSize(0, 0.1)).toBe(0);
    expect(overlapSampleSize(10, 1)).toBe(10);
    expect(overlapSampleSize(7, 0.5)).toBe(4);
  });

  it("refuses a share outside (0, 1]", () => {
    for (const share of [0, -0.1, 1.01, Number.NaN, Infinity])
      expect(() => overlapSampleSize(10, share), String(share)).toThrow(/share must be more than 0 and at most 1/);
  });

  it("sends every unsure image besides the sample, never one the assignee judged, and draws the same from the same seed", () => {
    const judged = judgedImages(40, [5, 17, 33]);
    judged[9].judgments.push({ annotatorId: "ben", value: "relevant" }); // image 10: ben judged it already
    const a = chooseOverlap(judged, "ben", 0.1, 1234);
    expect(a.filter((c) => c.reason === "unsure").map((c) => c.imageId)).toEqual([5, 17, 33]);
    expect(a.filter((c) => c.reason === "sample")).toHaveLength(4);
    expect(a.map((c) => c.imageId)).not.toContain(10);
    expect(new Set(a.map((c) => c.imageId)).size).toBe(a.length);
    expect(chooseOverlap(judged, "ben", 0.1, 1234)).toEqual(a);
    // another seed (another query or expert) draws other images, not the first ten in order
    const draws = new Set([1, 2, 3, 4, 5].map((s) => JSON.stringify(chooseOverlap(judged, "ben", 0.1, s))));
    expect(draws.size).toBeGreaterThan(1);
    // the whole share: everything ben did not judge
    expect(chooseOverlap(judged, "ben", 1, 7)).toHaveLength(39);
  });
});

describe.each(dbKinds)("overlap samples and the second expert's queue on %s", (kind) => {
  let t: TestDatabase;
  let root: string;
  let seeded: SeededCollection;
  let ana: string;
  let ben: string;
  let lead: { id: string; role: "lead" };
  let query: QueryRef;
  let images: string[];
  const UNSURE = [4, 11, 25]; // indexes into images, judged unsure by Ana

  async function judge(annotatorId: string, values: [string, JudgmentValue][]) {
    const results = await applyJudgmentWrites(
      query,
      annotatorId,
      values.map(([imageId, value]) => ({
        clientId: crypto.randomUUID(),
        imageId,
        value,
        source: "text-image",
        timeSpentMs: 500,
      })),
    );
    expect(results.every((r) => r.status === "saved")).toBe(true);
  }

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-overlap-"));
    seeded = await seedCollection(root);
    ana = (
      await createUser({ email: "ana@example.org", name: "Ana Annotator", password: "password-123", role: "expert" })
    ).id;
    ben = (await createUser({ email: "ben@example.org", name: "Ben Second", password: "password-123", role: "expert" }))
      .id;
    const leadUser = await createUser({
      email: "lee@example.org",
      name: "Lee Lead",
      password: "password-123",
      role: "lead",
    });
    lead = { id: leadUser.id, role: "lead" };
    const q = await createQuery(seeded.id, { text: "Eagle on a nest" }, ana);
    query = { rowId: q.rowId, collectionId: seeded.id };
    images = await addImages(seeded, 50);
    await addCandidates(seeded.id, query.rowId, images.slice(0, 45), { source: "text-image" });
    // Ana judges the first 30 candidates (three unsure) and one image no source surfaced (judged from search)
    await judge(
      ana,
      images
        .slice(0, 30)
        .map((id, i): [string, JudgmentValue] => [
          id,
          UNSURE.includes(i) ? "unsure" : i % 3 === 0 ? "relevant" : "not_relevant",
        ]),
    );
    await judge(ana, [[images[47], "relevant"]]);
    // Ben already judged two of Ana's images
    await judge(ben, [
      [images[0], "relevant"],
      [images[1], "not_relevant"],
    ]);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const assigned = async () =>
    (
      await db().query<{ imageId: string; reason: string; requestedBy: string }>(
        `SELECT i.source_id AS "imageId", o.reason, o.requested_by AS "requestedBy" FROM overlap_assignments o
           JOIN images i ON i.id = o.image_id WHERE o.query_id = $1 AND o.annotator_id = $2 ORDER BY i.source_id`,
        [query.rowId, ben],
      )
    ).rows;

  it("sends 10% of the judged images, rounded up, and every unsure one, none Ben judged; again adds nothing", async () => {
    const r = await assignOverlap(lead, query, { assigneeId: ben });
    // 31 judged images: ceil(3.1) = 4 sampled, and the 3 unsure
    expect(r).toEqual({ judged: 31, chosen: 7, sample: 4, unsure: 3, added: 7 });
    const rows = await assigned();
    expect(rows.filter((x) => x.reason === "unsure").map((x) => x.imageId)).toEqual(UNSURE.map((i) => images[i]));
    expect(rows.filter((x) => x.reason === "sample")).toHaveLength(4);
    expect(rows.every((x) => x.requestedBy === lead.id)).toBe(true);
    expect(rows.map((x) => x.imageId)).not.toContain(images[0]);
    expect(rows.map((x) => x.imageId)).not.toContain(images[1]);
    // the same request again draws the same images (seeded by query and expert) and adds none
    expect(await assignOverlap(lead, query, { assigneeId: ben })).toMatchObject({ chosen: 7, added: 0 });
    expect(await assigned()).toEqual(rows);
    // the draw is chooseOverlap's with the query's seed
    const { rows: judged } = await db().query(
      "SELECT image_id::int AS \"imageId\", json_agg(json_build_object('annotatorId', annotator_id, 'value', value)) AS judgments FROM judgments WHERE query_id = $1 GROUP BY image_id",
      [query.rowId],
    );
    const expected = chooseOverlap(judged, ben, 0.1, overlapSeed(query.rowId, ben));
    const { rows: ids } = await db().query(
      "SELECT image_id::int AS id FROM overlap_assignments WHERE query_id = $1 AND annotator_id = $2 ORDER BY image_id",
      [query.rowId, ben],
    );
    expect(ids.map((x) => x.id)).toEqual(expected.map((c) => c.imageId));
    expect((await overlapCounts([query.rowId])).get(query.rowId)).toEqual({ assigned: 7, done: 0 });
  });

  it("refuses the first annotator, a bad share, an unknown user and a caller who may not assign", async () => {
    // Ana judged every image anyone else judged: she cannot be her own second expert
    await expect(assignOverlap(lead, query, { assigneeId: ana })).rejects.toMatchObject({
      field: "assignee",
      message: expect.stringContaining("Ana Annotator already judged every image"),
    });
    await expect(assignOverlap(lead, query, { assigneeId: ben, share: 0 })).rejects.toMatchObject({ field: "share" });
    await expect(assignOverlap(lead, query, { assigneeId: ben, share: 1.5 })).rejects.toMatchObject({ field: "share" });
    await expect(assignOverlap(lead, query, { assigneeId: "nobody" })).rejects.toMatchObject({ field: "assignee" });
    await expect(assignOverlap({ id: ana, role: "expert" }, query, { assigneeId: ben })).rejects.toBeInstanceOf(
      PermissionError,
    );
    const empty = await createQuery(seeded.id, { text: "Nothing judged" }, ana);
    await expect(
      assignOverlap(lead, { rowId: empty.rowId, collectionId: seeded.id }, { assigneeId: ben }),
    ).rejects.toMatchObject({ field: "query" });
  });

  it("serves Ben's sample first, as ordinary candidates, with nothing of Ana's judgment in the answer", async () => {
    const sample = new Set((await assigned()).map((x) => x.imageId));
    const page = await nextCandidates(query, ben, { limit: 20 });
    expect(new Set(page.candidates.slice(0, sample.size).map((c) => c.imageId))).toEqual(sample);
    expect(page.candidates.slice(sample.size).some((c) => sample.has(c.imageId))).toBe(false);
    for (const c of page.candidates) {
      expect(Object.keys(c).sort()).toEqual(
        ["height", "imageId", "rank", "score", "source", "sources", "status", "statusReason", "taxon", "width"].sort(),
      );
      expect(c.sources).not.toContain("overlap");
      expect(c.source).not.toBe("overlap");
    }
    const json = JSON.stringify(page);
    for (const trace of ["overlap", "unsure", "not_relevant", "Ana", ana, "sample"]) expect(json).not.toContain(trace);
    // the sample's ranks are its ordinary candidate ranks; the one image no source surfaced (the seed,
    // from Ben's random id, sometimes draws it) comes after every candidate's rank
    for (const c of page.candidates.filter((x) => sample.has(x.imageId)))
      if (c.imageId === images[47]) expect(c.rank).toBeGreaterThan(45);
      else expect(c.rank).toBe(images.indexOf(c.imageId) + 1);
    // Ana's own queue is as before: no overlap of Ben's, nothing she judged
    const anas = await nextCandidates(query, ana, { limit: 50 });
    expect(anas.candidates.map((c) => c.imageId)).toEqual(images.slice(30, 45));
  });

  it("puts an overlap image no source surfaced after the candidates' ranks, under an ordinary source", async () => {
    await assignOverlap(lead, query, { assigneeId: ben, share: 1 });
    const page = await nextCandidates(query, ben, { limit: 200 });
    const outside = page.candidates.find((c) => c.imageId === images[47])!;
    expect(outside).toBeDefined();
    expect(outside.source).toBe("active-learning");
    expect(outside.rank).toBeGreaterThan(45);
    // all 29 of Ana's images Ben has not judged come first, then the 15 nobody judged
    expect(page.candidates).toHaveLength(29 + 15);
    expect(page.candidates.slice(29).map((c) => c.imageId)).toEqual(images.slice(30, 45));
    expect(JSON.stringify(page)).not.toContain("overlap");
  });

  it("lets Ben read only his own judgments and progress", async () => {
    const expert = { id: ben, role: "expert" as const, name: "Ben Second", email: "ben@example.org" };
    expect(whoseJudgments(expert, "all")).toHaveProperty("error");
    expect(whoseJudgments(expert, ana)).toHaveProperty("error");
    expect(whoseJudgments(expert, "me")).toEqual({ annotatorId: ben });
    const own = await listJudgments(query, { annotatorId: ben });
    expect(own.map((j) => j.annotatorId)).toEqual([ben, ben]);
    expect(JSON.stringify(own)).not.toContain("Ana");
    const progress = await queryProgress(query, ben);
    expect(progress).toMatchObject({ judged: 2, relevant: 1, unsure: 0 });
  });
});

import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { listJudgmentEvents, listJudgments } from "@/lib/judgments/list";
import { progressByAnnotator, queryProgress } from "@/lib/judgments/progress";
import { nextCandidates, releaseHolds } from "@/lib/judgments/queue";
import type { JudgmentValue, JudgmentWrite } from "@/lib/judgments/values";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import { createQuery, type QueryRef } from "@/lib/queries/queries";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { addCandidates, addImages } from "../helpers/judging";
import { seedCollection, type SeededCollection } from "../helpers/seed";
import { dbKinds } from "../helpers/services";

const write = (imageId: string, value: JudgmentValue | null, extra: Partial<JudgmentWrite> = {}): JudgmentWrite => ({
  clientId: crypto.randomUUID(),
  imageId,
  value,
  source: "text-image",
  timeSpentMs: 1200,
  ...extra,
});

describe.each(dbKinds)("judgments on %s", (kind) => {
  let t: TestDatabase;
  let seeded: SeededCollection;
  let root: string;
  let ana: string;
  let ben: string;
  let query: QueryRef;
  let images: string[];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-judgments-"));
    seeded = await seedCollection(root);
    ana = (await createUser({ email: "ana@example.org", name: "Ana", password: "password-123", role: "expert" })).id;
    ben = (await createUser({ email: "ben@example.org", name: "Ben", password: "password-123", role: "expert" })).id;
    const q = await createQuery(
      seeded.id,
      { text: "Bald eagle carrying a fish", taxonScope: [{ rank: "genus", name: "Haliaeetus" }] },
      ana,
    );
    query = { rowId: q.rowId, collectionId: seeded.id };
    images = await addImages(seeded, 30);
    await addCandidates(seeded.id, query.rowId, images, { source: "text-image" });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const count = async (sql: string, params: unknown[] = []) => (await db().query(sql, params)).rows[0].n as number;

  it("saves a judgment once however often the same write arrives", async () => {
    const w = write(images[0], "relevant");
    expect(await applyJudgmentWrites(query, ana, [w])).toEqual([{ clientId: w.clientId, status: "saved" }]);
    expect(await applyJudgmentWrites(query, ana, [w, w])).toEqual([
      { clientId: w.clientId, status: "duplicate" },
      { clientId: w.clientId, status: "duplicate" },
    ]);
    expect(await count("SELECT count(*)::int AS n FROM judgments WHERE annotator_id = $1", [ana])).toBe(1);
    expect(await count("SELECT count(*)::int AS n FROM judgment_events WHERE annotator_id = $1", [ana])).toBe(1);
    const [j] = await listJudgments(query, { annotatorId: ana });
    expect(j).toMatchObject({
      imageId: images[0],
      annotator: "Ana",
      value: "relevant",
      source: "text-image",
      timeSpentMs: 1200,
      history: [],
    });
  });

  it("keeps the history of a changed judgment; undo of a first judgment withdraws it; a late duplicate changes nothing", async () => {
    const first = write(images[1], "not_relevant");
    const change = write(images[1], "unsure", { timeSpentMs: 800 });
    const undoChange = write(images[1], "not_relevant", { timeSpentMs: 0 });
    await applyJudgmentWrites(query, ana, [first, change, undoChange]);
    const [j] = (await listJudgments(query, { annotatorId: ana })).filter((x) => x.imageId === images[1]);
    expect(j.value).toBe("not_relevant");
    expect(j.timeSpentMs).toBe(2000);
    expect(j.history.map((h) => [h.value, h.clientId])).toEqual([
      ["not_relevant", first.clientId],
      ["unsure", change.clientId],
    ]);

    const withdraw = write(images[1], null);
    expect(await applyJudgmentWrites(query, ana, [withdraw, first])).toEqual([
      { clientId: withdraw.clientId, status: "saved" },
      { clientId: first.clientId, status: "duplicate" }, // a retry arriving after the undo does not bring it back
    ]);
    expect((await listJudgments(query, { annotatorId: ana })).map((x) => x.imageId)).toEqual([images[0]]);
    const trail = (await listJudgmentEvents(query, { annotatorId: ana })).filter((e) => e.imageId === images[1]);
    expect(trail.map((e) => e.value)).toEqual(["not_relevant", "unsure", "not_relevant", null]);
  });

  it("refuses a reused client id and an unknown image, and still applies the rest of the batch", async () => {
    const reused = {
      ...write(images[2], "unsure"),
      clientId: (await listJudgmentEvents(query, { annotatorId: ana }))[0].clientId,
    };
    const unknown = write("no-such-image", "relevant");
    const fine = write(images[2], "relevant");
    expect(await applyJudgmentWrites(query, ana, [reused, unknown, fine])).toEqual([
      {
        clientId: reused.clientId,
        status: "rejected",
        error: `clientId ${reused.clientId} was already used for a different judgment`,
      },
      { clientId: unknown.clientId, status: "rejected", error: "No image no-such-image in this collection" },
      { clientId: fine.clientId, status: "saved" },
    ]);
  });

  it("offers each annotator the best candidates they have not judged, across sources, never an excluded one", async () => {
    // a second source surfaces images[10] at rank 0 (best) and one image no other source has
    const extra = await addImages(seeded, 1, { prefix: "taxon" });
    await addCandidates(seeded.id, query.rowId, [images[10], extra[0]], { source: "taxon", firstRank: 0 });
    const forAna = await nextCandidates(query, ana, { limit: 5 });
    expect(forAna.candidates.map((c) => c.imageId)).toEqual([images[10], extra[0], images[1], images[3], images[4]]);
    expect(forAna.candidates[0]).toMatchObject({
      source: "taxon",
      sources: ["taxon", "text-image"],
      rank: 0,
      taxon: { name: "Haliaeetus leucocephalus" },
    });
    expect(forAna.remaining).toBe(31 - 2); // images[0] and [2] are judged by Ana
    // Ben has judged nothing: his queue starts at the top
    const forBen = await nextCandidates(query, ben, { limit: 3 });
    expect(forBen.candidates.map((c) => c.imageId)).toEqual([images[10], images[0], extra[0]]); // same rank: the older image first
    // what the browser already holds is left out, so a prefetched page never repeats the current one
    const next = await nextCandidates(query, ana, { limit: 3, exclude: forAna.candidates.map((c) => c.imageId) });
    expect(next.candidates.map((c) => c.imageId)).toEqual([images[5], images[6], images[7]]);
    expect(next.remaining).toBe(29 - 5);
  });

  it("gives two tabs of one annotator different images, and a closed tab's images back to the other", async () => {
    const q = await createQuery(seeded.id, { text: "Two tabs" }, ana);
    const ref = { rowId: q.rowId, collectionId: seeded.id };
    await addCandidates(seeded.id, ref.rowId, images.slice(0, 10), { source: "text-image" });
    const tabA = "tab-a-0000",
      tabB = "tab-b-0000";
    const a = await nextCandidates(ref, ana, { limit: 4, tab: tabA });
    const b = await nextCandidates(ref, ana, { limit: 4, tab: tabB });
    expect(a.candidates.map((c) => c.imageId)).toEqual(images.slice(0, 4));
    expect(b.candidates.map((c) => c.imageId)).toEqual(images.slice(4, 8));
    expect([a.heldElsewhere, b.heldElsewhere]).toEqual([0, 4]);
    expect(b.remaining).toBe(6);
    // tab A asks again holding its page: it gets the rest, never B's
    const a2 = await nextCandidates(ref, ana, { limit: 4, tab: tabA, exclude: a.candidates.map((c) => c.imageId) });
    expect(a2.candidates.map((c) => c.imageId)).toEqual(images.slice(8, 10));
    // Ben's queue and a lead's look (no tab) are untouched by Ana's holds
    expect((await nextCandidates(ref, ben, { limit: 10, tab: "tab-ben-00" })).candidates).toHaveLength(10);
    expect((await nextCandidates(ref, ana, { limit: 10 })).candidates).toHaveLength(10);
    // a judged image is no longer held for anyone; tab B closes: its unjudged images go to tab A at once
    await applyJudgmentWrites(ref, ana, [write(images[4], "relevant")]);
    expect(await releaseHolds(ref, ana, tabB)).toBe(4);
    const held = [...a.candidates, ...a2.candidates].map((c) => c.imageId);
    const a3 = await nextCandidates(ref, ana, { limit: 10, tab: tabA, exclude: held });
    expect(a3.candidates.map((c) => c.imageId)).toEqual(images.slice(5, 8));
    expect(a3.heldElsewhere).toBe(0);
    // a hold that lapsed (a tab left open and forgotten) no longer keeps images away
    await db().query("UPDATE candidate_holds SET held_until = now() - interval '1 second' WHERE query_id = $1", [
      ref.rowId,
    ]);
    expect((await nextCandidates(ref, ana, { limit: 10, tab: tabB })).candidates).toHaveLength(9);
  });

  it("moves a draft query to labeling with its first judgment", async () => {
    const q = await createQuery(seeded.id, { text: "Status" }, ana);
    const ref = { rowId: q.rowId, collectionId: seeded.id };
    const status = async () =>
      (await db().query("SELECT status FROM queries WHERE id = $1", [ref.rowId])).rows[0].status;
    expect(await status()).toBe("draft");
    await applyJudgmentWrites(ref, ana, [write("no-such-image", "relevant")]);
    expect(await status()).toBe("draft"); // a refused write starts nothing
    await applyJudgmentWrites(ref, ana, [write(images[0], "unsure")]);
    expect(await status()).toBe("labeling");
  });

  it("counts progress and the run of not-relevant judgments in ranked order, per annotator and for everyone", async () => {
    // Ben judges the top 12 of the ranked queue: relevant, then not relevant, an unsure, then 6 not relevant
    const queue = (await nextCandidates(query, ben, { limit: 12 })).candidates.map((c) => c.imageId);
    const values: JudgmentValue[] = [
      "relevant",
      "not_relevant",
      "not_relevant",
      "not_relevant",
      "unsure",
      "not_relevant",
      "not_relevant",
      "not_relevant",
      "not_relevant",
      "not_relevant",
      "not_relevant",
      "relevant",
    ];
    // judged out of order in time; the run follows rank, not time: the last (rank-wise) is relevant...
    await applyJudgmentWrites(
      query,
      ben,
      values.map((v, i) => write(queue[i], v, { source: i < 2 ? "taxon" : "text-image" })).reverse(),
    );
    let p = await queryProgress(query, ben);
    expect(p).toMatchObject({
      annotatorId: ben,
      judged: 12,
      relevant: 2,
      notRelevant: 9,
      unsure: 1,
      run: 0,
      candidates: 31,
      remaining: 19,
    });
    // ...so withdrawing it leaves the six not-relevant after the unsure as the current run
    await applyJudgmentWrites(query, ben, [write(queue[11], null)]);
    p = await queryProgress(query, ben);
    expect(p).toMatchObject({ judged: 11, relevant: 1, run: 6 });
    const taxon = p.sources.find((s) => s.source === "taxon")!;
    expect(taxon).toEqual({ source: "taxon", surfaced: 2, judged: 2, relevant: 1, yield: 0.5 });
    expect(p.sources.find((s) => s.source === "text-image")).toMatchObject({ surfaced: 30, judged: 10, relevant: 1 });

    // everyone: an image counts once, relevant if anyone said so (Ana said images[0] and [2] are relevant)
    const all = await queryProgress(query, null);
    expect(all.annotatorId).toBeNull();
    expect(all.judged).toBe(11); // Ana's two images are among Ben's
    expect(all.relevant).toBe(3); // Ben's images[10], and Ana's images[0] and [2] that Ben did not find relevant
    const rows = await progressByAnnotator(query);
    expect(rows.map((r) => [r.name, r.judged, r.relevant, r.run])).toEqual([
      ["Ana", 2, 2, 0],
      ["Ben", 11, 1, 6],
    ]);
  });

  it("keeps two annotators writing at once apart, with retries, and loses or doubles nothing", async () => {
    const q2 = await createQuery(seeded.id, { text: "eagle in flight" }, ana);
    const ref = { rowId: q2.rowId, collectionId: seeded.id };
    await addCandidates(seeded.id, q2.rowId, images);
    const plan = (who: string) =>
      images.map((img, i) => write(img, (["relevant", "not_relevant", "unsure"] as const)[(i + who.length) % 3]));
    const anaWrites = plan("ana");
    const benWrites = plan("benjamin");
    // each write sent twice, interleaved, all at once
    await Promise.all([
      ...anaWrites.map((w) => applyJudgmentWrites(ref, ana, [w])),
      ...benWrites.map((w) => applyJudgmentWrites(ref, ben, [w])),
      ...anaWrites.map((w) => applyJudgmentWrites(ref, ana, [w])),
      ...benWrites.map((w) => applyJudgmentWrites(ref, ben, [w])),
    ]);
    for (const [who, writes] of [
      [ana, anaWrites],
      [ben, benWrites],
    ] as const) {
      const saved = await listJudgments(ref, { annotatorId: who });
      expect(saved).toHaveLength(images.length);
      const byImage = new Map(saved.map((j) => [j.imageId, j.value]));
      for (const w of writes) expect(byImage.get(w.imageId)).toBe(w.value);
      expect(
        await count("SELECT count(*)::int AS n FROM judgment_events WHERE query_id = $1 AND annotator_id = $2", [
          ref.rowId,
          who,
        ]),
      ).toBe(images.length);
    }
  });
});

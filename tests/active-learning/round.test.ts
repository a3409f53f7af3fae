import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { runLearningRound } from "@/lib/active-learning/round";
import { nextCandidates } from "@/lib/judgments/queue";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import type { QueryRef } from "@/lib/queries/queries";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { createCollection, createModel } from "../search/fixture";
import { syntheticVectors } from "./synthetic";

// A learning round on the product's path: judgments in, a ranking out through the vector search, the
// queue serving it first, audits drawn when the ranking goes quiet and served blind, and a query
// judged to the end that looks complete without any image served twice.

const COUNT = 600;
const RELEVANT = 30;

describe.each(dbKinds)("active learning rounds on %s", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  let modelId: number;
  let sourceIds: string[];
  const { vectors, isRelevant } = syntheticVectors({ count: COUNT, relevant: RELEVANT, spread: 0.35, seed: 3 });
  let n = 0;

  async function newQuery(exampleIndex: number): Promise<QueryRef> {
    const q = await db().query<{ id: number }>(
      "INSERT INTO queries (collection_id, source_id, text, status) VALUES ($1, $2, 'q', 'labeling') RETURNING id",
      [collectionId, `q${++n}`],
    );
    await db().query(
      "INSERT INTO query_examples (query_id, image_id) SELECT $1, id FROM images WHERE collection_id = $2 AND source_id = $3",
      [q.rows[0].id, collectionId, sourceIds[exampleIndex]],
    );
    return { rowId: q.rows[0].id, collectionId };
  }

  async function judge(ref: QueryRef, who: string, ids: string[]) {
    const r = await applyJudgmentWrites(
      ref,
      who,
      ids.map((id) => ({
        clientId: `${who}-${ref.rowId}-${id}`,
        imageId: id,
        value: isRelevant(sourceIds.indexOf(id)) ? "relevant" : "not_relevant",
        source: null,
        timeSpentMs: null,
      })),
    );
    expect(r.every((x) => x.status === "saved")).toBe(true);
  }

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    collectionId = await createCollection("al");
    sourceIds = vectors.map((_, i) => `img-${String(i).padStart(4, "0")}`);
    const ids = await db().query<{ id: string }>(
      `INSERT INTO images (collection_id, source_id, file_name)
       SELECT $1, s, s || '.jpg' FROM unnest($2::text[]) WITH ORDINALITY AS u(s, o) ORDER BY o RETURNING id`,
      [collectionId, sourceIds],
    );
    modelId = await createModel("synthetic", vectors[0].length);
    await ensureVectorStorage(modelId, vectors[0].length);
    await upsertEmbeddings(
      modelId,
      ids.rows.map((r, i) => ({ imageId: Number(r.id), vector: vectors[i] })),
    );
    for (const u of ["ann", "bea"])
      await db().query("INSERT INTO users (id, name, email) VALUES ($1, $1, $1 || '@example.org')", [u]);
  }, 120_000);
  afterAll(async () => t?.close());

  it("ranks the query's images by what was judged, and the queue serves that ranking first, never a judged image", async () => {
    const ref = await newQuery(0);
    // another source's candidates, which the learner's ranking must go ahead of
    await db().query(
      `INSERT INTO candidates (query_id, image_id, source, score, rank)
       SELECT $1, id, 'metadata', 1, row_number() OVER (ORDER BY id DESC) FROM images WHERE collection_id = $2`,
      [ref.rowId, collectionId],
    );
    await judge(ref, "ann", [sourceIds[1], sourceIds[500]]);
    const round = await runLearningRound(ref.rowId);
    expect(round.skipped).toBeUndefined();
    expect(round.positives).toBe(2); // the example and the judged relevant image
    const page = await nextCandidates(ref, "ann", { limit: 40 });
    expect(page.candidates.every((c) => c.source === "active-learning")).toBe(true);
    const served = page.candidates.map((c) => c.imageId);
    expect(served).not.toContain(sourceIds[1]);
    expect(served).not.toContain(sourceIds[500]);
    expect(served).not.toContain(sourceIds[0]); // the example
    // the top of the new ranking is the relevant cluster
    const hits = served.slice(0, 20).filter((id) => isRelevant(sourceIds.indexOf(id))).length;
    expect(hits).toBeGreaterThanOrEqual(10); // at random, one in twenty
    // another annotator's judgment of an image takes it out of the next round's ranking too
    await judge(ref, "bea", [served[0]]);
    await runLearningRound(ref.rowId);
    expect((await nextCandidates(ref, "ann", { limit: 60 })).candidates.map((c) => c.imageId)).not.toContain(served[0]);
  });

  it("judged to the end: an audit is drawn when the ranking goes quiet, served blind, and the query looks complete", async () => {
    const ref = await newQuery(2);
    const seen = new Set<string>();
    let round = await runLearningRound(ref.rowId);
    let sawAudit = false;
    for (let step = 0; step < 200 && !round.signals.looksComplete; step++) {
      const page = await nextCandidates(ref, "ann", { limit: round.nextBatch });
      expect(page.candidates.length).toBeGreaterThan(0);
      for (const c of page.candidates) {
        expect(seen.has(c.imageId)).toBe(false); // never served twice to one annotator
        seen.add(c.imageId);
        expect(c.sources).not.toContain("audit");
      }
      const audited = await db().query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_items ai JOIN audit_samples s ON s.id = ai.audit_sample_id
           JOIN images i ON i.id = ai.image_id WHERE s.query_id = $1 AND i.source_id = ANY($2::text[])`,
        [ref.rowId, page.candidates.map((c) => c.imageId)],
      );
      sawAudit ||= audited.rows[0].n > 0;
      await judge(
        ref,
        "ann",
        page.candidates.map((c) => c.imageId),
      );
      round = await runLearningRound(ref.rowId);
    }
    expect(round.signals.looksComplete).toBe(true);
    expect(sawAudit).toBe(true);
    const s = round.signals;
    expect(s.audit).toMatchObject({ planned: 30, judged: 30, relevant: 0 });
    expect(s.estimate?.trusted).toBe(true);
    expect(s.estimate!.recallLow).toBeLessThanOrEqual(s.estimate!.recallHigh);
    // it found (nearly) every relevant image other than the example, well before judging them all
    expect(s.relevant).toBeGreaterThanOrEqual(RELEVANT - 3);
    expect(seen.size).toBeLessThan(COUNT / 2);
    const stored = await db().query("SELECT looks_complete, rounds FROM query_learning WHERE query_id = $1", [
      ref.rowId,
    ]);
    expect(stored.rows[0].looks_complete).toBe(true);
  }, 120_000);
});

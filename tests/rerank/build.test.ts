import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { boss, QUEUES } from "@/lib/jobs/boss";
import { rerankBuildStatus, type RerankBuildStatus } from "@/lib/jobs/rerank";
import { nextCandidates } from "@/lib/judgments/queue";
import { applyJudgmentWrite } from "@/lib/judgments/write";
import { RerankInputError } from "@/lib/rerank/pin";
import { findRerankSet, rerankSetRows } from "@/lib/rerank/read";
import { pinRerankSet, rebuildRerankSet } from "@/lib/rerank/sets";
import { startWorker } from "@/workers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { tempDir } from "../models/model-folders";
import { clipMergesFile, sharedFixturesAvailable } from "../models/shared-fixtures";
import { dot } from "../search/fixture";
import { addQuery, createRerankFixture, judge, productTop, type RerankFixture } from "./fixture";

// Rerank sets on a seeded collection with the tiny CLIP model, built by the worker job: each finished
// query's top 100 by the same vector search the product uses, placed by the inclusion rule; the
// never-judged images go to the labeling queue and, once judged, a refresh includes the query;
// re-pinning makes version 2 and leaves version 1's rows as they were; a frozen set refuses a rebuild.

const haveTokenizer = sharedFixturesAvailable(clipMergesFile);

async function settled(setId: number): Promise<RerankBuildStatus | null> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const s = await rerankBuildStatus(setId);
    if (!s || s.state === "done" || s.state === "failed" || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every row of a set (its own, its queries', its items'), as text: what "unchanged" is checked on. */
async function setSnapshot(setId: number): Promise<string> {
  const r = await db().query(
    `SELECT (SELECT row_to_json(s)::text FROM rerank_sets s WHERE s.id = $1) AS set,
            (SELECT json_agg(q ORDER BY q.query_id)::text FROM rerank_set_queries q WHERE q.rerank_set_id = $1) AS queries,
            (SELECT json_agg(i ORDER BY i.query_id, i.rank)::text FROM rerank_items i WHERE i.rerank_set_id = $1) AS items`,
    [setId],
  );
  return JSON.stringify(r.rows[0]);
}

describe.runIf(haveTokenizer).each(dbKinds)("rerank set builds on %s", (kind) => {
  let t: TestDatabase;
  let f: RerankFixture;
  let worker: { stop: () => Promise<void> } | undefined;
  const dir = tempDir("fieldmark-rerank-");
  const q: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    f = await createRerankFixture("rerank-moths", dir);
    q.included = await addQuery(f.collectionId, "1", "a moth resting on lichen", "finished", { split: "test" });
    q.waiting = await addQuery(f.collectionId, "2", "a heron standing in shallow water", "finished", { split: "val" });
    q.nothing = await addQuery(f.collectionId, "3", "a fungus on a log");
    q.labeling = await addQuery(f.collectionId, "4", "a beetle on a leaf", "labeling");
    const [inc, wait, none] = await Promise.all(
      ["a moth resting on lichen", "a heron standing in shallow water", "a fungus on a log"].map((text) =>
        productTop(f, text),
      ),
    );
    // query 1: all 100 judged, ranks 3 and 10 relevant; query 2: the first 60 judged, one relevant;
    // query 3: all judged, nothing relevant
    await judge(
      q.included,
      inc.map((r) => r.imageId),
      "not_relevant",
    );
    await judge(q.included, [inc[2].imageId, inc[9].imageId], "relevant");
    await judge(
      q.waiting,
      wait.slice(0, 60).map((r) => r.imageId),
      "not_relevant",
    );
    await judge(q.waiting, [wait[5].imageId], "relevant");
    await judge(
      q.nothing,
      none.map((r) => r.imageId),
      "not_relevant",
    );
    worker = await startWorker();
  }, 180_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("ranks each finished query's top 100 by the product's vector search and places it by the rule", async () => {
    const pinned = await pinRerankSet(f.collectionId, f.model.name, "lead");
    expect(pinned.version).toBe(1);
    expect(await settled(pinned.setId)).toMatchObject({ state: "done", error: null, done: 3, total: 3 });
    const set = (await findRerankSet(f.collectionId, 1))!;
    expect(set).toMatchObject({ modelName: f.model.name, depth: 100, pinnedBy: "lead", frozenAt: null });
    expect(set.modelChecksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(set.builtAt).not.toBeNull();
    expect(set.counts).toEqual({ included: 1, "no-relevant": 1, unjudged: 1 });

    const rows = await rerankSetRows(pinned.setId);
    expect(rows.map((r) => [r.queryId, r.status, r.split])).toEqual([
      ["1", "included", "test"],
      ["2", "unjudged", "val"],
      ["3", "no-relevant", null],
    ]);
    const top = await productTop(f, "a moth resting on lichen");
    const inc = rows[0];
    expect(inc.items.map((i) => i.imageRowId)).toEqual(top.map((r) => r.imageId));
    expect(inc.items.map((i) => i.rank)).toEqual(top.map((_, i) => i + 1));
    inc.items.forEach((item, i) => expect(item.score).toBeCloseTo(top[i].score, 6));
    expect(inc.items.filter((i) => i.relevant).map((i) => i.rank)).toEqual([3, 10]);
    expect(rows[0]).toMatchObject({ relevant: 2, unjudged: 0 });
    expect(rows[1]).toMatchObject({ relevant: 1, unjudged: 40 });

    // the 40 never-judged images of query 2 wait in its labeling queue, first, in the set's order
    const wait = await productTop(f, "a heron standing in shallow water");
    const queued = await db().query<{ image_id: string; rank: number }>(
      "SELECT image_id, rank FROM candidates WHERE query_id = $1 AND source = 'rerank' ORDER BY rank",
      [q.waiting],
    );
    expect(queued.rows.map((r) => Number(r.image_id))).toEqual(wait.slice(60).map((r) => r.imageId));
    expect(queued.rows.map((r) => r.rank)).toEqual(wait.slice(60).map((_, i) => 61 + i));
    await db().query(
      "INSERT INTO candidates (query_id, image_id, source, score, rank) VALUES ($1, $2, 'text-image:x', 0.9, 1)",
      [q.waiting, f.imageIds[0]],
    );
    const page = await nextCandidates({ rowId: q.waiting, collectionId: f.collectionId }, "lead", { limit: 50 });
    expect(page.candidates.slice(0, 40).every((c) => c.source === "rerank")).toBe(true);
  });

  it("a finished query's queued images can be judged, and a status refresh then includes it", async () => {
    const set = (await findRerankSet(f.collectionId, 1))!;
    const wait = await productTop(f, "a heron standing in shallow water");
    const ids = await db().query<{ source_id: string }>("SELECT source_id FROM images WHERE id = ANY($1::bigint[])", [
      wait.slice(60).map((r) => r.imageId),
    ]);
    for (const [i, row] of ids.rows.entries()) {
      const result = await applyJudgmentWrite({ rowId: q.waiting, collectionId: f.collectionId }, "lead", {
        clientId: `rerank-judge-${i}`,
        imageId: row.source_id,
        value: "not_relevant",
        source: "rerank",
        timeSpentMs: 500,
      });
      expect(result.status).toBe("saved");
    }
    expect((await db().query("SELECT status FROM queries WHERE id = $1", [q.waiting])).rows[0].status).toBe("finished");
    const before = await db().query("SELECT count(*)::int AS n FROM rerank_items WHERE rerank_set_id = $1", [set.id]);
    const refreshed = await rebuildRerankSet(f.collectionId, 1, "refresh");
    expect(refreshed.alreadyQueued).toBe(false);
    expect(await settled(set.id)).toMatchObject({ state: "done", error: null });
    const after = (await findRerankSet(f.collectionId, 1))!;
    expect(after.counts).toEqual({ included: 2, "no-relevant": 1, unjudged: 0 });
    expect(
      (await db().query("SELECT count(*)::int AS n FROM rerank_items WHERE rerank_set_id = $1", [set.id])).rows[0].n,
    ).toBe(before.rows[0].n);
  });

  it("re-pinning makes version 2 and leaves version 1's rows byte for byte; a frozen set refuses a rebuild", async () => {
    const v1 = (await findRerankSet(f.collectionId, 1))!;
    const snapshot = await setSnapshot(v1.id);
    // a query finished since version 1 is in version 2 only
    await addQuery(f.collectionId, "5", "a dragonfly over a pond");
    const pinned = await pinRerankSet(f.collectionId, f.model.name, "lead");
    expect(pinned.version).toBe(2);
    expect(await settled(pinned.setId)).toMatchObject({ state: "done", done: 4, total: 4 });
    expect((await findRerankSet(f.collectionId, 2))!.counts).toEqual({ included: 2, "no-relevant": 1, unjudged: 1 });
    expect(await setSnapshot(v1.id)).toBe(snapshot);

    // an export froze version 2: neither a rebuild nor a refresh may change it, however asked
    await db().query("UPDATE rerank_sets SET frozen_at = now() WHERE id = $1", [pinned.setId]);
    const frozen = await setSnapshot(pinned.setId);
    await expect(rebuildRerankSet(f.collectionId, 2, "build")).rejects.toThrow(RerankInputError);
    await expect(rebuildRerankSet(f.collectionId, 2, "refresh")).rejects.toThrow(/frozen/);
    // a job sent around the check (a script, an old queued job) fails in the worker without writing
    const jobId = await (await boss()).send(QUEUES.rerank, { setId: pinned.setId, mode: "build" });
    const deadline = Date.now() + 60_000;
    let state = "created";
    while (!["completed", "failed"].includes(state) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      state = (await (await boss()).getJobById(QUEUES.rerank, jobId!))?.state ?? state;
    }
    expect(state).toBe("failed");
    expect(await setSnapshot(pinned.setId)).toBe(frozen);
  });

  it("refuses a model nobody registered, or one with no vectors for the collection, before writing", async () => {
    await expect(pinRerankSet(f.collectionId, "no-such-model", "lead")).rejects.toMatchObject({ field: "model" });
    const other = (await db().query("INSERT INTO collections (name) VALUES ('empty') RETURNING id")).rows[0].id;
    await expect(pinRerankSet(other, f.model.name, "lead")).rejects.toThrow(/no vectors/);
    expect(
      (await db().query("SELECT count(*)::int AS n FROM rerank_sets WHERE collection_id = $1", [other])).rows[0].n,
    ).toBe(0);
  });

  it("an image-only model ranks by the query's example images (left out of the set); a query without examples fails the build, saying which", async () => {
    const g = await createRerankFixture("rerank-photos", tempDir("fieldmark-rerank-image-"));
    await db().query("UPDATE models SET kind = 'image' WHERE id = $1", [g.model.id]);
    const withExamples = await addQuery(g.collectionId, "1", "like these two");
    const examples = [g.imageIds[7], g.imageIds[123]];
    await db().query(
      "INSERT INTO query_examples (query_id, image_id, position) SELECT $1, u, o FROM unnest($2::bigint[]) WITH ORDINALITY AS x(u, o)",
      [withExamples, examples],
    );
    const pinned = await pinRerankSet(g.collectionId, g.model.name, "lead");
    expect(await settled(pinned.setId)).toMatchObject({ state: "done" });
    // worked out here in JS: each image's best cosine similarity to an example, the examples left out
    const expected = g.imageIds
      .map((imageId, i) => ({
        imageId,
        score: Math.max(...examples.map((e) => dot(g.vectors[i], g.vectors[g.imageIds.indexOf(e)]))),
      }))
      .filter((x) => !examples.includes(x.imageId))
      .sort((a, b) => b.score - a.score)
      .slice(0, 100);
    const [row] = await rerankSetRows(pinned.setId);
    expect(row.items.map((i) => i.imageRowId)).toEqual(expected.map((x) => x.imageId));
    row.items.forEach((item, i) => expect(item.score).toBeCloseTo(expected[i].score, 5));

    await addQuery(g.collectionId, "2", "no examples here");
    const again = await rebuildRerankSet(g.collectionId, pinned.version, "build");
    const failed = await settled(pinned.setId);
    expect(failed?.jobId).toBe(again.jobId);
    expect(failed).toMatchObject({ state: "failed" });
    expect(failed?.error).toMatch(/query 2 has no example images/);
    // the failed rebuild left the version as it was built
    expect((await rerankSetRows(pinned.setId)).map((r) => r.queryId)).toEqual(["1"]);
  });
});

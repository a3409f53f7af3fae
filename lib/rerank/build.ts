import type pg from "pg";
import { finalLabels } from "@/lib/agreement/labels";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import type { RerankJob } from "@/lib/jobs/rerank";
import type { ModelRef } from "@/lib/search/lookup";
import { embedQueryText } from "@/lib/search/text-query";
import { imageVector, searchByVector, type SearchResult } from "@/lib/search/vector-search";
import { rerankInclusion, type RerankInclusion } from "./inclusion";
import { modelChecksum, RerankInputError } from "./pin";

// Building a rerank set (the worker's side of lib/jobs/rerank.ts): each finished query's top `depth`
// images over the whole collection by the pinned model, through the product's vector search (the text
// tower's embedding of the query for a CLIP model; similarity to the query's example images for an
// image-only one), then each query's place by the inclusion rule on final labels. Everything is
// ranked first and written in one transaction, so a build killed halfway leaves the set as it was and
// its retry starts again; the row is locked and its frozen_at looked at again before writing.

export const RERANK_SOURCE = "rerank";

type SetRow = {
  id: number;
  collectionId: number;
  version: number;
  depth: number;
  frozenAt: Date | null;
  modelChecksum: string;
  model: ModelRef | null;
};

type Ranked = { queryId: number; results: SearchResult[] };

async function loadSet(setId: number): Promise<SetRow> {
  const { rows } = await db().query<Omit<SetRow, "model"> & { modelId: number | null }>(
    `SELECT id, collection_id AS "collectionId", version, depth, frozen_at AS "frozenAt", model_checksum AS "modelChecksum",
            model_id AS "modelId"
       FROM rerank_sets WHERE id = $1`,
    [setId],
  );
  const row = rows[0];
  if (!row) throw new RerankInputError(`no rerank set ${setId}`);
  const model = row.modelId
    ? ((await db().query<ModelRef>("SELECT id, name, kind, folder, dim FROM models WHERE id = $1", [row.modelId]))
        .rows[0] ?? null)
    : null;
  return { ...row, model };
}

function refuseFrozen(set: Pick<SetRow, "version" | "frozenAt">): void {
  if (set.frozenAt)
    throw new RerankInputError(
      `rerank set version ${set.version} is frozen (exported ${set.frozenAt.toISOString()}): it is never changed`,
    );
}

/** The query's ranking by the model: what the set records for it. */
export async function rankQuery(
  model: ModelRef,
  collectionId: number,
  query: { id: number; text: string; sourceId: string },
  depth: number,
): Promise<SearchResult[]> {
  if (model.kind === "clip") {
    const vector = await embedQueryText(model, query.text);
    return searchByVector(model.id, vector, { collectionId, k: depth });
  }
  const examples = (
    await db().query<{ image_id: string }>(
      "SELECT image_id FROM query_examples WHERE query_id = $1 ORDER BY position",
      [query.id],
    )
  ).rows.map((r) => Number(r.image_id));
  if (!examples.length)
    throw new RerankInputError(
      `query ${query.sourceId} has no example images, and model "${model.name}" is image-only: add examples or pin a CLIP model`,
    );
  // each example's own neighbours, the examples themselves left out; an image keeps its best score
  const best = new Map<number, SearchResult>();
  for (const imageId of examples) {
    const { vector } = await imageVector(model.id, imageId);
    for (const r of await searchByVector(model.id, vector, { collectionId, k: depth, excludeImageIds: examples })) {
      const had = best.get(r.imageId);
      if (!had || r.score > had.score) best.set(r.imageId, r);
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.imageId - b.imageId).slice(0, depth);
}

async function progress(setId: number, phase: string, done: number, total: number): Promise<void> {
  await db()
    .query("UPDATE rerank_sets SET build_phase = $2, build_done = $3, build_total = $4 WHERE id = $1", [
      setId,
      phase,
      done,
      total,
    ])
    .catch(() => {}); // progress is a courtesy: never fail the build over it
}

/** Each query's place by the rule, from the final labels of its ranked images. */
async function placeQueries(ranked: readonly Ranked[], client: pg.ClientBase): Promise<Map<number, RerankInclusion>> {
  const labels = new Map(
    (
      await finalLabels(
        ranked.map((r) => r.queryId),
        client,
      )
    ).map((l) => [`${l.queryId}:${l.imageId}`, l]),
  );
  return new Map(
    ranked.map((r) => [
      r.queryId,
      rerankInclusion(
        r.results.map((x) => ({ imageId: x.imageId, label: labels.get(`${r.queryId}:${x.imageId}`) ?? null })),
      ),
    ]),
  );
}

/** The never-judged images of unjudged queries go to the labeling queue, ranked as in the set. */
async function queueUnjudged(client: pg.ClientBase, ranked: readonly Ranked[], placed: Map<number, RerankInclusion>) {
  let queued = 0;
  for (const r of ranked) {
    const toQueue = new Set(placed.get(r.queryId)!.toQueue);
    const rows = r.results.map((x, i) => ({ ...x, rank: i + 1 })).filter((x) => toQueue.has(x.imageId));
    if (!rows.length) continue;
    await client.query(
      `INSERT INTO candidates (query_id, image_id, source, score, rank)
       SELECT $1, u.image_id, $2, u.score, u.rank FROM unnest($3::bigint[], $4::float8[], $5::int[]) AS u(image_id, score, rank)
       ON CONFLICT (query_id, image_id, source) DO UPDATE SET score = EXCLUDED.score, rank = EXCLUDED.rank`,
      [r.queryId, RERANK_SOURCE, rows.map((x) => x.imageId), rows.map((x) => x.score), rows.map((x) => x.rank)],
    );
    queued += rows.length;
  }
  return queued;
}

async function lockUnfrozen(client: pg.ClientBase, setId: number): Promise<void> {
  const row = (
    await client.query<{ version: number; frozenAt: Date | null }>(
      `SELECT version, frozen_at AS "frozenAt" FROM rerank_sets WHERE id = $1 FOR UPDATE`,
      [setId],
    )
  ).rows[0];
  if (!row) throw new RerankInputError(`rerank set ${setId} is gone`);
  refuseFrozen(row);
}

export type RerankBuildResult = {
  setId: number;
  queries: number;
  included: number;
  noRelevant: number;
  unjudged: number;
  /** images sent to the labeling queue */
  queued: number;
};

function summarise(setId: number, placed: Map<number, RerankInclusion>, queued: number): RerankBuildResult {
  const statuses = [...placed.values()].map((p) => p.status);
  return {
    setId,
    queries: placed.size,
    included: statuses.filter((s) => s === "included").length,
    noRelevant: statuses.filter((s) => s === "no-relevant").length,
    unjudged: statuses.filter((s) => s === "unjudged").length,
    queued,
  };
}

async function buildSet(set: SetRow): Promise<RerankBuildResult> {
  const model = set.model;
  if (!model) throw new RerankInputError(`the model of rerank set version ${set.version} is no longer registered`);
  await progress(set.id, "checking the model's files", 0, 0);
  const checksum = await modelChecksum(model.folder);
  if (checksum !== set.modelChecksum)
    throw new RerankInputError(
      `model "${model.name}"'s files changed since version ${set.version} was pinned (${set.modelChecksum}, now ${checksum}): pin it again for a new version`,
    );
  const queries = (
    await db().query<{ id: number; text: string; sourceId: string }>(
      `SELECT id, text, source_id AS "sourceId" FROM queries WHERE collection_id = $1 AND status = 'finished' ORDER BY id`,
      [set.collectionId],
    )
  ).rows;
  const ranked: Ranked[] = [];
  await progress(set.id, "ranking", 0, queries.length);
  for (const [i, q] of queries.entries()) {
    ranked.push({ queryId: q.id, results: await rankQuery(model, set.collectionId, q, set.depth) });
    await progress(set.id, "ranking", i + 1, queries.length);
  }
  await progress(set.id, "writing", queries.length, queries.length);
  return inTransaction(async (client) => {
    await lockUnfrozen(client, set.id);
    const placed = await placeQueries(ranked, client);
    await client.query("DELETE FROM rerank_set_queries WHERE rerank_set_id = $1", [set.id]);
    for (const r of ranked) {
      const p = placed.get(r.queryId)!;
      await client.query(
        "INSERT INTO rerank_set_queries (rerank_set_id, query_id, status, relevant, unjudged) VALUES ($1, $2, $3, $4, $5)",
        [set.id, r.queryId, p.status, p.relevant, p.unjudged],
      );
      await client.query(
        `INSERT INTO rerank_items (rerank_set_id, query_id, image_id, rank, score)
         SELECT $1, $2, u.image_id, u.rank, u.score FROM unnest($3::bigint[], $4::int[], $5::float8[]) AS u(image_id, rank, score)`,
        [
          set.id,
          r.queryId,
          r.results.map((x) => x.imageId),
          r.results.map((_, i) => i + 1),
          r.results.map((x) => x.score),
        ],
      );
    }
    const queued = await queueUnjudged(client, ranked, placed);
    await client.query(
      "UPDATE rerank_sets SET built_at = now(), build_phase = NULL, build_done = $2, build_total = $2, build_error = NULL WHERE id = $1",
      [set.id, queries.length],
    );
    return summarise(set.id, placed, queued);
  });
}

/** Statuses again from the final labels, over the images the last build ranked. */
async function refreshSet(set: SetRow): Promise<RerankBuildResult> {
  await progress(set.id, "reading labels", 0, 0);
  return inTransaction(async (client) => {
    await lockUnfrozen(client, set.id);
    const { rows } = await client.query<{ queryId: number; imageId: string; score: number }>(
      `SELECT q.query_id AS "queryId", i.image_id AS "imageId", i.score
         FROM rerank_set_queries q LEFT JOIN rerank_items i ON i.rerank_set_id = q.rerank_set_id AND i.query_id = q.query_id
        WHERE q.rerank_set_id = $1 ORDER BY q.query_id, i.rank`,
      [set.id],
    );
    const byQuery = new Map<number, SearchResult[]>();
    for (const r of rows) {
      if (!byQuery.has(r.queryId)) byQuery.set(r.queryId, []);
      if (r.imageId !== null)
        byQuery.get(r.queryId)!.push({ imageId: Number(r.imageId), sourceId: "", score: r.score });
    }
    const ranked = [...byQuery].map(([queryId, results]) => ({ queryId, results }));
    const placed = await placeQueries(ranked, client);
    for (const [queryId, p] of placed)
      await client.query(
        "UPDATE rerank_set_queries SET status = $3, relevant = $4, unjudged = $5 WHERE rerank_set_id = $1 AND query_id = $2",
        [set.id, queryId, p.status, p.relevant, p.unjudged],
      );
    const queued = await queueUnjudged(client, ranked, placed);
    await client.query(
      "UPDATE rerank_sets SET build_phase = NULL, build_done = $2, build_total = $2, build_error = NULL WHERE id = $1",
      [set.id, placed.size],
    );
    return summarise(set.id, placed, queued);
  });
}

/** The worker's side: builds or refreshes the set; a failure is kept on the row for its page (a frozen row is never written). */
export async function runRerankJob(job: RerankJob): Promise<RerankBuildResult> {
  try {
    const set = await loadSet(job.setId);
    refuseFrozen(set);
    return job.mode === "build" ? await buildSet(set) : await refreshSet(set);
  } catch (e) {
    await db()
      .query("UPDATE rerank_sets SET build_phase = NULL, build_error = $2 WHERE id = $1 AND frozen_at IS NULL", [
        job.setId,
        (e as Error).message,
      ])
      .catch(() => {});
    throw e;
  }
}

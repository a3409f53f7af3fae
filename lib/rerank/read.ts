import type pg from "pg";
import { db } from "@/lib/db/client";
import { finalLabels, type FinalLabelRow } from "@/lib/agreement/labels";
import type { Split } from "@/lib/queries/fields";
import { QUERY_ORDER } from "@/lib/queries/queries";
import type { RerankStatus } from "./inclusion";

// Reading rerank sets: the versions of a collection, one version's queries, and the rows an export
// writes (each query's ranked images with the pinned model's score and the final label's relevance,
// with the query's split, since a query's rerank rows go to the file of its split).

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

export type RerankSetSummary = {
  id: number;
  collectionId: number;
  version: number;
  modelId: number | null;
  modelName: string;
  modelChecksum: string;
  modelRevision: string | null;
  depth: number;
  pinnedBy: string | null;
  pinnedAt: Date;
  builtAt: Date | null;
  frozenAt: Date | null;
  buildJob: string | null;
  buildPhase: string | null;
  buildDone: number | null;
  buildTotal: number | null;
  buildError: string | null;
  /** queries per status (those the last build placed) */
  counts: Record<RerankStatus, number>;
};

const SELECT_SET = `
  SELECT s.id, s.collection_id AS "collectionId", s.version, s.model_id AS "modelId", s.model_name AS "modelName",
         s.model_checksum AS "modelChecksum", s.model_revision AS "modelRevision", s.depth, s.pinned_by AS "pinnedBy",
         s.pinned_at AS "pinnedAt", s.built_at AS "builtAt", s.frozen_at AS "frozenAt", s.build_job AS "buildJob",
         s.build_phase AS "buildPhase", s.build_done AS "buildDone", s.build_total AS "buildTotal",
         s.build_error AS "buildError",
         jsonb_build_object(
           'included', (SELECT count(*)::int FROM rerank_set_queries q WHERE q.rerank_set_id = s.id AND q.status = 'included'),
           'no-relevant', (SELECT count(*)::int FROM rerank_set_queries q WHERE q.rerank_set_id = s.id AND q.status = 'no-relevant'),
           'unjudged', (SELECT count(*)::int FROM rerank_set_queries q WHERE q.rerank_set_id = s.id AND q.status = 'unjudged')
         ) AS counts
    FROM rerank_sets s`;

/** The collection's rerank set versions, newest first. */
export async function listRerankSets(collectionId: number, client: Queryable = db()): Promise<RerankSetSummary[]> {
  const { rows } = await client.query<RerankSetSummary>(
    `${SELECT_SET} WHERE s.collection_id = $1 ORDER BY s.version DESC`,
    [collectionId],
  );
  return rows;
}

/** One version of the collection's rerank sets, or null. */
export async function findRerankSet(
  collectionId: number,
  version: number,
  client: Queryable = db(),
): Promise<RerankSetSummary | null> {
  const { rows } = await client.query<RerankSetSummary>(`${SELECT_SET} WHERE s.collection_id = $1 AND s.version = $2`, [
    collectionId,
    version,
  ]);
  return rows[0] ?? null;
}

/** A rerank set by its row id (what an export records), or null. */
export async function rerankSetById(setId: number, client: Queryable = db()): Promise<RerankSetSummary | null> {
  const { rows } = await client.query<RerankSetSummary>(`${SELECT_SET} WHERE s.id = $1`, [setId]);
  return rows[0] ?? null;
}

export type RerankSetQuery = {
  /** queries.id */
  queryRowId: number;
  /** the query's id as users see it (queries.source_id) */
  queryId: string;
  text: string;
  supercategory: string | null;
  split: Split | null;
  splitFrozenAt: Date | null;
  status: RerankStatus;
  relevant: number;
  unjudged: number;
};

/** The queries one set placed, in the collection's query order, with their status and counts. */
export async function rerankSetQueries(setId: number, client: Queryable = db()): Promise<RerankSetQuery[]> {
  const { rows } = await client.query<RerankSetQuery>(
    `SELECT q.id AS "queryRowId", q.source_id AS "queryId", q.text, q.supercategory, q.split,
            q.split_frozen_at AS "splitFrozenAt", r.status, r.relevant, r.unjudged
       FROM rerank_set_queries r JOIN queries q ON q.id = r.query_id
      WHERE r.rerank_set_id = $1 ORDER BY ${QUERY_ORDER}`,
    [setId],
  );
  return rows;
}

export type RerankItemRow = {
  /** images.id */
  imageRowId: number;
  /** the image's id as users see it (images.source_id) */
  imageId: string;
  rank: number;
  /** the pinned model's cosine similarity: INQUIRE-Rerank's clip_score */
  score: number;
  /** final label relevant (lib/agreement/labels.ts) */
  relevant: boolean;
};

export type RerankSetQueryRows = RerankSetQuery & { items: RerankItemRow[] };

/**
 * What an export writes for a set: every query the set placed (filter on `status === "included"` for
 * INQUIRE-Rerank's file; the others are listed as left out), in query order, with its split and its
 * ranked images by rank, each with its score and whether its final label is relevant.
 */
export async function rerankSetRows(
  setId: number,
  client: Queryable = db(),
  /** final labels the caller has already read (they must cover the set's queries), to save reading them again */
  labels?: readonly FinalLabelRow[],
): Promise<RerankSetQueryRows[]> {
  const queries = await rerankSetQueries(setId, client);
  const { rows } = await client.query<{
    queryRowId: number;
    imageRowId: string;
    imageId: string;
    rank: number;
    score: number;
  }>(
    `SELECT r.query_id AS "queryRowId", r.image_id AS "imageRowId", i.source_id AS "imageId", r.rank, r.score
       FROM rerank_items r JOIN images i ON i.id = r.image_id
      WHERE r.rerank_set_id = $1 ORDER BY r.query_id, r.rank, r.image_id`,
    [setId],
  );
  const relevant = new Set(
    (
      labels ??
      (await finalLabels(
        queries.map((q) => q.queryRowId),
        client,
      ))
    )
      .filter((l) => l.value === "relevant")
      .map((l) => `${l.queryId}:${l.imageId}`),
  );
  const byQuery = new Map<number, RerankItemRow[]>(queries.map((q) => [q.queryRowId, []]));
  for (const r of rows) {
    const imageRowId = Number(r.imageRowId);
    byQuery.get(r.queryRowId)?.push({
      imageRowId,
      imageId: r.imageId,
      rank: r.rank,
      score: r.score,
      relevant: relevant.has(`${r.queryRowId}:${imageRowId}`),
    });
  }
  return queries.map((q) => ({ ...q, items: byQuery.get(q.queryRowId) ?? [] }));
}

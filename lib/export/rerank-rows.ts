import { relevantByQuery } from "@/lib/agreement/labels";
import { db } from "@/lib/db/client";

// The rows of a rerank set as the export writes them: each included query's images in rank order,
// with the pinned model's score and the image's metadata, and `relevant` by final label. Read from
// rerank_sets / rerank_set_queries / rerank_items until lib/rerank exports its own reader
// (rerankSetRows); then this module becomes a call to it.

export type RerankRow = {
  /** queries.id */
  queryRowId: number;
  rank: number;
  clipScore: number;
  imageId: string;
  fileName: string;
  taxonId: string | null;
  taxonName: string | null;
  latitude: number | null;
  longitude: number | null;
  locationUncertainty: number | null;
  observedAt: Date | null;
  license: string | null;
  rightsHolder: string | null;
  relevant: boolean;
};

/** The set's rows for those of `queryRowIds` the set includes, by query (as given) then rank. */
export async function rerankRowsFor(setId: number, queryRowIds: readonly number[]): Promise<RerankRow[]> {
  const { rows } = await db().query<Omit<RerankRow, "relevant"> & { imageRowId: string }>(
    `SELECT ri.query_id AS "queryRowId", ri.rank, ri.score AS "clipScore", ri.image_id::text AS "imageRowId",
            i.source_id AS "imageId", i.file_name AS "fileName", t.source_id AS "taxonId", t.name AS "taxonName",
            i.latitude, i.longitude, i.location_uncertainty AS "locationUncertainty", i.observed_at AS "observedAt",
            i.license, i.rights_holder AS "rightsHolder"
       FROM rerank_set_queries sq
       JOIN rerank_items ri ON ri.rerank_set_id = sq.rerank_set_id AND ri.query_id = sq.query_id
       JOIN images i ON i.id = ri.image_id
       LEFT JOIN taxa t ON t.id = i.taxon_id
      WHERE sq.rerank_set_id = $1 AND sq.status = 'included' AND sq.query_id = ANY($2::int[])
      ORDER BY ri.query_id, ri.rank, ri.image_id`,
    [setId, queryRowIds],
  );
  const included = [...new Set(rows.map((r) => r.queryRowId))];
  const relevant = await relevantByQuery(included);
  const relevantSets = new Map([...relevant].map(([q, ids]) => [q, new Set(ids)]));
  const byQuery = new Map<number, RerankRow[]>();
  for (const { imageRowId, ...r } of rows) {
    const row = { ...r, relevant: relevantSets.get(r.queryRowId)!.has(Number(imageRowId)) };
    const list = byQuery.get(r.queryRowId);
    if (list) list.push(row);
    else byQuery.set(r.queryRowId, [row]);
  }
  return queryRowIds.flatMap((id) => byQuery.get(id) ?? []);
}

/** Queries of the set that are not included, with the set's reason (no-relevant, unjudged). */
export async function rerankLeftOut(setId: number, queryRowIds: readonly number[]): Promise<Map<number, string>> {
  const { rows } = await db().query<{ queryId: number; status: string }>(
    `SELECT query_id AS "queryId", status FROM rerank_set_queries
      WHERE rerank_set_id = $1 AND query_id = ANY($2::int[]) AND status <> 'included'`,
    [setId, queryRowIds],
  );
  return new Map(rows.map((r) => [r.queryId, r.status]));
}

import type pg from "pg";
import { db } from "@/lib/db/client";
import type { JudgmentValue } from "@/lib/judgments/values";
import { finalLabel, type FinalLabel } from "./final-label";

// Final labels read from the database: every judged or adjudicated (query, image) of the given queries,
// with the one label finalLabel gives it. Exports, rerank sets, the dashboard and evaluation read labels
// here and nowhere else, so "relevant" means the same in all of them.

export type FinalLabelRow = FinalLabel & {
  queryId: number;
  imageId: number;
  /** how many annotators judged it */
  judgments: number;
};

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/** Final labels of the queries' (query, image) pairs, ordered by query id, then image id. */
export async function finalLabels(queryIds: readonly number[], client: Queryable = db()): Promise<FinalLabelRow[]> {
  if (!queryIds.length) return [];
  const { rows } = await client.query<{
    query_id: number;
    image_id: string;
    values: JudgmentValue[] | null;
    adjudicated: JudgmentValue | null;
  }>(
    `WITH judged AS (
       SELECT query_id, image_id, array_agg(value::text ORDER BY annotator_id) AS values
         FROM judgments WHERE query_id = ANY($1::int[])
        GROUP BY query_id, image_id)
     SELECT coalesce(j.query_id, a.query_id) AS query_id, coalesce(j.image_id, a.image_id) AS image_id,
            j.values, a.value::text AS adjudicated
       FROM judged j
       FULL JOIN (SELECT query_id, image_id, value FROM adjudications WHERE query_id = ANY($1::int[])) a
         ON a.query_id = j.query_id AND a.image_id = j.image_id
      ORDER BY 1, 2`,
    [queryIds],
  );
  return rows.map((r) => {
    const values = r.values ?? [];
    return {
      queryId: r.query_id,
      imageId: Number(r.image_id),
      judgments: values.length,
      ...finalLabel(values, r.adjudicated),
    };
  });
}

/** The relevant images of each query by final label (INQUIRE's annotations), image ids ascending. */
export async function relevantByQuery(
  queryIds: readonly number[],
  client: Queryable = db(),
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(queryIds.map((id) => [id, []]));
  for (const row of await finalLabels(queryIds, client))
    if (row.value === "relevant") out.get(row.queryId)!.push(row.imageId);
  return out;
}

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

// The same rule in SQL, for readers that need only counts and positions over many judgments (the
// dashboard at 200,000): a (query, image)'s label is its adjudication, else the one value all its
// judgments share, else none (a disagreement). tests/dashboard/labels checks it against finalLabel.
const LABELLED = `
  judged AS (
    SELECT query_id, image_id, min(id) AS first_id, count(*)::int AS n,
           CASE WHEN min(value::text) = max(value::text) THEN min(value::text) END AS agreed
      FROM judgments WHERE query_id = ANY($1::int[])
     GROUP BY query_id, image_id),
  labelled AS (
    SELECT coalesce(j.query_id, a.query_id) AS query_id, coalesce(j.image_id, a.image_id) AS image_id,
           j.first_id, coalesce(j.n, 0) AS n, a.value IS NOT NULL AS adjudicated,
           coalesce(a.value::text, j.agreed) AS value
      FROM judged j
      FULL JOIN (SELECT query_id, image_id, value FROM adjudications WHERE query_id = ANY($1::int[])) a
        ON a.query_id = j.query_id AND a.image_id = j.image_id)`;

/** How a query's (query, image) pairs stand by final label. */
export type FinalLabelCounts = {
  /** images with at least one judgment */
  judged: number;
  relevant: number;
  notRelevant: number;
  unsure: number;
  /** annotators disagree and no lead has adjudicated: no label yet */
  disagreement: number;
  adjudicated: number;
  /** what the lead's adjudication queue holds: disagreements and unadjudicated "unsure" */
  needsAdjudication: number;
};

const NO_LABELS: FinalLabelCounts = {
  judged: 0,
  relevant: 0,
  notRelevant: 0,
  unsure: 0,
  disagreement: 0,
  adjudicated: 0,
  needsAdjudication: 0,
};

/** Per query (every id given, zeros included), its pairs counted by final label; one pass in the database. */
export async function finalLabelCounts(
  queryIds: readonly number[],
  client: Queryable = db(),
): Promise<Map<number, FinalLabelCounts>> {
  const out = new Map<number, FinalLabelCounts>(queryIds.map((id) => [id, { ...NO_LABELS }]));
  if (!queryIds.length) return out;
  const { rows } = await client.query<FinalLabelCounts & { queryId: number }>(
    `WITH ${LABELLED}
     SELECT query_id AS "queryId",
            count(*) FILTER (WHERE n > 0)::int AS judged,
            count(*) FILTER (WHERE value = 'relevant')::int AS relevant,
            count(*) FILTER (WHERE value = 'not_relevant')::int AS "notRelevant",
            count(*) FILTER (WHERE value = 'unsure')::int AS unsure,
            count(*) FILTER (WHERE value IS NULL AND n > 0)::int AS disagreement,
            count(*) FILTER (WHERE adjudicated)::int AS adjudicated,
            count(*) FILTER (WHERE NOT adjudicated AND (value IS NULL OR value = 'unsure') AND n > 0)::int
              AS "needsAdjudication"
       FROM labelled GROUP BY query_id`,
    [queryIds],
  );
  for (const { queryId, ...counts } of rows) out.set(queryId, counts);
  return out;
}

/**
 * Per query (every id given), where its relevant images were found: the 1-based place of each image
 * whose final label is relevant among the query's judged images in the order first judged (judgments.id,
 * the order learning rounds read), ascending. Adjudicated images nobody judged have no place and are
 * left out. The relevant-found curve is drawn from these.
 */
export async function relevantFindPlaces(
  queryIds: readonly number[],
  client: Queryable = db(),
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(queryIds.map((id) => [id, []]));
  if (!queryIds.length) return out;
  const { rows } = await client.query<{ queryId: number; places: number[] }>(
    `WITH ${LABELLED},
     placed AS (
       SELECT query_id, value, row_number() OVER (PARTITION BY query_id ORDER BY first_id)::int AS place
         FROM labelled WHERE first_id IS NOT NULL)
     SELECT query_id AS "queryId", array_agg(place ORDER BY place) AS places
       FROM placed WHERE value = 'relevant' GROUP BY query_id`,
    [queryIds],
  );
  for (const r of rows) out.set(r.queryId, r.places);
  return out;
}

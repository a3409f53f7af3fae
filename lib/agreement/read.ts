import type pg from "pg";
import { db } from "@/lib/db/client";
import type { JudgmentValue } from "@/lib/judgments/values";
import { agreementReport, type AgreementReport } from "./kappa";

// Agreement between annotators as the database has it: raw agreement and Cohen's kappa per query
// (keyed by the query's row id, as text), per annotator pair and overall, over every image two or
// more annotators judged. The dashboard, the agreement page and the dataset card read it here.

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

export async function agreementForQueries(
  queryIds: readonly number[],
  client: Queryable = db(),
): Promise<AgreementReport> {
  if (!queryIds.length) return agreementReport([]);
  // only images judged by more than one annotator can make a pair
  const { rows } = await client.query<{ queryId: number; imageId: string; annotatorId: string; value: JudgmentValue }>(
    `SELECT j.query_id AS "queryId", j.image_id::text AS "imageId", j.annotator_id AS "annotatorId", j.value
       FROM judgments j
       JOIN (SELECT query_id, image_id FROM judgments WHERE query_id = ANY($1::int[])
              GROUP BY query_id, image_id HAVING count(*) > 1) shared
         ON shared.query_id = j.query_id AND shared.image_id = j.image_id`,
    [queryIds],
  );
  return agreementReport(rows.map((r) => ({ ...r, queryId: String(r.queryId) })));
}

import type pg from "pg";
import { db } from "@/lib/db/client";
import { agreementReport, type AgreementReport } from "./kappa";
import { judgmentsByQuery, type QueryJudgment } from "./labels";

// Agreement between annotators as the database has it: raw agreement and Cohen's kappa per query
// (keyed by the query's row id, as text), per annotator pair and overall, over every image two or
// more annotators judged. The dashboard, the agreement page and the dataset card read it here.

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

export async function agreementForQueries(
  queryIds: readonly number[],
  client: Queryable = db(),
): Promise<AgreementReport> {
  if (!queryIds.length) return agreementReport([]);
  return agreementFromJudgments(await judgmentsByQuery(queryIds, client));
}

/** The same report from judgments already read (lib/agreement/labels' judgmentsByQuery), for readers that need both. */
export function agreementFromJudgments(byQuery: ReadonlyMap<number, readonly QueryJudgment[]>): AgreementReport {
  // only images judged by more than one annotator make a pair; agreementReport pairs those alone
  const judged = [];
  for (const [queryId, list] of byQuery) {
    const seen = new Map<number, number>();
    for (const j of list) seen.set(j.imageId, (seen.get(j.imageId) ?? 0) + 1);
    for (const j of list)
      if (seen.get(j.imageId)! > 1)
        judged.push({
          queryId: String(queryId),
          imageId: String(j.imageId),
          annotatorId: j.annotatorId,
          value: j.value,
        });
  }
  return agreementReport(judged);
}

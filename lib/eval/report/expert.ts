import { db } from "@/lib/db/client";
import { agreementForQueries } from "@/lib/agreement/read";

// Report (b): how much still needs an expert. The share of the run's scored queries whose precision in
// the top k is below the threshold the user set; how often experts said "unsure"; how often two experts
// who judged the same image disagreed (lib/agreement/read.ts). A rate over nothing is no number.

export type ExpertNeed = {
  threshold: number;
  k: number;
  queries: number;
  belowThreshold: number;
  /** share of queries below the threshold, null with no query */
  shareBelow: number | null;
  judgments: number;
  unsure: number;
  unsureRate: number | null;
  /** images two or more experts judged, and the share where they differed */
  pairs: number;
  disagreementRate: number | null;
  kappa: number | null;
};

export async function expertNeed(runId: number, k: number, threshold: number): Promise<ExpertNeed> {
  const metrics = (
    await db().query<{ query_id: number; precision: number }>(
      "SELECT query_id, precision FROM eval_run_metrics WHERE run_id = $1",
      [runId],
    )
  ).rows;
  const queryIds = metrics.map((m) => m.query_id);
  const below = metrics.filter((m) => m.precision < threshold).length;
  const j = (
    await db().query<{ n: number; unsure: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE value = 'unsure')::int AS unsure
         FROM judgments WHERE query_id = ANY($1::int[])`,
      [queryIds],
    )
  ).rows[0];
  const agreement = (await agreementForQueries(queryIds)).overall;
  return {
    threshold,
    k,
    queries: metrics.length,
    belowThreshold: below,
    shareBelow: metrics.length ? below / metrics.length : null,
    judgments: j.n,
    unsure: j.unsure,
    unsureRate: j.n ? j.unsure / j.n : null,
    pairs: agreement.pairs,
    disagreementRate: agreement.raw === null ? null : 1 - agreement.raw,
    kappa: agreement.kappa,
  };
}

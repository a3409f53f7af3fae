import { evaluateFullRank, evaluateRerank, rankRows, type EvalReport } from "./evaluate";
import type { EvalQuery, RerankItem, RunRow } from "./inputs";
import type { QueryMetricsRow, RankedRow, RunMeans } from "./runs";

// A run held in the database scored by the same functions `fieldmark eval` uses on files: queries and
// images go by the ids users see (source ids), so ties break as they would in the files, and the ranks
// stored are the order lib/eval/evaluate.ts ranks by.

export type RunQuery = EvalQuery & { rowId: number };
/** one scored image of a query: its row id, the id users see, and the score */
export type ScoredImage = { imageRowId: number; imageId: string; score: number };

/** A query's scored images, ranked as evaluate.ts ranks them (score, then image id), ranks from 1. */
export function rankScored(queryRowId: number, scored: readonly ScoredImage[]): RankedRow[] {
  const byId = new Map(scored.map((s) => [s.imageId, s]));
  return rankRows(scored.map((s) => ({ imageId: s.imageId, score: s.score }))).map((r, i) => ({
    queryId: queryRowId,
    imageId: byId.get(r.imageId)!.imageRowId,
    score: r.score,
    rank: i + 1,
  }));
}

function toRunRows(ranked: ReadonlyMap<number, readonly ScoredImage[]>, queries: readonly RunQuery[]) {
  const run = new Map<string, RunRow[]>();
  for (const q of queries)
    run.set(
      q.queryId,
      (ranked.get(q.rowId) ?? []).map((s) => ({ imageId: s.imageId, score: s.score })),
    );
  return run;
}

function metricRows(
  report: EvalReport,
  queries: readonly RunQuery[],
  relevantOf: (q: RunQuery) => number,
  retrievedOf: (q: RunQuery) => number,
): QueryMetricsRow[] {
  const bySource = new Map(queries.map((q) => [q.queryId, q]));
  return report.per_query.map((m) => {
    const q = bySource.get(m.query_id)!;
    return {
      queryId: q.rowId,
      ap: m.ap,
      ndcg: m.ndcg,
      mrr: m.mrr,
      precision: m.precision,
      recall: m.recall,
      relevant: relevantOf(q),
      retrieved: retrievedOf(q),
    };
  });
}

export function meansOf(report: EvalReport): RunMeans {
  return {
    ...report.mean,
    queries: report.per_query.length,
    // evaluate.ts speaks of files; in the database the labels are the final labels
    leftOut: report.left_out.map((l) => ({
      queryId: l.query_id,
      reason: l.reason.replace("in the annotations file", "by final label"),
    })),
  };
}

/** Full-rank: each query's ranked images against its relevant images (source ids) at k. */
export function scoreFullRank(
  queries: readonly RunQuery[],
  ranked: ReadonlyMap<number, readonly ScoredImage[]>,
  relevant: ReadonlyMap<number, ReadonlySet<string>>,
  k: number,
): { metrics: QueryMetricsRow[]; means: RunMeans; report: EvalReport } {
  const rel = new Map(queries.map((q) => [q.queryId, relevant.get(q.rowId) ?? new Set<string>()]));
  const report = evaluateFullRank({ queries, relevant: rel, run: toRunRows(ranked, queries), k });
  const metrics = metricRows(
    report,
    queries,
    (q) => rel.get(q.queryId)!.size,
    (q) => Math.min(k, ranked.get(q.rowId)?.length ?? 0),
  );
  return { metrics, means: meansOf(report), report };
}

/** Rerank: the run's scores re-order each query's set, scored over the set at k. */
export function scoreRerank(
  queries: readonly RunQuery[],
  ranked: ReadonlyMap<number, readonly ScoredImage[]>,
  sets: ReadonlyMap<number, readonly RerankItem[]>,
  k: number,
): { metrics: QueryMetricsRow[]; means: RunMeans; report: EvalReport } {
  const bySource = new Map<string, readonly RerankItem[]>();
  for (const q of queries) {
    const set = sets.get(q.rowId);
    if (set) bySource.set(q.queryId, set);
  }
  const report = evaluateRerank({ queries, sets: bySource, run: toRunRows(ranked, queries), k });
  const metrics = metricRows(
    report,
    queries,
    (q) => bySource.get(q.queryId)?.filter((i) => i.relevant).length ?? 0,
    (q) => ranked.get(q.rowId)?.length ?? 0,
  );
  return { metrics, means: meansOf(report), report };
}

import { fullRankMetrics, meanMetrics, rerankMetrics, type Metrics, type Scored } from "./metrics";
import {
  readAnnotations,
  readEvalQueries,
  readRerankSet,
  readRun,
  type EvalQuery,
  type RerankItem,
  type RunRow,
} from "./inputs";

// Scores a run against labels, per query, in the mean, and per group of queries.

export const GROUP_FIELDS = ["supercategory", "category", "iconic_group"] as const;
export type GroupField = (typeof GROUP_FIELDS)[number];

export type QueryResult = { query_id: string } & Metrics;
export type EvalReport = {
  task: "fullrank" | "rerank";
  k: number;
  /** over the scored queries; a query the run has no rows for scores 0 and counts */
  mean: Metrics;
  per_query: QueryResult[];
  /** mean per value of the group field, with how many queries each holds */
  groups: Record<string, Metrics & { queries: number }>;
  group_by: GroupField;
  /** queries that cannot be scored, and why (no relevant image at all, no rerank set) */
  left_out: { query_id: string; reason: string }[];
};

const WHOLE = /^(0|[1-9]\d{0,14})$/;

/** Image ids in ascending order: numerically when both are whole numbers (iNat ids), else by code point. */
export function compareImageIds(a: string, b: string): number {
  if (WHOLE.test(a) && WHOLE.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A run's rows for one query, best first; equal scores in ascending image id. */
export function rankRows(rows: readonly RunRow[]): RunRow[] {
  return [...rows].sort((x, y) => y.score - x.score || compareImageIds(x.imageId, y.imageId));
}

function groupKey(query: EvalQuery, by: GroupField): string {
  const value = by === "supercategory" ? query.supercategory : by === "category" ? query.category : query.iconicGroup;
  return value ?? "(none)";
}

function summarise(
  task: EvalReport["task"],
  k: number,
  queries: readonly EvalQuery[],
  scored: Map<string, Metrics>,
  leftOut: EvalReport["left_out"],
  by: GroupField,
): EvalReport {
  const perQuery = queries
    .filter((q) => scored.has(q.queryId))
    .map((q) => ({ query_id: q.queryId, ...scored.get(q.queryId)! }));
  const grouped = new Map<string, Metrics[]>();
  for (const q of queries) {
    const m = scored.get(q.queryId);
    if (!m) continue;
    const key = groupKey(q, by);
    const group = grouped.get(key);
    if (group) group.push(m);
    else grouped.set(key, [m]);
  }
  const groups: EvalReport["groups"] = {};
  for (const key of [...grouped.keys()].sort()) {
    groups[key] = { ...meanMetrics(grouped.get(key)!), queries: grouped.get(key)!.length };
  }
  return {
    task,
    k,
    mean: meanMetrics([...scored.values()]),
    per_query: perQuery,
    groups,
    group_by: by,
    left_out: leftOut,
  };
}

/**
 * Full-rank evaluation: each query's top k of the run against all its relevant images. A query with no
 * relevant image at all cannot be scored (recall and AP would divide by zero) and is left out, said so.
 */
export function evaluateFullRank(input: {
  queries: readonly EvalQuery[];
  relevant: ReadonlyMap<string, ReadonlySet<string>>;
  run: ReadonlyMap<string, readonly RunRow[]>;
  k: number;
  by?: GroupField;
}): EvalReport {
  const scored = new Map<string, Metrics>();
  const leftOut: EvalReport["left_out"] = [];
  for (const q of input.queries) {
    const relevant = input.relevant.get(q.queryId);
    if (!relevant || relevant.size === 0) {
      leftOut.push({ query_id: q.queryId, reason: "no relevant image in the annotations file" });
      continue;
    }
    const ranked: Scored[] = rankRows(input.run.get(q.queryId) ?? [])
      .slice(0, input.k)
      .map((r) => ({ relevant: relevant.has(r.imageId), score: r.score }));
    scored.set(q.queryId, fullRankMetrics(ranked, relevant.size, input.k));
  }
  return summarise("fullrank", input.k, input.queries, scored, leftOut, input.by ?? "supercategory");
}

/**
 * Rerank evaluation: the run's scores re-order each query's fixed set (an image the run does not score
 * goes last, tied with the others it does not score), scored over the set. Queries without a set, or
 * whose set holds no relevant image, are left out, said so (INQUIRE-Rerank leaves them out too).
 */
export function evaluateRerank(input: {
  queries: readonly EvalQuery[];
  sets: ReadonlyMap<string, readonly RerankItem[]>;
  run: ReadonlyMap<string, readonly RunRow[]>;
  k: number;
  by?: GroupField;
}): EvalReport {
  const scored = new Map<string, Metrics>();
  const leftOut: EvalReport["left_out"] = [];
  for (const q of input.queries) {
    const set = input.sets.get(q.queryId);
    if (!set) {
      leftOut.push({ query_id: q.queryId, reason: "not in the rerank file" });
      continue;
    }
    if (!set.some((item) => item.relevant)) {
      leftOut.push({ query_id: q.queryId, reason: "its rerank set holds no relevant image" });
      continue;
    }
    const rows = input.run.get(q.queryId) ?? [];
    if (rows.length === 0) {
      scored.set(q.queryId, { ap: 0, ndcg: 0, mrr: 0, precision: 0, recall: 0 }); // no run for it: 0, and it counts
      continue;
    }
    const scores = new Map(rows.map((r) => [r.imageId, r.score]));
    const ranked = set
      .map((item) => ({ imageId: item.imageId, relevant: item.relevant, score: scores.get(item.imageId) ?? -Infinity }))
      .sort((x, y) => (x.score === y.score ? compareImageIds(x.imageId, y.imageId) : y.score - x.score));
    scored.set(q.queryId, rerankMetrics(ranked, input.k));
  }
  return summarise("rerank", input.k, input.queries, scored, leftOut, input.by ?? "supercategory");
}

/** Reads the files and scores the run: every file is read and checked before anything is scored. */
export function evaluateFiles(files: {
  queries: string;
  run: string;
  annotations?: string;
  rerank?: string;
  k: number;
  by?: GroupField;
}): EvalReport {
  const queries = readEvalQueries(files.queries);
  const ids = new Set(queries.map((q) => q.queryId));
  const run = readRun(files.run, ids);
  if (files.rerank) {
    const sets = readRerankSet(files.rerank, ids);
    return evaluateRerank({ queries, sets, run, k: files.k, by: files.by });
  }
  if (!files.annotations) throw new Error("full-rank evaluation needs the annotations file (--annotations)");
  const relevant = readAnnotations(files.annotations, ids);
  return evaluateFullRank({ queries, relevant, run, k: files.k, by: files.by });
}

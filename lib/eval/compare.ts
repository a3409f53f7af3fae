import { db } from "@/lib/db/client";
import { meanMetrics, type Metrics } from "./metrics";
import { listRuns, type EvalRunRow } from "./runs";

// Runs side by side: each finished run's means (over the queries it scored) and its means per query
// category, for the comparison table and the chart per category.

export type RunComparisonRow = {
  run: EvalRunRow;
  mean: Metrics | null;
  queries: number;
  /** category (or "(none)") to its mean and query count */
  categories: Record<string, Metrics & { queries: number }>;
};

export async function compareRuns(collectionId: number): Promise<RunComparisonRow[]> {
  const runs = await listRuns(collectionId);
  const done = runs.filter((r) => r.status === "done").map((r) => r.id);
  const rows = done.length
    ? (
        await db().query<Metrics & { runId: number; category: string | null }>(
          `SELECT m.run_id AS "runId", q.category, m.ap, m.ndcg, m.mrr, m.precision, m.recall
             FROM eval_run_metrics m JOIN queries q ON q.id = m.query_id WHERE m.run_id = ANY($1::int[])`,
          [done],
        )
      ).rows
    : [];
  const byRun = new Map<number, typeof rows>();
  for (const r of rows) {
    const list = byRun.get(r.runId);
    if (list) list.push(r);
    else byRun.set(r.runId, [r]);
  }
  return runs.map((run) => {
    const list = byRun.get(run.id) ?? [];
    const groups = new Map<string, Metrics[]>();
    for (const r of list) {
      const key = r.category ?? "(none)";
      const g = groups.get(key);
      if (g) g.push(r);
      else groups.set(key, [r]);
    }
    const categories: RunComparisonRow["categories"] = {};
    for (const key of [...groups.keys()].sort())
      categories[key] = { ...meanMetrics(groups.get(key)!), queries: groups.get(key)!.length };
    return { run, mean: list.length ? meanMetrics(list) : null, queries: list.length, categories };
  });
}

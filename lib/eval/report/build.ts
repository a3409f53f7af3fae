import { db } from "@/lib/db/client";
import { finalLabels } from "@/lib/agreement/labels";
import type { ModelRef } from "@/lib/search/lookup";
import { compareRuns } from "../compare";
import type { Metrics } from "../metrics";
import { queryProbe, vectorsOf } from "../model-scores";
import { findRun, type EvalRunRow } from "../runs";
import { expertNeed, type ExpertNeed } from "./expert";
import { modelErrors, type ModelErrors } from "./errors";
import { probeVsZeroShot, type ProbeQuery, type ProbeReport } from "./probe";
import { reportSummary } from "./summary";

// The PoC report for one run: everything the page and `fieldmark report` draw, as plain data. The
// summary paragraph is worked out from the same numbers (lib/eval/report/summary.ts).

export type ReportOptions = { threshold: number; folds?: number; labelsPerClass?: number };

export type ReportData = {
  collection: string;
  run: EvalRunRow;
  generatedAt: string;
  mean: Metrics | null;
  queries: number;
  categories: Record<string, Metrics & { queries: number }>;
  errors: ModelErrors;
  expert: ExpertNeed;
  probe: ProbeReport | { untrusted: string };
  summary: string;
  /** the command that made the run, the command that makes this report, and the data behind both */
  provenance: { runCommand: string | null; reportCommand: string; data: string[] };
};

export const DEFAULT_THRESHOLD = 0.5;

async function probeData(run: EvalRunRow, opts: ReportOptions): Promise<ProbeReport | { untrusted: string }> {
  if (run.source === "imported" || run.modelId === null)
    return {
      untrusted: "the run was made outside the tool: there are no image vectors of its model to train a probe on",
    };
  const model = (
    await db().query<ModelRef>("SELECT id, name, kind, folder, dim FROM models WHERE id = $1", [run.modelId])
  ).rows[0];
  if (!model) return { untrusted: `model "${run.modelName}" is no longer registered` };
  const qs = (
    await db().query<{ id: number; source_id: string; text: string; category: string | null }>(
      `SELECT q.id, q.source_id, q.text, q.category FROM eval_run_metrics m JOIN queries q ON q.id = m.query_id
        WHERE m.run_id = $1 ORDER BY q.id`,
      [run.id],
    )
  ).rows;
  const labels = (await finalLabels(qs.map((q) => q.id))).filter(
    (l) => l.value === "relevant" || l.value === "not_relevant",
  );
  const vectors = await vectorsOf(model.id, [...new Set(labels.map((l) => l.imageId))]);
  const queries: ProbeQuery[] = [];
  for (const q of qs) {
    const probe = await queryProbe(model, { id: q.id, collectionId: run.collectionId, text: q.text });
    queries.push({
      queryId: q.source_id,
      category: q.category,
      probe: probe.vectors,
      labeled: labels
        .filter((l) => l.queryId === q.id && vectors.has(l.imageId))
        .map((l) => ({ vector: vectors.get(l.imageId)!, relevant: l.value === "relevant" })),
    });
  }
  return probeVsZeroShot(queries, { folds: opts.folds, labelsPerClass: opts.labelsPerClass });
}

export async function buildReport(
  collection: { id: number; name: string },
  runId: number,
  opts: ReportOptions,
): Promise<ReportData | null> {
  const run = await findRun(collection.id, runId);
  if (!run) return null;
  if (run.status !== "done") throw new Error(`run ${runId} is ${run.status}: a report needs a finished run`);
  const comparison = (await compareRuns(collection.id)).find((r) => r.run.id === runId)!;
  const [errors, expert, probe] = [
    await modelErrors(run.id, run.k),
    await expertNeed(run.id, run.k, opts.threshold),
    await probeData(run, opts),
  ];
  const labelCount = (
    await db().query<{ n: number }>(
      `SELECT count(DISTINCT (query_id, image_id))::int AS n FROM judgments
        WHERE query_id IN (SELECT query_id FROM eval_run_metrics WHERE run_id = $1)`,
      [run.id],
    )
  ).rows[0].n;
  const data = [
    `collection "${collection.name}", ${comparison.queries} scored queries (finished, final labels: adjudicated, else agreed, else single judgment), ${labelCount} judged (query, image) pairs`,
    `run ${run.id}: ${run.kind}, k = ${run.k}, model "${run.modelName}"${run.modelVersion ? ` version ${run.modelVersion}` : ""}${run.modelChecksum ? ` checksum ${run.modelChecksum}` : ""}${run.secondModelName ? `, re-ordered by "${run.secondModelName}"` : ""}${run.rerankSetId ? `, rerank set ${run.rerankSetId}` : ""}, ${run.source}, made ${new Date(run.createdAt).toISOString()}`,
  ];
  const base = {
    collection: collection.name,
    run,
    generatedAt: new Date().toISOString(),
    mean: comparison.mean,
    queries: comparison.queries,
    categories: comparison.categories,
    errors,
    expert,
    probe,
    provenance: {
      runCommand: run.command,
      reportCommand: `fieldmark report --collection ${collection.name} --run ${run.id} --threshold ${opts.threshold}`,
      data,
    },
  };
  return { ...base, summary: reportSummary(base) };
}

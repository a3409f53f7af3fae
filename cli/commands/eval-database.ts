import { progressBar } from "../progress";
import { printJson } from "../run";
import { collectionNamed } from "./lookup";

// `fieldmark eval --collection`: a run kept in the database, scored here with a progress bar (the CLI
// may run with no worker), or a run CSV imported. Loaded only once the database is open.

export type DatabaseEvalOpts = {
  collection?: string;
  model?: string;
  secondModel?: string;
  rerankSet?: string;
  importRun?: string;
  name?: string;
  json?: boolean;
};

function commandLine(): string {
  return ["fieldmark", ...process.argv.slice(2)]
    .map((a) => (/^[\w./:@=-]+$/.test(a) ? a : JSON.stringify(a)))
    .join(" ");
}

export async function runInDatabase(opts: DatabaseEvalOpts & { collection: string }, k: number): Promise<void> {
  const collection = await collectionNamed(opts.collection);
  const { findRerankSet } = await import("@/lib/rerank/read");
  const version = opts.rerankSet === undefined ? null : Number(opts.rerankSet);
  if (version !== null && !(Number.isInteger(version) && version > 0))
    throw new Error(`--rerank-set must be a version number (got ${opts.rerankSet})`);
  let runId: number;
  if (opts.importRun) {
    if (!opts.name) throw new Error("--import-run needs --name: the model that made the run");
    if (opts.model || opts.secondModel) throw new Error("--import-run takes --name, not --model or --second-model");
    const { importRun } = await import("@/lib/eval/import-run");
    const set = version === null ? null : await findRerankSet(collection.id, version);
    if (version !== null && !set)
      throw new Error(`collection "${collection.name}" has no rerank set version ${version}`);
    ({ runId } = await importRun({
      collectionId: collection.id,
      file: opts.importRun,
      modelName: opts.name,
      rerankSetId: set?.id ?? null,
      k,
      command: commandLine(),
      createdBy: null,
    }));
  } else {
    if (!opts.model) throw new Error("give --model (a registered model) or --import-run with --name");
    const { checkRunRequest } = await import("@/lib/eval/run-request");
    const { createRunHere } = await import("@/lib/eval/runs");
    const { scoreRun } = await import("@/lib/eval/score-run");
    const run = await checkRunRequest({
      collectionId: collection.id,
      model: opts.model,
      secondModel: opts.secondModel,
      rerankSetVersion: version,
      k,
      command: commandLine(),
      createdBy: null,
    });
    runId = await createRunHere(run);
    const bar = progressBar(`run ${runId} (${run.kind})`);
    const scored = await scoreRun(runId, (done, total) => bar.update(done, total));
    bar.update(scored.queries, scored.queries);
    bar.end();
  }
  const { runById, runQueryMetrics } = await import("@/lib/eval/runs");
  const row = (await runById(runId))!;
  const perQuery = await runQueryMetrics(runId);
  if (opts.json)
    return printJson({
      run: { id: row.id, name: row.name, kind: row.kind, source: row.source, k: row.k, model: row.modelName },
      mean: row.means,
      per_query: perQuery.map((m) => ({
        query_id: m.sourceId,
        ap: m.ap,
        ndcg: m.ndcg,
        mrr: m.mrr,
        precision: m.precision,
        recall: m.recall,
      })),
    });
  const m = row.means;
  console.log(
    `run ${row.id}: ${row.kind}, "${row.name}", k = ${row.k}, ${m.queries ?? 0} queries: AP ${(m.ap ?? 0).toFixed(4)}  nDCG ${(m.ndcg ?? 0).toFixed(4)}  MRR ${(m.mrr ?? 0).toFixed(4)}  P@${row.k} ${(m.precision ?? 0).toFixed(4)}  R@${row.k} ${(m.recall ?? 0).toFixed(4)}`,
  );
  for (const l of m.leftOut ?? []) console.log(`left out: query ${l.queryId}: ${l.reason}`);
  console.log(`report: fieldmark report --collection ${collection.name} --run ${row.id} --out report.html`);
}

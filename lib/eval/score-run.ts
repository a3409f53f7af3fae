import { inTransaction } from "@/lib/db/transaction";
import { db } from "@/lib/db/client";
import type { ModelRef } from "@/lib/search/lookup";
import { queryProbe, rankCollection, ranksOfScores, scoreImages } from "./model-scores";
import { finishedQueries, relevantImages, rerankSetData } from "./run-data";
import { failRun, runById, setRunProgress, writeRunResults, type RankedRow } from "./runs";
import { rankScored, scoreFullRank, scoreRerank, type ScoredImage } from "./score-ranking";

// Scoring an in-tool run (the eval worker job): each finished query ranked by the run's model over the
// whole collection (full-rank), or its rerank set re-ordered by the model's scores (rerank), or the
// first model's top k re-ordered by the second (two-stage); then INQUIRE's metrics per query and in the
// mean, and the ranking kept. Relevant images below the kept depth are kept too, with their rank in the
// collection, so the report can show what the model misses.

/** how deep a full-rank ranking is kept: the top k, and at least this many */
export const MIN_DEPTH = 100;

async function modelRef(id: number | null, name: string): Promise<ModelRef> {
  const r = await db().query<ModelRef>("SELECT id, name, kind, folder, dim FROM models WHERE id = $1", [id]);
  if (!r.rows[0]) throw new Error(`model "${name}" is no longer registered`);
  return r.rows[0];
}

/** Scores the run; `onProgress` hears each query as it is done (the CLI's progress bar). */
export async function scoreRun(
  runId: number,
  onProgress?: (done: number, total: number) => void,
): Promise<{ queries: number; ms: number }> {
  const started = Date.now();
  const run = await runById(runId);
  if (!run) throw new Error(`no run with id ${runId}`);
  try {
    const model = await modelRef(run.modelId, run.modelName);
    const ranked = new Map<number, ScoredImage[]>();
    const kept: RankedRow[] = [];
    if (run.kind === "rerank") {
      if (!run.rerankSetId) throw new Error("a rerank run needs a rerank set");
      const { queries, sets, rowIds } = await rerankSetData(run.collectionId, run.rerankSetId);
      for (const [i, q] of queries.entries()) {
        await setRunProgress(runId, "scoring the rerank set", i, queries.length);
        onProgress?.(i, queries.length);
        const ids = rowIds.get(q.rowId)!;
        const scores = await scoreImages(
          model.id,
          await queryProbe(model, { ...q, id: q.rowId, collectionId: run.collectionId }),
          [...ids.values()],
        );
        const list = [...ids]
          .filter(([, row]) => scores.has(row))
          .map(([imageId, row]) => ({ imageRowId: row, imageId, score: scores.get(row)! }));
        ranked.set(q.rowId, list);
        kept.push(...rankScored(q.rowId, list));
      }
      const { metrics, means } = scoreRerank(queries, ranked, sets, run.k);
      await inTransaction((c) => writeRunResults(c, runId, kept, metrics, means));
      return { queries: queries.length, ms: Date.now() - started };
    }

    const second = run.kind === "two-stage" ? await modelRef(run.secondModelId, run.secondModelName ?? "") : null;
    const queries = await finishedQueries(run.collectionId);
    const relevant = await relevantImages(queries.map((q) => q.rowId));
    const depth = second ? run.k : Math.max(run.k, MIN_DEPTH);
    for (const [i, q] of queries.entries()) {
      await setRunProgress(runId, "ranking the collection", i, queries.length);
      onProgress?.(i, queries.length);
      const query = { id: q.rowId, collectionId: run.collectionId, text: q.text };
      const probe = await queryProbe(model, query);
      let top = await rankCollection(model.id, run.collectionId, probe, depth);
      if (second) {
        // two-stage: the first model's top k, re-ordered by the second model's scores
        const scores = await scoreImages(
          second.id,
          await queryProbe(second, query),
          top.map((t) => t.imageId),
        );
        top = top.map((t) => ({ ...t, score: scores.get(t.imageId) ?? -1e9 }));
      }
      const list = top.map((t) => ({ imageRowId: t.imageId, imageId: t.sourceId, score: t.score }));
      ranked.set(q.rowId, list);
      const rows = rankScored(q.rowId, list);
      kept.push(...rows);
      // the relevant images it did not rank this deep, with their rank in the collection by the first model
      const inTop = new Set(rows.map((r) => r.imageId));
      const missed = (relevant.rowIds.get(q.rowId) ?? []).filter((id) => !inTop.has(id));
      const scores = await scoreImages(model.id, probe, missed);
      const withScore = missed.filter((id) => scores.has(id));
      const ranks = await ranksOfScores(
        model.id,
        run.collectionId,
        probe,
        withScore.map((id) => scores.get(id)!),
      );
      withScore.forEach((id, j) =>
        kept.push({ queryId: q.rowId, imageId: id, score: scores.get(id)!, rank: Math.max(ranks[j], depth + 1) }),
      );
    }
    await setRunProgress(runId, "scoring", queries.length, queries.length);
    const { metrics, means } = scoreFullRank(queries, ranked, relevant.sourceIds, run.k);
    await inTransaction((c) => writeRunResults(c, runId, kept, metrics, means));
    return { queries: queries.length, ms: Date.now() - started };
  } catch (e) {
    await failRun(runId, (e as Error).message);
    throw e;
  }
}

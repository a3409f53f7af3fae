import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { queryFilters, unionSearch } from "@/lib/candidates/surface";
import { embedTexts } from "@/lib/models/encoder";
import { encoderFor } from "@/lib/models/encoder-cache";
import { modelsWithVectors } from "@/lib/models/registry";
import type { TaxonScopeEntry } from "@/lib/queries/fields";
import { rng } from "@/lib/random";
import { searchByVector } from "@/lib/search/vector-search";
import { getVectorStore } from "@/lib/vectors/storage";
import { auditEstimate, currentAudit, planNewAudit, queueAuditImages, writeAudit } from "./audit";
import { judgedImages, probeImages, randomImages, readVectors, scopeSize, scopeTaxonIds, seedOf } from "./data";
import { trainLinearScorer, searchDirection, type TrainingExample } from "./learner";
import { nextBatchSize, PRESUMED_NEGATIVES, roundDue } from "./schedule";
import { auditDue, quietRun, querySignals, type QuerySignals } from "./stopping";

// One round of continuous active learning for one query, as the worker runs it (workers/learning.ts)
// and the simulator replays it: read the judgments, train, re-rank the query's scope through the
// vector index (a linear scorer over unit vectors ranks as a cosine search for its weight vector),
// replace the "active-learning" candidates, audit when the ranking has gone quiet, and record the
// stopping signals. Everything is recomputed from the judgments, so a round killed halfway loses
// nothing: the next one starts over.

/** How deep each round's ranking reaches into the unjudged images. */
export const LEARNING_DEPTH = 500;

type LearningQuery = {
  id: number;
  collectionId: number;
  sourceId: string;
  text: string;
  iconicGroup: string | null;
  taxonScope: TaxonScopeEntry[];
  modelId: number | null;
  lastBatch: number;
  rounds: number;
};

export type RoundResult = {
  queryId: number;
  round: number;
  modelId: number | null;
  /** why nothing was trained (no model with vectors, no relevant image yet) */
  skipped?: string;
  positives: number;
  negatives: number;
  ranked: number;
  /** judgments that make the next round due */
  nextBatch: number;
  ms: number;
  signals: QuerySignals;
};

async function loadLearningQuery(queryId: number): Promise<LearningQuery> {
  const { rows } = await db().query<LearningQuery>(
    `SELECT q.id, q.collection_id AS "collectionId", q.source_id AS "sourceId", q.text, q.iconic_group AS "iconicGroup",
            q.taxon_scope AS "taxonScope", l.model_id AS "modelId", coalesce(l.last_batch, 0) AS "lastBatch",
            coalesce(l.rounds, 0) AS rounds
       FROM queries q LEFT JOIN query_learning l ON l.query_id = q.id WHERE q.id = $1`,
    [queryId],
  );
  if (!rows[0]) throw new Error(`no query with row id ${queryId}`);
  return rows[0];
}

/** The model a query learns over: the one it used before, else a CLIP model (text prior), else any. */
async function learningModel(q: LearningQuery, requested?: number) {
  const models = await modelsWithVectors(q.collectionId);
  const wanted = requested ?? q.modelId;
  return models.find((m) => m.id === wanted) ?? models.find((m) => m.kind === "clip") ?? models[0] ?? null;
}

export type RoundOptions = {
  /** learn over this model instead of the query's own */
  modelId?: number;
  /** how the vector search answers (default "auto": the HNSW index for broad scopes); benches force "exact" */
  strategy?: "auto" | "exact";
};

export async function runLearningRound(queryId: number, opts: RoundOptions = {}): Promise<RoundResult> {
  const started = performance.now();
  const q = await loadLearningQuery(queryId);
  const key = `${q.collectionId}:${q.sourceId}`;
  const round = q.rounds + 1;
  const model = await learningModel(q, opts.modelId);
  const judged = await judgedImages(q.id);
  const judgedById = new Map(judged.map((j) => [j.imageId, j]));
  const sequence = judged.filter((j) => !j.audited).map((j) => j.relevant === true);
  const foundNow = sequence.filter(Boolean).length;
  const examples = (
    await db().query<{ image_id: string }>("SELECT image_id FROM query_examples WHERE query_id = $1", [q.id])
  ).rows.map((r) => Number(r.image_id));

  const filters = await queryFilters(q);
  const taxonIds = await scopeTaxonIds(q.collectionId, filters);
  const store = model ? await getVectorStore(model.id) : null;
  const collectionSize = store ? await scopeSize(store, q.collectionId, taxonIds) : judged.length;
  let audit = await currentAudit(q.id, judgedById, foundNow);

  const positives = [...new Set([...examples, ...judged.filter((j) => j.relevant === true).map((j) => j.imageId)])];
  const negatives = judged.filter((j) => j.relevant === false).map((j) => j.imageId);
  const finish = async (ranking: number[], skipped: string | undefined, newAudit = false): Promise<RoundResult> => {
    const signals = querySignals({
      sequence,
      collectionSize,
      audit: audit?.state ?? null,
      estimate: auditEstimate(key, audit),
    });
    const ms = Math.round(performance.now() - started);
    await inTransaction(async (client) => {
      if (!skipped) {
        await client.query("DELETE FROM candidates WHERE query_id = $1 AND source = 'active-learning'", [q.id]);
        await client.query(
          `INSERT INTO candidates (query_id, image_id, source, score, rank)
           SELECT $1, u.image_id, 'active-learning', 0, u.rank FROM unnest($2::bigint[], $3::int[]) AS u(image_id, rank)`,
          [q.id, ranking, ranking.map((_, i) => i + 1)],
        );
      }
      if (newAudit || audit) await queueAuditImages(client, q.id, key, audit?.pending ?? []);
      await client.query(
        `INSERT INTO query_learning (query_id, model_id, rounds, last_batch, judged_at_round, positives, negatives,
                                     signals, looks_complete, round_ms, error, trained_at)
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, now())
         ON CONFLICT (query_id) DO UPDATE SET model_id = EXCLUDED.model_id, rounds = query_learning.rounds + 1,
           last_batch = EXCLUDED.last_batch, judged_at_round = EXCLUDED.judged_at_round, positives = EXCLUDED.positives,
           negatives = EXCLUDED.negatives, signals = EXCLUDED.signals, looks_complete = EXCLUDED.looks_complete,
           round_ms = EXCLUDED.round_ms, error = EXCLUDED.error, trained_at = now()`,
        [
          q.id,
          model?.id ?? null,
          nextBatchSize(q.lastBatch),
          judged.length,
          positives.length,
          negatives.length,
          JSON.stringify(signals),
          signals.looksComplete,
          ms,
          skipped ?? null,
        ],
      );
    });
    return {
      queryId: q.id,
      round,
      modelId: model?.id ?? null,
      skipped,
      positives: positives.length,
      negatives: negatives.length,
      ranked: ranking.length,
      nextBatch: nextBatchSize(nextBatchSize(q.lastBatch)),
      ms,
      signals,
    };
  };

  if (!model || !store) return finish([], "no model has vectors for this collection");
  if (!positives.length) return finish([], "no relevant image judged yet");

  const judgedIds = judged.map((j) => j.imageId);
  const exclude = new Set([...judgedIds, ...examples]);
  const presumedSeed = seedOf(key, "presumed", round);
  const presumed = taxonIds
    ? await randomImages(store, q.collectionId, taxonIds, [...exclude], PRESUMED_NEGATIVES, presumedSeed)
    : await probeImages(store, q.collectionId, exclude, PRESUMED_NEGATIVES, rng(presumedSeed));
  const vectors = await readVectors(store, [...positives, ...negatives, ...presumed]);
  const trainingSet: TrainingExample[] = [];
  for (const [ids, relevant] of [
    [positives, true],
    [negatives, false],
    [presumed, false],
  ] as const)
    for (const id of ids) {
      const vector = vectors.get(id);
      if (vector) trainingSet.push({ vector, relevant });
    }
  if (!trainingSet.some((e) => !e.relevant)) return finish([], "no image to train against yet");
  const prior = model.kind === "clip" ? (await embedTexts(await encoderFor(model), [q.text]))[0] : undefined;
  const scorer = trainLinearScorer(trainingSet, { prior });
  const { direction } = searchDirection(scorer);

  const quiet = quietRun(sequence);
  const drawing = auditDue(quiet, audit?.state ?? null, foundNow);
  const poolSize = Math.max(0, collectionSize - judged.length - examples.length);
  const depth = Math.max(1, Math.min(LEARNING_DEPTH, poolSize || 1));
  const excludeIds = [...exclude];
  const ranked = await unionSearch(filters, depth, (f) =>
    searchByVector(model.id, direction, {
      collectionId: q.collectionId,
      k: depth,
      filters: f,
      excludeImageIds: excludeIds,
      strategy: opts.strategy,
    }),
  );
  const ranking = ranked.map((r) => r.imageId);
  if (drawing) {
    const plan = await planNewAudit(
      { id: q.id, key, collectionId: q.collectionId, taxonIds },
      store,
      ranking,
      poolSize,
      judgedIds,
      foundNow,
    );
    if (plan) {
      await inTransaction((client) => writeAudit(client, q.id, plan));
      audit = await currentAudit(q.id, judgedById, foundNow);
    }
  }
  return finish(ranking.slice(0, LEARNING_DEPTH), undefined, drawing);
}

/** Whether the query has judgments enough for its next round (BMI's growing batch). */
export async function learningRoundDue(queryId: number): Promise<boolean> {
  const { rows } = await db().query<{ judged: number; at: number | null; batch: number | null }>(
    `SELECT (SELECT count(DISTINCT image_id)::int FROM judgments WHERE query_id = $1) AS judged,
            l.judged_at_round AS at, l.last_batch AS batch
       FROM (SELECT 1) one LEFT JOIN query_learning l ON l.query_id = $1`,
    [queryId],
  );
  const r = rows[0];
  if (r.at === null) return roundDue(r.judged, 0);
  // fewer judged than at the last round: some were withdrawn, and the ranking should know
  return r.judged < r.at || roundDue(r.judged - r.at, r.batch ?? 0);
}

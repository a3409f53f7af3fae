import { db } from "@/lib/db/client";
import { surfaceCandidates } from "@/lib/candidates/surface";
import { runLearningRound, type RoundResult } from "@/lib/active-learning/round";
import { nextCandidates, type QueueCandidate } from "@/lib/judgments/queue";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import type { QueryRef } from "@/lib/queries/queries";
import { inquireRule } from "@/lib/recall/signals";
import { rng, shuffled } from "@/lib/random";
import { seedOf } from "@/lib/active-learning/data";
import type { Truth } from "./truth";

// The simulator: a perfect expert replayed on the product's own path. Each (query, strategy) gets a
// scratch query in the collection with the seed images as its examples and a scratch annotator; pages
// come from the judging queue (lib/judgments/queue), judgments go through lib/judgments/write, rounds
// are lib/active-learning/round's, and the stop is the product's: INQUIRE's rule over the static
// ranking, "looks complete" for active learning. Rankers see embeddings only (no text, no metadata).
// Scratch rows are deleted at the end, whatever happens.

export const STRATEGIES = ["static", "cal"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export type SimulateOptions = {
  collectionId: number;
  modelId: number;
  truth: Truth;
  seedPositives: number;
  strategies: Strategy[];
  randomSeed: number;
  onProgress?: (done: number, total: number, label: string) => void;
};

export type QueryOutcome = {
  query_id: string;
  strategy: Strategy;
  /** judgments spent until the stop, audits included */
  judgments: number;
  /** relevant images judged by the stop over the relevant images other than the seeds (the estimate's frame) */
  recall: number;
  /** judgments until 95% recall (going on past the stop when needed); null when never reached */
  judgments_to_95: number | null;
  ci_low: number | null;
  ci_high: number | null;
};

export type StrategySummary = {
  queries: number;
  judgments: number;
  recall: number;
  judgments_to_95: number | null;
  reached_95: number;
  ci_coverage: number | null;
};

export type SimulationReport = { strategies: Partial<Record<Strategy, StrategySummary>>; per_query: QueryOutcome[] };

type Run = {
  ref: QueryRef;
  annotator: string;
  relevant: Map<string, number>;
  found: number;
  judged: number;
  to95: number | null;
};

const PAGE = 100;

async function judge(run: Run, page: QueueCandidate[]): Promise<boolean[]> {
  const values = page.map((c) => run.relevant.has(c.imageId));
  const results = await applyJudgmentWrites(
    run.ref,
    run.annotator,
    page.map((c, i) => ({
      clientId: `q${run.ref.rowId}-${run.judged + i}`,
      imageId: c.imageId,
      value: values[i] ? "relevant" : "not_relevant",
      source: c.source,
      timeSpentMs: null,
    })),
  );
  const bad = results.find((r) => r.status !== "saved");
  if (bad) throw new Error(`simulated judgment not saved: ${JSON.stringify(bad)}`);
  for (const v of values) {
    run.judged++;
    if (v) run.found++;
    if (run.to95 === null && run.found >= 0.95 * run.relevant.size) run.to95 = run.judged;
  }
  return values;
}

type Outcome = { judgments: number; found: number; ci: [number, number] | null };

async function runStatic(run: Run, modelId: number, cap: number): Promise<Outcome> {
  const surface = () => surfaceCandidates(run.ref.rowId, { modelIds: [modelId], embeddingsOnly: true });
  await surface();
  const sequence: boolean[] = [];
  let stop: Outcome | null = null;
  while (run.judged < cap && (!stop || run.to95 === null)) {
    const page = await nextCandidates(run.ref, run.annotator, { limit: PAGE });
    if (!page.candidates.length) {
      const added = Object.values((await surface()).sources).reduce((a, s) => a + s.added, 0);
      if (!added) break;
      continue;
    }
    for (const v of await judge(run, page.candidates)) {
      sequence.push(v);
      if (!stop && inquireRule(sequence).met)
        stop = { judgments: sequence.length, found: sequence.filter(Boolean).length, ci: null };
    }
  }
  return stop ?? { judgments: run.judged, found: run.found, ci: null };
}

async function runCal(run: Run, modelId: number, cap: number): Promise<Outcome> {
  let stop: Outcome | null = null;
  let round: RoundResult = await runLearningRound(run.ref.rowId, { modelId });
  while (run.judged < cap) {
    if (!stop && round.signals.looksComplete) {
      const e = round.signals.estimate;
      stop = { judgments: run.judged, found: run.found, ci: e && e.trusted ? [e.recallLow, e.recallHigh] : null };
    }
    if (stop && run.to95 !== null) break;
    const page = await nextCandidates(run.ref, run.annotator, { limit: Math.min(round.nextBatch, 200) });
    if (!page.candidates.length) break;
    await judge(run, page.candidates);
    round = await runLearningRound(run.ref.rowId, { modelId });
    if (process.env.FIELDMARK_SIMULATE_TRACE)
      console.error(
        JSON.stringify({
          judged: run.judged,
          found: run.found,
          page: page.candidates.length,
          quiet: round.signals.quiet,
          audit: round.signals.audit,
          ms: round.ms,
        }),
      );
  }
  return stop ?? { judgments: run.judged, found: run.found, ci: null };
}

export async function simulate(opts: SimulateOptions): Promise<SimulationReport> {
  const annotator = `simulator-${opts.randomSeed}`;
  const prefix = `simulate-${opts.randomSeed}-`;
  const cleanUp = async () => {
    await db().query("DELETE FROM queries WHERE collection_id = $1 AND source_id LIKE $2", [
      opts.collectionId,
      `${prefix}%`,
    ]);
    await db().query("DELETE FROM users WHERE id = $1", [annotator]);
  };
  await cleanUp();
  await db().query("INSERT INTO users (id, name, email, role) VALUES ($1, 'Simulated expert', $2, 'expert')", [
    annotator,
    `${annotator}@simulator.invalid`,
  ]);
  const size = await db().query<{ n: string }>("SELECT count(*) AS n FROM images WHERE collection_id = $1", [
    opts.collectionId,
  ]);
  const cap = Number(size.rows[0].n);
  const queries = [...opts.truth.keys()].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const total = queries.length * opts.strategies.length;
  const perQuery: QueryOutcome[] = [];
  try {
    for (const [qi, queryId] of queries.entries()) {
      const relevant = opts.truth.get(queryId)!;
      const ids = [...relevant.keys()].sort();
      const seeds = shuffled(ids, rng(seedOf(opts.randomSeed, queryId))).slice(0, Math.max(1, opts.seedPositives));
      for (const [si, strategy] of opts.strategies.entries()) {
        opts.onProgress?.(qi * opts.strategies.length + si, total, `${queryId} ${strategy}`);
        const row = await db().query<{ id: number }>(
          `INSERT INTO queries (collection_id, source_id, text, status) VALUES ($1, $2, $3, 'labeling') RETURNING id`,
          [opts.collectionId, `${prefix}${strategy}-${queryId}`, `simulated query ${queryId}`],
        );
        const ref: QueryRef = { rowId: row.rows[0].id, collectionId: opts.collectionId };
        await db().query(
          `INSERT INTO query_examples (query_id, image_id, position) SELECT $1, u.id, u.o FROM unnest($2::bigint[]) WITH ORDINALITY AS u(id, o)`,
          [ref.rowId, seeds.map((s) => relevant.get(s)!)],
        );
        const unseeded = new Map([...relevant].filter(([k]) => !seeds.includes(k)));
        const run: Run = { ref, annotator, relevant: unseeded, found: 0, judged: 0, to95: null };
        const outcome =
          strategy === "static" ? await runStatic(run, opts.modelId, cap) : await runCal(run, opts.modelId, cap);
        perQuery.push({
          query_id: queryId,
          strategy,
          judgments: outcome.judgments,
          recall: unseeded.size ? outcome.found / unseeded.size : 1,
          judgments_to_95: run.to95,
          ci_low: outcome.ci ? outcome.ci[0] : null,
          ci_high: outcome.ci ? outcome.ci[1] : null,
        });
        await db().query("DELETE FROM queries WHERE id = $1", [ref.rowId]);
      }
    }
    opts.onProgress?.(total, total, "done");
  } finally {
    await cleanUp();
  }
  return { strategies: summarize(perQuery, opts.strategies), per_query: perQuery };
}

function summarize(rows: QueryOutcome[], strategies: Strategy[]): SimulationReport["strategies"] {
  const out: SimulationReport["strategies"] = {};
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  for (const s of strategies) {
    const mine = rows.filter((r) => r.strategy === s);
    const reached = mine.filter((r) => r.judgments_to_95 !== null);
    const withCi = mine.filter((r) => r.ci_low !== null && r.ci_high !== null);
    out[s] = {
      queries: mine.length,
      judgments: mean(mine.map((r) => r.judgments)) ?? 0,
      recall: mean(mine.map((r) => r.recall)) ?? 0,
      judgments_to_95: mean(reached.map((r) => r.judgments_to_95!)),
      reached_95: reached.length,
      ci_coverage: withCi.length
        ? withCi.filter((r) => r.ci_low! - 1e-12 <= r.recall && r.recall <= r.ci_high! + 1e-12).length / withCi.length
        : null,
    };
  }
  return out;
}

import type pg from "pg";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { boss, QUEUES, sendInTransaction } from "@/lib/jobs/boss";
import type { Metrics } from "./metrics";

// Model runs kept in the database (eval_runs, eval_run_scores, eval_run_metrics): what was run, with the
// model's name, version and checksum kept; its ranking per query; its metrics per query and their mean.
// A run inside the tool is a worker job (lib/jobs/eval.ts, lib/eval/score-run.ts); an imported run is
// scored where it is read (lib/eval/import-run.ts).

export const RUN_KINDS = ["full-rank", "rerank", "two-stage"] as const;
export type RunKind = (typeof RUN_KINDS)[number];
export type RunStatus = "queued" | "running" | "done" | "failed";

export type RunMeans = Partial<Metrics> & { queries?: number; leftOut?: { queryId: string; reason: string }[] };

export type EvalRunRow = {
  id: number;
  collectionId: number;
  name: string;
  kind: RunKind;
  source: "in-tool" | "imported";
  modelId: number | null;
  modelName: string;
  modelVersion: string | null;
  modelChecksum: string | null;
  secondModelId: number | null;
  secondModelName: string | null;
  rerankSetId: number | null;
  k: number;
  status: RunStatus;
  jobId: string | null;
  phase: string | null;
  done: number | null;
  total: number | null;
  error: string | null;
  command: string | null;
  means: RunMeans;
  createdById: string | null;
  createdAt: Date;
  finishedAt: Date | null;
};

const SELECT_RUN = `SELECT id, collection_id AS "collectionId", name, kind, source, model_id AS "modelId",
  model_name AS "modelName", model_version AS "modelVersion", model_checksum AS "modelChecksum",
  second_model_id AS "secondModelId", second_model_name AS "secondModelName", rerank_set_id AS "rerankSetId", k,
  status, job_id AS "jobId", phase, done, total, error, command, means, created_by AS "createdById",
  created_at AS "createdAt", finished_at AS "finishedAt" FROM eval_runs`;

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

export async function listRuns(collectionId: number): Promise<EvalRunRow[]> {
  return (await db().query<EvalRunRow>(`${SELECT_RUN} WHERE collection_id = $1 ORDER BY id DESC`, [collectionId])).rows;
}

/** One run of the collection, or null. */
export async function findRun(
  collectionId: number,
  runId: number,
  client: Queryable = db(),
): Promise<EvalRunRow | null> {
  if (!Number.isSafeInteger(runId)) return null;
  const r = await client.query<EvalRunRow>(`${SELECT_RUN} WHERE collection_id = $1 AND id = $2`, [collectionId, runId]);
  return r.rows[0] ?? null;
}

export async function runById(runId: number): Promise<EvalRunRow | null> {
  return (await db().query<EvalRunRow>(`${SELECT_RUN} WHERE id = $1`, [runId])).rows[0] ?? null;
}

export type PinnedModel = { id: number | null; name: string; version: string | null; checksum: string | null };

/** The model's row with what is kept of it on a run (its version and checksum, when its config says). */
export async function pinModel(name: string): Promise<(PinnedModel & { kind: string }) | null> {
  const r = await db().query<PinnedModel & { kind: string }>(
    `SELECT id, name, kind, coalesce(config->>'version', config->>'revision') AS version,
            coalesce(config->>'checksum', config->>'sha256') AS checksum FROM models WHERE name = $1`,
    [name],
  );
  return r.rows[0] ?? null;
}

export type NewRun = {
  collectionId: number;
  name: string;
  kind: RunKind;
  source: "in-tool" | "imported";
  model: PinnedModel | { name: string };
  secondModel?: PinnedModel | null;
  rerankSetId?: number | null;
  k: number;
  command: string;
  createdBy: string | null;
};

async function insertRun(client: pg.ClientBase, run: NewRun, status: RunStatus): Promise<number> {
  const m = run.model as Partial<PinnedModel> & { name: string };
  const r = await client.query<{ id: number }>(
    `INSERT INTO eval_runs (collection_id, name, kind, source, model_id, model_name, model_version, model_checksum,
       second_model_id, second_model_name, rerank_set_id, k, status, command, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
    [
      run.collectionId,
      run.name,
      run.kind,
      run.source,
      m.id ?? null,
      m.name,
      m.version ?? null,
      m.checksum ?? null,
      run.secondModel?.id ?? null,
      run.secondModel?.name ?? null,
      run.rerankSetId ?? null,
      run.k,
      status,
      run.command,
      run.createdBy,
    ],
  );
  return r.rows[0].id;
}

/**
 * Writes the run's row and queues its scoring job in one transaction, the job's id on the row: the job
 * exists exactly when the row does. Each start is a new run, so there is nothing to find already queued.
 */
export async function startRun(run: NewRun): Promise<{ runId: number; jobId: string }> {
  await boss(); // started before the transaction (see sendInTransaction)
  return inTransaction(async (client) => {
    const runId = await insertRun(client, run, "queued");
    await client.query("SELECT id FROM eval_runs WHERE id = $1 FOR UPDATE", [runId]);
    const jobId = await sendInTransaction(client, QUEUES.eval, { runId }, { retryLimit: 1, retryDelay: 5 });
    if (!jobId) throw new Error("the run could not be queued");
    await client.query("UPDATE eval_runs SET job_id = $2 WHERE id = $1", [runId, jobId]);
    return { runId, jobId };
  });
}

/** A run's row written as done, for a run scored where it was read (an import). */
export async function insertScoredRun(client: pg.ClientBase, run: NewRun): Promise<number> {
  return insertRun(client, run, "running");
}

export type RankedRow = { queryId: number; imageId: number; score: number; rank: number };
export type QueryMetricsRow = Metrics & { queryId: number; relevant: number; retrieved: number };

/** Replaces the run's ranking and metrics and marks it done with its means. */
export async function writeRunResults(
  client: pg.ClientBase,
  runId: number,
  ranked: readonly RankedRow[],
  metrics: readonly QueryMetricsRow[],
  means: RunMeans,
): Promise<void> {
  await client.query("DELETE FROM eval_run_scores WHERE run_id = $1", [runId]);
  await client.query("DELETE FROM eval_run_metrics WHERE run_id = $1", [runId]);
  for (let i = 0; i < ranked.length; i += 10_000) {
    const chunk = ranked.slice(i, i + 10_000);
    await client.query(
      `INSERT INTO eval_run_scores (run_id, query_id, image_id, score, rank)
       SELECT $1, u.q, u.i, u.s, u.r FROM unnest($2::int[], $3::bigint[], $4::float8[], $5::int[]) AS u(q, i, s, r)`,
      [
        runId,
        chunk.map((r) => r.queryId),
        chunk.map((r) => r.imageId),
        chunk.map((r) => r.score),
        chunk.map((r) => r.rank),
      ],
    );
  }
  await client.query(
    `INSERT INTO eval_run_metrics (run_id, query_id, ap, ndcg, mrr, precision, recall, relevant, retrieved)
     SELECT $1, u.q, u.ap, u.ndcg, u.mrr, u.p, u.r, u.rel, u.ret
       FROM unnest($2::int[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::int[], $9::int[])
         AS u(q, ap, ndcg, mrr, p, r, rel, ret)`,
    [
      runId,
      metrics.map((m) => m.queryId),
      metrics.map((m) => m.ap),
      metrics.map((m) => m.ndcg),
      metrics.map((m) => m.mrr),
      metrics.map((m) => m.precision),
      metrics.map((m) => m.recall),
      metrics.map((m) => m.relevant),
      metrics.map((m) => m.retrieved),
    ],
  );
  await client.query(
    `UPDATE eval_runs SET status = 'done', phase = NULL, means = $2, error = NULL, finished_at = now() WHERE id = $1`,
    [runId, JSON.stringify(means)],
  );
}

export async function setRunProgress(runId: number, phase: string, done: number, total: number): Promise<void> {
  await db().query("UPDATE eval_runs SET status = 'running', phase = $2, done = $3, total = $4 WHERE id = $1", [
    runId,
    phase,
    done,
    total,
  ]);
}

export async function failRun(runId: number, error: string): Promise<void> {
  await db().query("UPDATE eval_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1", [
    runId,
    error,
  ]);
}

export type RunQueryMetrics = QueryMetricsRow & {
  sourceId: string;
  text: string;
  category: string | null;
  supercategory: string | null;
};

/** The run's metrics per query with the query's id, text and categories, in query id order. */
export async function runQueryMetrics(runId: number): Promise<RunQueryMetrics[]> {
  const r = await db().query<RunQueryMetrics>(
    `SELECT m.query_id AS "queryId", m.ap, m.ndcg, m.mrr, m.precision, m.recall, m.relevant, m.retrieved,
            q.source_id AS "sourceId", q.text, q.category, q.supercategory
       FROM eval_run_metrics m JOIN queries q ON q.id = m.query_id WHERE m.run_id = $1 ORDER BY q.id`,
    [runId],
  );
  return r.rows;
}

/** A run's row scored in this process (the CLI, which may run with no worker): no job, status running. */
export async function createRunHere(run: NewRun): Promise<number> {
  return inTransaction((client) => insertRun(client, run, "running"));
}

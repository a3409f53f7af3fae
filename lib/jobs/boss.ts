import PgBoss from "pg-boss";
import type pg from "pg";
import type { z } from "zod";

// pg-boss keeps its queue in the same database (its own `pgboss` schema), so jobs work the same on a
// real PostgreSQL and on the embedded PGlite served over the wire protocol.

export const QUEUES = {
  thumbnails: "thumbnails",
  imports: "imports",
  embeddings: "embeddings",
  /** refill one query's candidate queue (lib/judgments/refill.ts asks; the surfacing job answers) */
  candidates: "candidates",
  /** (re)build one model's HNSW index (lib/jobs/indexes.ts) */
  indexes: "indexes",
  /** one round of active learning for one query (lib/jobs/learning.ts) */
  learning: "learning",
  /** build or refresh one rerank set version (lib/jobs/rerank.ts) */
  rerank: "rerank",
  /** score one model run over a collection (lib/jobs/eval.ts) */
  eval: "eval",
  /** download and register a model from the Hugging Face hub (lib/jobs/model-fetch.ts) */
  modelFetch: "model-fetch",
  /** write one export of a collection's benchmark into the data folder (lib/jobs/export.ts) */
  exports: "exports",
} as const;

/**
 * Queues with a policy of their own. "stately": per singleton key, at most one job waiting and one
 * running, so a query's learning rounds run one at a time and a burst of judgments queues one more.
 */
const QUEUE_OPTIONS: Partial<Record<QueueName, Omit<PgBoss.Queue, "name">>> = {
  learning: { policy: "stately" },
};

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

const globalForBoss = globalThis as unknown as { fieldmarkBoss?: Promise<PgBoss>; fieldmarkBossStarted?: PgBoss };

// pg-boss 10 has no heartbeat: a job whose worker died (kill -9, a lost machine) stays "active" until
// its expiry has passed and a maintenance run (every MAINTENANCE_SECONDS, by any process's instance)
// fails it into a retry. Both are kept short, so another worker takes it within a few minutes rather
// than pg-boss's 15 min + 2 min; a live job that runs past its expiry is also failed into a retry, so
// only idempotent chunked jobs (thumbnails, embeddings, candidates) get a short one.
const MAINTENANCE_SECONDS = positiveEnv("FIELDMARK_JOB_MAINTENANCE_SECONDS") ?? 30;

function positiveEnv(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** A job's expiry: `seconds`, or FIELDMARK_JOB_EXPIRE_SECONDS when set (the fault tests use a few seconds). */
export function jobExpireSeconds(seconds: number): number {
  return positiveEnv("FIELDMARK_JOB_EXPIRE_SECONDS") ?? seconds;
}

async function startBoss(): Promise<PgBoss> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set: open the database before using jobs");
  const boss = new PgBoss({
    connectionString,
    max: 4,
    schedule: false,
    maintenanceIntervalSeconds: MAINTENANCE_SECONDS,
  });
  boss.on("error", (e) => console.error("job queue error:", e.message));
  await boss.start();
  for (const name of Object.values(QUEUES)) await boss.createQueue(name, { name, ...QUEUE_OPTIONS[name] });
  return boss;
}

/** The process's pg-boss instance, started on first use. */
export function boss(): Promise<PgBoss> {
  globalForBoss.fieldmarkBoss ??= startBoss().then(
    (b) => (globalForBoss.fieldmarkBossStarted = b),
    (e) => {
      globalForBoss.fieldmarkBoss = undefined;
      throw e;
    },
  );
  return globalForBoss.fieldmarkBoss;
}

export async function stopBoss(opts: { graceful?: boolean; timeout?: number } = {}): Promise<void> {
  const pending = globalForBoss.fieldmarkBoss;
  globalForBoss.fieldmarkBoss = undefined;
  globalForBoss.fieldmarkBossStarted = undefined;
  if (!pending) return;
  const b = await pending.catch(() => undefined);
  await b?.stop({ graceful: opts.graceful ?? true, timeout: opts.timeout ?? 10_000, wait: true });
}

/** pg-boss's `db` option for one connection: its SQL then runs there, inside whatever transaction is open. */
export function onConnection(client: pg.ClientBase): PgBoss.Db {
  return { executeSql: (text, values) => client.query(text, values) };
}

/**
 * Sends a job on `client`, inside the transaction open there (an `inTransaction` block), so the job
 * exists exactly when the caller's rows commit: a rolled-back row takes its job with it. Used wherever
 * a row records a queued job, with the row locked first so two requests at once queue one job.
 *
 * Call `await boss()` before opening the transaction: on the embedded PGlite a transaction holds the
 * whole database, so pg-boss starting on its own connections would wait for it forever.
 */
export async function sendInTransaction(
  client: pg.ClientBase,
  name: QueueName,
  data: object,
  options: PgBoss.SendOptions = {},
): Promise<string | null> {
  const b = globalForBoss.fieldmarkBossStarted;
  if (!b)
    throw new Error("the job queue is not started: await boss() before opening the transaction that sends the job");
  return b.send(name, data, { ...options, db: onConnection(client) });
}

/**
 * A job's data checked against its schema before a handler uses it. A malformed job fails with the
 * fields at fault named (pg-boss records the message as the job's output).
 */
export function parseJobData<S extends z.ZodType>(schema: S, job: PgBoss.Job<unknown>): z.infer<S> {
  const parsed = schema.safeParse(job.data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "data"}: ${i.message}`);
  throw new Error(`${job.name} job ${job.id} has malformed data: ${problems.join("; ")}`);
}

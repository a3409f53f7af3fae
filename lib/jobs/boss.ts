import PgBoss from "pg-boss";

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
} as const;

const globalForBoss = globalThis as unknown as { fieldmarkBoss?: Promise<PgBoss> };

async function startBoss(): Promise<PgBoss> {
  const connectionString = process.env.DATABASE_URL;
  if (!connectionString) throw new Error("DATABASE_URL is not set: open the database before using jobs");
  const boss = new PgBoss({ connectionString, max: 4, schedule: false });
  boss.on("error", (e) => console.error("job queue error:", e.message));
  await boss.start();
  for (const name of Object.values(QUEUES)) await boss.createQueue(name);
  return boss;
}

/** The process's pg-boss instance, started on first use. */
export function boss(): Promise<PgBoss> {
  globalForBoss.fieldmarkBoss ??= startBoss().catch((e) => {
    globalForBoss.fieldmarkBoss = undefined;
    throw e;
  });
  return globalForBoss.fieldmarkBoss;
}

export async function stopBoss(opts: { graceful?: boolean; timeout?: number } = {}): Promise<void> {
  const pending = globalForBoss.fieldmarkBoss;
  globalForBoss.fieldmarkBoss = undefined;
  if (!pending) return;
  const b = await pending.catch(() => undefined);
  await b?.stop({ graceful: opts.graceful ?? true, timeout: opts.timeout ?? 10_000, wait: true });
}

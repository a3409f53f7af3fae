import { z } from "zod";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { buildIndex, type IndexBuildProgress } from "@/lib/vectors/hnsw";
import { getVectorStore } from "@/lib/vectors/storage";
import { boss, onConnection, QUEUES, sendInTransaction } from "./boss";

// HNSW builds asked for in the UI run in the worker: minutes for millions of vectors, far longer than a
// web request should live. The job id is kept on the model's vector store, so every page shows the
// same build; its state comes from pg-boss, its progress from the columns the worker writes.

export const indexJobSchema = z.object({ modelId: z.number().int().positive() });
export type IndexJob = z.infer<typeof indexJobSchema>;

export type IndexBuildStatus = {
  /** the pg-boss job */
  jobId: string;
  state: "queued" | "building" | "done" | "failed";
  /** pgvector's phase while PostgreSQL builds ("sorting by taxonomy", "loading tuples", ...) */
  phase: string | null;
  done: number;
  total: number;
  error: string | null;
};

const STATES: Record<string, IndexBuildStatus["state"]> = {
  created: "queued",
  retry: "queued",
  active: "building",
  completed: "done",
  cancelled: "failed",
  failed: "failed",
};

function stateOf(jobState: string): IndexBuildStatus["state"] {
  return STATES[jobState] ?? "queued";
}

/**
 * Queues a (re)build of the model's index, unless one is already queued or running: then that one's id.
 * The row is locked, the job sent and its id written in one transaction, so two leads asking at the
 * same moment queue one build: the second waits on the lock and then finds the first one's job.
 */
export async function enqueueIndexBuild(modelId: number): Promise<{ jobId: string; alreadyQueued: boolean }> {
  await getVectorStore(modelId); // says plainly when the model has no vectors yet
  const b = await boss(); // started before the transaction (see sendInTransaction)
  return inTransaction(async (client) => {
    const row = (
      await client.query<{ index_build_job: string | null }>(
        "SELECT index_build_job FROM vector_stores WHERE model_id = $1 FOR UPDATE",
        [modelId],
      )
    ).rows[0];
    if (!row) throw new Error(`model ${modelId} has no vector storage yet: embed or import vectors for it first`);
    if (row.index_build_job) {
      // read on the same connection: on PGlite another one would wait for this transaction to end
      const job = await b.getJobById(QUEUES.indexes, row.index_build_job, {
        db: onConnection(client),
        includeArchive: false,
      });
      const state = job && stateOf(job.state);
      if (state === "queued" || state === "building") return { jobId: row.index_build_job, alreadyQueued: true };
    }
    // a build is all or nothing (the old index is dropped first), so a retry simply starts again; a
    // worker killed mid-build hands the job back once it expires
    const jobId = await sendInTransaction(client, QUEUES.indexes, { modelId } satisfies IndexJob, {
      retryLimit: 1,
      retryDelay: 5,
      expireInSeconds: 4 * 60 * 60,
    });
    if (!jobId) throw new Error("the index build could not be queued");
    await client.query(
      `UPDATE vector_stores SET index_build_job = $2, index_build_phase = NULL, index_build_done = NULL, index_build_total = NULL
        WHERE model_id = $1`,
      [modelId, jobId],
    );
    return { jobId, alreadyQueued: false };
  });
}

/** The last build queued for the model, or null when none was. */
export async function indexBuildStatus(modelId: number): Promise<IndexBuildStatus | null> {
  const row = (
    await db().query(
      "SELECT index_build_job, index_build_phase, index_build_done, index_build_total FROM vector_stores WHERE model_id = $1",
      [modelId],
    )
  ).rows[0];
  if (!row?.index_build_job) return null;
  const job = await (await boss()).getJobById(QUEUES.indexes, row.index_build_job);
  if (!job) return null; // pg-boss has archived and deleted it long since
  const state = stateOf(job.state);
  const output = (job.output ?? null) as { message?: string } | null;
  return {
    jobId: row.index_build_job,
    state,
    phase: state === "building" ? row.index_build_phase : null,
    done: Number(row.index_build_done ?? 0),
    total: Number(row.index_build_total ?? 0),
    error: state === "failed" ? (output?.message ?? "the index build failed") : null,
  };
}

/** The worker's side: builds the index, writing its progress where indexBuildStatus reads it. */
export async function runIndexBuild(modelId: number): Promise<{ seconds: number; sizeBytes: number; rows: number }> {
  const writeProgress = (p: IndexBuildProgress) =>
    db()
      .query(
        "UPDATE vector_stores SET index_build_phase = $2, index_build_done = $3, index_build_total = $4 WHERE model_id = $1",
        [modelId, p.phase, p.tuplesDone, p.tuplesTotal],
      )
      .catch(() => {}); // progress is a courtesy: never fail the build over it
  await writeProgress({ phase: "starting", tuplesDone: 0, tuplesTotal: 0 });
  const built = await buildIndex(modelId, { onProgress: (p) => void writeProgress(p) });
  await db().query(
    "UPDATE vector_stores SET index_build_phase = NULL, index_build_done = $2, index_build_total = $2 WHERE model_id = $1",
    [modelId, built.rows],
  );
  return { seconds: built.seconds + built.sortSeconds, sizeBytes: built.sizeBytes, rows: built.rows };
}

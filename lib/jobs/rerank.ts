import { z } from "zod";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { RerankInputError } from "@/lib/rerank/pin";
import { boss, jobExpireSeconds, onConnection, QUEUES, sendInTransaction } from "./boss";
import type pg from "pg";

// Rerank set builds run in the worker: one text embedding and one top-100 search per finished query,
// then the final labels, for up to hundreds of queries. The job id is kept on the set's row, so every
// page shows the same build; its state comes from pg-boss, its progress from the row's build_* columns.
// "build" ranks again and places every finished query; "refresh" keeps the ranked images and decides
// the statuses again from the final labels (after the queue's images were judged).

export const rerankJobSchema = z.object({
  /** rerank_sets.id */
  setId: z.number().int().positive(),
  mode: z.enum(["build", "refresh"]),
});
export type RerankJob = z.infer<typeof rerankJobSchema>;

export type RerankBuildState = "queued" | "building" | "done" | "failed";

const STATES: Record<string, RerankBuildState> = {
  created: "queued",
  retry: "queued",
  active: "building",
  completed: "done",
  cancelled: "failed",
  failed: "failed",
};

// a build is all or nothing (written in one transaction at its end), so a retry simply starts again; a
// worker killed mid-build hands the job back once it expires
const rerankJobOptions = () => ({ retryLimit: 1, retryDelay: 5, expireInSeconds: jobExpireSeconds(30 * 60) });

/** Whether the set's recorded job is still queued or running, read on the caller's connection. */
async function jobBusy(client: pg.ClientBase, jobId: string | null): Promise<boolean> {
  if (!jobId) return false;
  const b = await boss();
  // read on the same connection: on PGlite another one would wait for this transaction to end
  const job = await b.getJobById(QUEUES.rerank, jobId, { db: onConnection(client), includeArchive: false });
  const state = job && (STATES[job.state] ?? "queued");
  return state === "queued" || state === "building";
}

/**
 * Sends the set's job on `client` (inside the caller's transaction, the set's row locked FOR UPDATE)
 * and records it on the row. The caller has awaited boss() before opening the transaction.
 */
export async function sendRerankJob(client: pg.ClientBase, job: RerankJob): Promise<string> {
  const jobId = await sendInTransaction(client, QUEUES.rerank, job satisfies RerankJob, rerankJobOptions());
  if (!jobId) throw new Error("the rerank set build could not be queued");
  await client.query(
    `UPDATE rerank_sets SET build_job = $2, build_phase = 'queued', build_done = NULL, build_total = NULL, build_error = NULL
      WHERE id = $1`,
    [job.setId, jobId],
  );
  return jobId;
}

/**
 * Queues a rebuild or a status refresh of an unfrozen set, unless its job is already queued or
 * running (then that one's id). A frozen set (an export used it) is never changed.
 */
export async function enqueueRerankJob(job: RerankJob): Promise<{ jobId: string; alreadyQueued: boolean }> {
  await boss(); // started before the transaction (see sendInTransaction)
  return inTransaction(async (client) => {
    const row = (
      await client.query<{ version: number; build_job: string | null; frozen_at: Date | null }>(
        "SELECT version, build_job, frozen_at FROM rerank_sets WHERE id = $1 FOR UPDATE",
        [job.setId],
      )
    ).rows[0];
    if (!row) throw new RerankInputError(`no rerank set ${job.setId}`, "version");
    if (row.frozen_at)
      throw new RerankInputError(
        `rerank set version ${row.version} is frozen (exported ${row.frozen_at.toISOString()}): pin the model again to make a new version`,
        "version",
      );
    if (await jobBusy(client, row.build_job)) return { jobId: row.build_job!, alreadyQueued: true };
    return { jobId: await sendRerankJob(client, job), alreadyQueued: false };
  });
}

export type RerankBuildStatus = {
  jobId: string;
  state: RerankBuildState;
  phase: string | null;
  done: number;
  total: number;
  error: string | null;
};

/** The last job queued for the set, or null when none was (or pg-boss has long since deleted it). */
export async function rerankBuildStatus(setId: number): Promise<RerankBuildStatus | null> {
  const row = (
    await db().query<{
      build_job: string | null;
      build_phase: string | null;
      build_done: number | null;
      build_total: number | null;
      build_error: string | null;
    }>("SELECT build_job, build_phase, build_done, build_total, build_error FROM rerank_sets WHERE id = $1", [setId])
  ).rows[0];
  if (!row?.build_job) return null;
  const job = await (await boss()).getJobById(QUEUES.rerank, row.build_job);
  if (!job) return null;
  const state = STATES[job.state] ?? "queued";
  const output = (job.output ?? null) as { message?: string } | null;
  return {
    jobId: row.build_job,
    state,
    phase: state === "building" || state === "queued" ? row.build_phase : null,
    done: row.build_done ?? 0,
    total: row.build_total ?? 0,
    error: state === "failed" ? (row.build_error ?? output?.message ?? "the rerank set build failed") : null,
  };
}

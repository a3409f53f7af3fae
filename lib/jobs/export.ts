import fs from "node:fs";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { exportDir } from "@/lib/export/folder";
import { exportPlan, type ExportOptions } from "@/lib/export/plan";
import { findExport, listExports, type ExportRow } from "@/lib/export/rows";
import { writeExport } from "@/lib/export/write";
import { boss, jobExpireSeconds, onConnection, QUEUES, sendInTransaction } from "./boss";

// Exports asked for on the page run in the worker, writing into <data>/exports/<id>/. The row is the
// export: created with its job in one transaction (the collection locked, so two clicks queue one
// export), then the worker writes its phase and done of total, and at the end its checksums and
// status, or the failure's message. A job that died without saying so (a killed worker past its
// expiry) is read as failed from pg-boss's state.

export const exportJobSchema = z.object({ exportId: z.number().int().positive() });
export type ExportJob = z.infer<typeof exportJobSchema>;

const LIVE_JOB_STATES = new Set(["created", "retry", "active"]);

export type ExportRequest = Omit<ExportOptions, "annotatorNames"> & {
  annotatorNames?: boolean;
  userId?: string | null;
};

/** Queues an export unless one of the collection's is already queued or running: then that one. */
export async function enqueueExport(
  collectionId: number,
  request: ExportRequest = {},
): Promise<{ exportId: number; jobId: string; alreadyQueued: boolean }> {
  // the plan first, outside the transaction: a bad rerank version is refused before anything is written,
  // and on the embedded database another connection's reads would wait for the transaction
  const plan = await exportPlan(collectionId, request);
  const b = await boss();
  return inTransaction(async (client) => {
    await client.query("SELECT id FROM collections WHERE id = $1 FOR UPDATE", [collectionId]);
    const live = (
      await client.query<{ id: number; job_id: string | null }>(
        `SELECT id, job_id FROM exports WHERE collection_id = $1 AND status IN ('queued', 'running')
          ORDER BY id DESC LIMIT 1`,
        [collectionId],
      )
    ).rows[0];
    if (live?.job_id) {
      const job = await b.getJobById(QUEUES.exports, live.job_id, { db: onConnection(client), includeArchive: false });
      if (job && LIVE_JOB_STATES.has(job.state)) return { exportId: live.id, jobId: live.job_id, alreadyQueued: true };
    }
    const exportId = (
      await client.query<{ id: number }>(
        `INSERT INTO exports (collection_id, path, status, include_unfinished, pseudonymous, rerank_set_id, left_out, created_by)
         VALUES ($1, '', 'queued', $2, $3, $4, $5, $6) RETURNING id`,
        [
          collectionId,
          request.includeUnfinished ?? false,
          !request.annotatorNames,
          plan.rerankSet?.id ?? null,
          JSON.stringify(plan.leftOut),
          request.userId ?? null,
        ],
      )
    ).rows[0].id;
    // one attempt: a failed export says why on its row, and the lead starts another
    const jobId = await sendInTransaction(client, QUEUES.exports, { exportId } satisfies ExportJob, {
      retryLimit: 0,
      expireInSeconds: jobExpireSeconds(60 * 60),
    });
    if (!jobId) throw new Error("the export could not be queued");
    await client.query("UPDATE exports SET job_id = $2, path = $3 WHERE id = $1", [
      exportId,
      jobId,
      exportDir(exportId),
    ]);
    return { exportId, jobId, alreadyQueued: false };
  });
}

/** The row, with a job that ended without the worker saying so read as failed. */
export async function exportStatus(collectionId: number, exportId: number): Promise<ExportRow | null> {
  const row = await findExport(collectionId, exportId);
  return row && withJobState(row);
}

/** The collection's exports, newest first, each as exportStatus reads it. */
export async function exportStatuses(collectionId: number): Promise<ExportRow[]> {
  return Promise.all((await listExports(collectionId)).map(withJobState));
}

async function withJobState(row: ExportRow): Promise<ExportRow> {
  if (!row.jobId || row.status === "done" || row.status === "failed") return row;
  const job = await (await boss()).getJobById(QUEUES.exports, row.jobId);
  if (job && LIVE_JOB_STATES.has(job.state)) return row;
  const output = (job?.output ?? null) as { message?: string } | null;
  return { ...row, status: "failed", error: output?.message ?? "the export's job ended without finishing it" };
}

async function progress(exportId: number, phase: string, done: number, total: number): Promise<void> {
  await db()
    .query("UPDATE exports SET phase = $2, done = $3, total = $4 WHERE id = $1", [exportId, phase, done, total])
    .catch(() => {}); // progress is a courtesy: never fail the export over it
}

/** The worker's side: writes the export's files and records the outcome on its row. */
export async function runExport(exportId: number): Promise<{ files: number }> {
  const row = (
    await db().query<{
      collection_id: number;
      status: string;
      include_unfinished: boolean;
      pseudonymous: boolean;
      version: number | null;
    }>(
      `SELECT e.collection_id, e.status, e.include_unfinished, e.pseudonymous, s.version
         FROM exports e LEFT JOIN rerank_sets s ON s.id = e.rerank_set_id WHERE e.id = $1`,
      [exportId],
    )
  ).rows[0];
  if (!row) throw new Error(`export ${exportId} no longer exists`);
  if (row.status === "done") return { files: 0 };
  await db().query(
    "UPDATE exports SET status = 'running', phase = 'starting', done = 0, total = NULL, error = NULL WHERE id = $1",
    [exportId],
  );
  const dir = exportDir(exportId);
  fs.rmSync(dir, { recursive: true, force: true }); // an earlier attempt's leftovers
  try {
    const written = await writeExport(
      row.collection_id,
      dir,
      {
        includeUnfinished: row.include_unfinished,
        rerankSetVersion: row.version ?? undefined,
        annotatorNames: !row.pseudonymous,
      },
      ({ phase, done, total }) => progress(exportId, phase, done, total),
    );
    await db().query(
      `UPDATE exports SET status = 'done', phase = NULL, done = total, checksums = $2, left_out = $3, finished_at = now()
        WHERE id = $1`,
      [exportId, JSON.stringify(written.checksums), JSON.stringify(written.plan.leftOut)],
    );
    return { files: written.files.size };
  } catch (e) {
    const message = (e as Error).message;
    await db()
      .query("UPDATE exports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1", [exportId, message])
      .catch(() => {});
    throw e;
  }
}

import { z } from "zod";
import { db } from "@/lib/db/client";
import { boss, QUEUES } from "./boss";

// Imports started from the UI run in the worker, so a big file never ties up a web request.
// Progress lives in the `imports` table (written by importCollection), the outcome in pg-boss.

export const importJobSchema = z.object({
  source: z.string().min(1, "Give the path of a train.json, a CSV manifest or a folder"),
  collection: z.string().trim().min(1, "Give the collection a name").max(200),
  imagesRoot: z.string().trim().min(1).optional(),
  requestedBy: z.string().optional(),
});
export type ImportJobData = z.infer<typeof importJobSchema>;

export async function enqueueImport(data: ImportJobData): Promise<string> {
  const b = await boss();
  // no retries: a bad file fails the same way twice; an interrupted import resumes when queued again
  const id = await b.send(QUEUES.imports, data, { retryLimit: 0, expireInSeconds: 6 * 60 * 60 });
  if (!id) throw new Error("the import could not be queued");
  return id;
}

export type ImportJobStatus = {
  id: string;
  state: "queued" | "running" | "done" | "failed";
  collection: string;
  source: string;
  error: string | null;
  /** the imports row once the import has started */
  progress: { phase: string | null; records: number; status: string } | null;
  result: unknown;
};

const STATES: Record<string, ImportJobStatus["state"]> = {
  created: "queued",
  retry: "queued",
  active: "running",
  completed: "done",
  cancelled: "failed",
  failed: "failed",
};

export async function importJobStatus(id: string): Promise<ImportJobStatus | null> {
  const b = await boss();
  const job = await b.getJobById(QUEUES.imports, id);
  if (!job) return null;
  const data = job.data as ImportJobData;
  const output = (job.output ?? null) as { message?: string } | null;
  // a resumed import keeps its first start time, so match on "not finished before this job"
  const row = await db().query(
    `SELECT i.phase, i.records_done, i.status FROM imports i JOIN collections c ON c.id = i.collection_id
      WHERE c.name = $1 AND (i.finished_at IS NULL OR i.finished_at >= $2) ORDER BY i.id DESC LIMIT 1`,
    [data.collection, job.createdOn],
  );
  const state = STATES[job.state] ?? "queued";
  return {
    id,
    state,
    collection: data.collection,
    source: data.source,
    error: state === "failed" ? (output?.message ?? "the import failed") : null,
    progress: row.rows[0]
      ? { phase: row.rows[0].phase, records: Number(row.rows[0].records_done), status: row.rows[0].status }
      : null,
    result: state === "done" ? job.output : null,
  };
}

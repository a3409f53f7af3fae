import { z } from "zod";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { HubFetchError } from "@/lib/models/hub/errors";
import { fetchHubModel, parseRepoArg, type FetchProgress } from "@/lib/models/hub/fetch-model";
import { VARIANTS, type Variant } from "@/lib/models/hub/plan";
import { boss, onConnection, QUEUES, sendInTransaction } from "./boss";

// A model fetched from the hub on the models page runs in the worker: hundreds of MB take longer than a
// request should live. Each fetch has a model_fetches row holding its job id and the progress the
// worker writes; its state comes from the row, and from pg-boss when the worker died under it.

export const modelFetchJobSchema = z.object({ fetchId: z.number().int().positive() });
export type ModelFetchJob = z.infer<typeof modelFetchJobSchema>;

export type ModelFetchStatus = {
  fetchId: number;
  jobId: string | null;
  name: string;
  repo: string;
  revision: string | null;
  commit: string | null;
  variant: string;
  state: "queued" | "fetching" | "ready" | "failed";
  phase: string | null;
  file: string | null;
  done: number;
  total: number;
  error: string | null;
  modelId: number | null;
};

export class ModelFetchInputError extends Error {
  constructor(
    message: string,
    readonly field: "repo" | "name" | "variant",
  ) {
    super(message);
  }
}

const ACTIVE = new Set(["created", "retry", "active"]);

const SELECT = `SELECT id AS "fetchId", job_id AS "jobId", name, repo, revision, commit_sha AS commit, variant,
  status AS state, phase, file, coalesce(done_bytes, 0)::float8 AS done, coalesce(total_bytes, 0)::float8 AS total,
  error, model_id AS "modelId" FROM model_fetches`;

/**
 * Queues a fetch, unless one for the same name is queued or running: then that one. The table is locked
 * for the check and the insert (fetches are rare), the job sent in the same transaction, so two clicks
 * queue one job.
 */
export async function enqueueModelFetch(input: {
  repo: string;
  name: string;
  variant: Variant;
  userId?: string | null;
}): Promise<{ fetchId: number; jobId: string; alreadyQueued: boolean }> {
  let parsed;
  try {
    parsed = parseRepoArg(input.repo);
  } catch (e) {
    throw new ModelFetchInputError((e as Error).message, "repo");
  }
  const name = input.name.trim();
  if (!/^[\w.@+-]{1,100}$/.test(name) || /^\.+$/.test(name))
    throw new ModelFetchInputError(`model name "${input.name}" must be 1-100 letters, digits or . _ - @ +`, "name");
  if (!VARIANTS.includes(input.variant))
    throw new ModelFetchInputError(`variant must be one of ${VARIANTS.join(", ")}`, "variant");
  const b = await boss(); // started before the transaction (see sendInTransaction)
  return inTransaction(async (client) => {
    await client.query("LOCK TABLE model_fetches IN SHARE ROW EXCLUSIVE MODE");
    const taken = await client.query("SELECT 1 FROM models WHERE name = $1", [name]);
    if (taken.rows[0]) throw new ModelFetchInputError(`a model named "${name}" is already registered`, "name");
    const open = await client.query<{ id: number; job_id: string }>(
      "SELECT id, job_id FROM model_fetches WHERE name = $1 AND status IN ('queued', 'fetching') ORDER BY id DESC",
      [name],
    );
    for (const row of open.rows) {
      const job = await b.getJobById(QUEUES.modelFetch, row.job_id, {
        db: onConnection(client),
        includeArchive: false,
      });
      if (job && ACTIVE.has(job.state)) return { fetchId: row.id, jobId: row.job_id, alreadyQueued: true };
    }
    const inserted = await client.query<{ id: number }>(
      "INSERT INTO model_fetches (name, repo, revision, variant, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
      [name, parsed.repo, parsed.revision ?? null, input.variant, input.userId ?? null],
    );
    const fetchId = inserted.rows[0].id;
    // a worker killed mid-download hands the job back at expiry; the retry resumes from the .part files
    const jobId = await sendInTransaction(client, QUEUES.modelFetch, { fetchId } satisfies ModelFetchJob, {
      retryLimit: 2,
      retryDelay: 5,
      expireInSeconds: 2 * 60 * 60,
    });
    if (!jobId) throw new Error("the model fetch could not be queued");
    await client.query("UPDATE model_fetches SET job_id = $2 WHERE id = $1", [fetchId, jobId]);
    return { fetchId, jobId, alreadyQueued: false };
  });
}

async function withJobState(row: ModelFetchStatus | undefined): Promise<ModelFetchStatus | null> {
  if (!row) return null;
  if ((row.state === "queued" || row.state === "fetching") && row.jobId) {
    const job = await (await boss()).getJobById(QUEUES.modelFetch, row.jobId);
    if (!job || job.state === "failed" || job.state === "cancelled") {
      const output = (job?.output ?? null) as { message?: string } | null;
      return { ...row, state: "failed", error: output?.message ?? "the fetch job ended without finishing" };
    }
  }
  return row;
}

export async function modelFetchStatusByJob(jobId: string): Promise<ModelFetchStatus | null> {
  return withJobState((await db().query<ModelFetchStatus>(`${SELECT} WHERE job_id = $1`, [jobId])).rows[0]);
}

/** The latest fetches, newest first, for the models page. */
export async function recentModelFetches(limit = 10): Promise<ModelFetchStatus[]> {
  const rows = (await db().query<ModelFetchStatus>(`${SELECT} ORDER BY id DESC LIMIT $1`, [limit])).rows;
  return (await Promise.all(rows.map(withJobState))).filter((r): r is ModelFetchStatus => r !== null);
}

/** The worker's side: fetches and registers, writing progress where the status reads it. */
export async function runModelFetch(fetchId: number): Promise<{ modelId: number | null; state: string }> {
  const row = (
    await db().query(`SELECT name, repo, revision, variant, status FROM model_fetches WHERE id = $1`, [fetchId])
  ).rows[0];
  if (!row) throw new Error(`model fetch ${fetchId} does not exist`);
  if (row.status === "ready" || row.status === "failed") return { modelId: null, state: row.status };
  await db().query("UPDATE model_fetches SET status = 'fetching', phase = 'resolving', error = NULL WHERE id = $1", [
    fetchId,
  ]);
  let last = 0;
  const write = (p: FetchProgress, force = false) => {
    if (!force && Date.now() - last < 250) return;
    last = Date.now();
    void db()
      .query("UPDATE model_fetches SET phase = $2, file = $3, done_bytes = $4, total_bytes = $5 WHERE id = $1", [
        fetchId,
        p.phase,
        p.file ?? null,
        p.done,
        p.total,
      ])
      .catch(() => {}); // progress is a courtesy: never fail the fetch over it
  };
  try {
    const model = await fetchHubModel({
      repo: row.revision ? `${row.repo}@${row.revision}` : row.repo,
      name: row.name,
      variant: row.variant as Variant,
      onProgress: (p) => write(p, p.phase !== "downloading"),
    });
    await db().query(
      `UPDATE model_fetches SET status = 'ready', phase = NULL, file = NULL, commit_sha = $2, model_id = $3,
         done_bytes = total_bytes, finished_at = now() WHERE id = $1`,
      [fetchId, model.revision, model.id],
    );
    return { modelId: model.id, state: "ready" };
  } catch (e) {
    // the hub's answers (not found, gated, damaged, no ONNX) are final; anything else is retried by pg-boss
    // and resumes from the .part files, the row saying so meanwhile
    const final = e instanceof HubFetchError && e.code !== "unreachable" && e.code !== "aborted";
    await db().query(
      `UPDATE model_fetches SET status = $2, error = $3, finished_at = CASE WHEN $2 = 'failed' THEN now() END WHERE id = $1`,
      [fetchId, final ? "failed" : "fetching", (e as Error).message],
    );
    if (final) return { modelId: null, state: "failed" };
    throw e;
  }
}

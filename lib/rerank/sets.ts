import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { boss } from "@/lib/jobs/boss";
import { enqueueRerankJob, rerankBuildStatus, sendRerankJob, type RerankBuildStatus } from "@/lib/jobs/rerank";
import { findModel, noModelMessage } from "@/lib/search/lookup";
import { hasVectors } from "@/lib/vectors/storage";
import { modelChecksum, modelRevision, RerankInputError } from "./pin";
import { listRerankSets, type RerankSetSummary } from "./read";

// Pinning a model for a collection's rerank sets: every pin makes the next version (an older version
// is never edited), records the model's name, file checksum, hub revision and the date, and queues
// its build. A version not yet frozen can be built again with the same model files, or have its
// statuses refreshed from the final labels; a frozen one (an export used it) is never changed.

export const RERANK_DEPTH = 100;

/**
 * The hub revision the model came from: the commit of its last finished fetch from the hub (or the
 * revision asked for), else what its config records; null for a folder registered by hand.
 */
export async function pinnedRevision(modelId: number): Promise<string | null> {
  const fetched = (
    await db().query<{ revision: string | null }>(
      `SELECT coalesce(commit_sha, revision) AS revision FROM model_fetches
        WHERE model_id = $1 AND status = 'ready' ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT 1`,
      [modelId],
    )
  ).rows[0]?.revision;
  if (fetched) return fetched;
  const config = (await db().query<{ config: unknown }>("SELECT config FROM models WHERE id = $1", [modelId])).rows[0]
    ?.config;
  return modelRevision(config);
}

export type PinnedSet = { setId: number; version: number; jobId: string };

export async function pinRerankSet(
  collectionId: number,
  modelName: string,
  pinnedBy: string | null,
  opts: { depth?: number } = {},
): Promise<PinnedSet> {
  const depth = opts.depth ?? RERANK_DEPTH;
  if (!Number.isInteger(depth) || depth < 1 || depth > 1000)
    throw new RerankInputError(`depth is a whole number from 1 to 1000 (got ${depth})`, "depth");
  const model = await findModel(modelName);
  if (!model) throw new RerankInputError(noModelMessage(modelName), "model");
  if (!(await hasVectors(model.id, collectionId)))
    throw new RerankInputError(`model "${model.name}" has no vectors for this collection: embed it first`, "model");
  const revision = await pinnedRevision(model.id);
  const checksum = await modelChecksum(model.folder);
  await boss(); // started before the transaction (see sendInTransaction)
  return inTransaction(async (client) => {
    // the collection's row serialises version numbers: two pins at once make versions N+1 and N+2
    await client.query("SELECT 1 FROM collections WHERE id = $1 FOR UPDATE", [collectionId]);
    const version = (
      await client.query<{ v: number }>(
        "SELECT coalesce(max(version), 0)::int + 1 AS v FROM rerank_sets WHERE collection_id = $1",
        [collectionId],
      )
    ).rows[0].v;
    const setId = (
      await client.query<{ id: number }>(
        `INSERT INTO rerank_sets (collection_id, version, model_id, model_name, model_checksum, model_revision, depth, pinned_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [collectionId, version, model.id, model.name, checksum, revision, depth, pinnedBy],
      )
    ).rows[0].id;
    const jobId = await sendRerankJob(client, { setId, mode: "build" });
    return { setId, version, jobId };
  });
}

/** Builds an unfrozen version again (same model files), or refreshes its statuses from the final labels. */
export async function rebuildRerankSet(
  collectionId: number,
  version: number,
  mode: "build" | "refresh",
): Promise<{ jobId: string; alreadyQueued: boolean }> {
  const row = (
    await db().query<{ id: number }>("SELECT id FROM rerank_sets WHERE collection_id = $1 AND version = $2", [
      collectionId,
      version,
    ])
  ).rows[0];
  if (!row) throw new RerankInputError(`no rerank set version ${version} in this collection`, "version");
  return enqueueRerankJob({ setId: row.id, mode });
}

export type RerankSetWithBuild = RerankSetSummary & { build: RerankBuildStatus | null };

/** The collection's versions, newest first, each with its last job's state (pg-boss's) and progress. */
export async function rerankSetsWithBuilds(collectionId: number): Promise<RerankSetWithBuild[]> {
  const sets = await listRerankSets(collectionId);
  return Promise.all(sets.map(async (s) => ({ ...s, build: await rerankBuildStatus(s.id) })));
}

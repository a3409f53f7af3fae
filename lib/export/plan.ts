import { db } from "@/lib/db/client";
import type { Split } from "@/lib/queries/fields";
import { QUERY_ORDER } from "@/lib/queries/queries";

// What an export will publish, worked out before anything is written: the queries per split, those
// left out and why, and the rerank set. The page shows it, the CLI prints the left-out list, and the
// writer follows it, so what the lead saw is what the files hold.

export type ExportOptions = {
  /** export queries that are not finished too (their labels may be incomplete) */
  includeUnfinished?: boolean;
  /** the rerank set version; by default the collection's newest built one */
  rerankSetVersion?: number;
  /** real annotator names in judgments.jsonl instead of annotator-N */
  annotatorNames?: boolean;
};

export type PlannedQuery = { id: number; sourceId: string; text: string; status: string; split: Split };
export type LeftOutQuery = { query_id: string; text: string; status: string; reason: string };
export type PlannedRerankSet = {
  id: number;
  version: number;
  modelName: string;
  modelChecksum: string;
  modelRevision: string | null;
  depth: number;
  pinnedAt: Date;
  builtAt: Date | null;
  frozenAt: Date | null;
};

export type ExportPlan = {
  collection: { id: number; name: string; description: string | null };
  queries: PlannedQuery[];
  perSplit: Record<Split, number>;
  leftOut: LeftOutQuery[];
  rerankSet: PlannedRerankSet | null;
  /** judgments and adjudications of the published queries */
  judgments: number;
  adjudications: number;
};

export class ExportPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportPlanError";
  }
}

const FINISHED = new Set(["finished", "frozen"]);

/** The queries a finished-only export publishes, and the reason each other one stays out. */
export function leftOutReason(q: { status: string; split: Split | null }, includeUnfinished: boolean): string | null {
  if (!q.split) return "no split (val or test) assigned yet";
  if (!includeUnfinished && !FINISHED.has(q.status)) return `not finished (status ${q.status})`;
  return null;
}

export async function exportPlan(collectionId: number, opts: ExportOptions = {}): Promise<ExportPlan> {
  const collection = (
    await db().query<ExportPlan["collection"]>("SELECT id, name, description FROM collections WHERE id = $1", [
      collectionId,
    ])
  ).rows[0];
  if (!collection) throw new ExportPlanError(`collection ${collectionId} does not exist`);
  const { rows } = await db().query<{
    id: number;
    sourceId: string;
    text: string;
    status: string;
    split: Split | null;
  }>(
    `SELECT q.id, q.source_id AS "sourceId", q.text, q.status::text AS status, q.split::text AS split
       FROM queries q WHERE q.collection_id = $1 ORDER BY ${QUERY_ORDER}`,
    [collectionId],
  );
  const queries: PlannedQuery[] = [];
  const leftOut: LeftOutQuery[] = [];
  for (const q of rows) {
    const reason = leftOutReason(q, opts.includeUnfinished ?? false);
    if (reason) leftOut.push({ query_id: q.sourceId, text: q.text, status: q.status, reason });
    else queries.push({ ...q, split: q.split! });
  }
  const perSplit = { val: 0, test: 0 };
  for (const q of queries) perSplit[q.split]++;
  const ids = queries.map((q) => q.id);
  const counts = (
    await db().query<{ judgments: number; adjudications: number }>(
      `SELECT (SELECT count(*) FROM judgments WHERE query_id = ANY($1::int[]))::int AS judgments,
              (SELECT count(*) FROM adjudications WHERE query_id = ANY($1::int[]))::int AS adjudications`,
      [ids],
    )
  ).rows[0];
  return {
    collection,
    queries,
    perSplit,
    leftOut,
    rerankSet: await findRerankSet(collectionId, opts.rerankSetVersion),
    ...counts,
  };
}

async function findRerankSet(collectionId: number, version?: number): Promise<PlannedRerankSet | null> {
  const { rows } = await db().query<PlannedRerankSet>(
    `SELECT id, version, model_name AS "modelName", model_checksum AS "modelChecksum", model_revision AS "modelRevision",
            depth, pinned_at AS "pinnedAt", built_at AS "builtAt", frozen_at AS "frozenAt"
       FROM rerank_sets
      WHERE collection_id = $1 AND ($2::int IS NULL AND built_at IS NOT NULL OR version = $2)
      ORDER BY version DESC LIMIT 1`,
    [collectionId, version ?? null],
  );
  const set = rows[0] ?? null;
  if (version !== undefined && !set) throw new ExportPlanError(`the collection has no rerank set version ${version}`);
  if (set && !set.builtAt) throw new ExportPlanError(`rerank set version ${set.version} is not built yet`);
  return set;
}

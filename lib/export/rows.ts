import { db } from "@/lib/db/client";
import type { LeftOutQuery } from "./plan";

// The exports table as the page and the API show it: an export's row follows its job (queued, running
// with phase and done of total, done with its checksums, failed with the message).

export type ExportRow = {
  id: number;
  collectionId: number;
  status: "queued" | "running" | "done" | "failed";
  jobId: string | null;
  phase: string | null;
  done: number | null;
  total: number | null;
  error: string | null;
  includeUnfinished: boolean;
  pseudonymous: boolean;
  rerankSetId: number | null;
  rerankSetVersion: number | null;
  leftOut: LeftOutQuery[];
  checksums: Record<string, string>;
  createdBy: string | null;
  createdAt: Date;
  finishedAt: Date | null;
};

const SELECT = `
  SELECT e.id, e.collection_id AS "collectionId", e.status, e.job_id AS "jobId", e.phase, e.done, e.total, e.error,
         e.include_unfinished AS "includeUnfinished", e.pseudonymous, e.rerank_set_id AS "rerankSetId",
         s.version AS "rerankSetVersion", e.left_out AS "leftOut", e.checksums, u.name AS "createdBy",
         e.created_at AS "createdAt", e.finished_at AS "finishedAt"
    FROM exports e LEFT JOIN rerank_sets s ON s.id = e.rerank_set_id LEFT JOIN users u ON u.id = e.created_by`;

export async function listExports(collectionId: number): Promise<ExportRow[]> {
  const { rows } = await db().query<ExportRow>(`${SELECT} WHERE e.collection_id = $1 ORDER BY e.id DESC`, [
    collectionId,
  ]);
  return rows;
}

/** One export of the collection, or null (an id of another collection's export is not found). */
export async function findExport(collectionId: number, exportId: number): Promise<ExportRow | null> {
  const { rows } = await db().query<ExportRow>(`${SELECT} WHERE e.collection_id = $1 AND e.id = $2`, [
    collectionId,
    exportId,
  ]);
  return rows[0] ?? null;
}

/** The JSON the API answers for an export (snake_case, as the other routes). */
export function exportJson(e: ExportRow) {
  return {
    id: e.id,
    status: e.status,
    phase: e.phase,
    done: e.done,
    total: e.total,
    error: e.error,
    include_unfinished: e.includeUnfinished,
    pseudonymous: e.pseudonymous,
    rerank_set: e.rerankSetVersion,
    left_out: e.leftOut,
    files: Object.keys(e.checksums).length ? [...Object.keys(e.checksums), "SHA256SUMS"].sort() : [],
    created_by: e.createdBy,
    created_at: e.createdAt,
    finished_at: e.finishedAt,
  };
}

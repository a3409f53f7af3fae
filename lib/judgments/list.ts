import { db } from "@/lib/db/client";
import type { JudgmentRow } from "@/lib/db/rows";
import type { QueryRef } from "@/lib/queries/queries";
import type { JudgmentValue } from "./values";

// Reading judgments back: one annotator's, or everyone's (for leads), and the full trail of writes.

export type JudgmentRecord = Pick<JudgmentRow, "annotatorId" | "source" | "timeSpentMs" | "createdAt" | "updatedAt"> & {
  imageId: string; // images.source_id
  annotator: string;
  value: JudgmentValue;
  /** earlier values of this judgment, oldest first */
  history: { value: JudgmentValue; at: string; clientId: string | null }[];
};

export async function listJudgments(
  query: QueryRef,
  opts: { annotatorId?: string | null; value?: JudgmentValue; limit?: number; offset?: number } = {},
): Promise<JudgmentRecord[]> {
  const { rows } = await db().query<JudgmentRecord>(
    `SELECT i.source_id AS "imageId", j.annotator_id AS "annotatorId", u.name AS annotator, j.value, j.source,
            j.time_spent_ms AS "timeSpentMs", j.history, j.created_at AS "createdAt", j.updated_at AS "updatedAt"
       FROM judgments j JOIN images i ON i.id = j.image_id JOIN users u ON u.id = j.annotator_id
      WHERE j.query_id = $1 AND ($2::text IS NULL OR j.annotator_id = $2) AND ($5::"JudgmentValue" IS NULL OR j.value = $5)
      ORDER BY j.updated_at DESC, j.id DESC LIMIT $3 OFFSET $4`,
    [query.rowId, opts.annotatorId ?? null, opts.limit ?? 1000, opts.offset ?? 0, opts.value ?? null],
  );
  return rows;
}

export type JudgmentEventRecord = {
  clientId: string;
  imageId: string;
  annotatorId: string;
  value: JudgmentValue | null;
  source: string | null;
  timeSpentMs: number | null;
  at: Date;
};

/** Every write to the query's judgments in the order they were saved (value null: withdrawn by undo). */
export async function listJudgmentEvents(
  query: QueryRef,
  opts: { annotatorId?: string | null } = {},
): Promise<JudgmentEventRecord[]> {
  const { rows } = await db().query<JudgmentEventRecord>(
    `SELECT e.client_id AS "clientId", i.source_id AS "imageId", e.annotator_id AS "annotatorId", e.value, e.source,
            e.time_spent_ms AS "timeSpentMs", e.created_at AS at
       FROM judgment_events e JOIN images i ON i.id = e.image_id
      WHERE e.query_id = $1 AND ($2::text IS NULL OR e.annotator_id = $2)
      ORDER BY e.seq`,
    [query.rowId, opts.annotatorId ?? null],
  );
  return rows;
}

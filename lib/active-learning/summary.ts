import { db } from "@/lib/db/client";
import type { QuerySignals } from "./stopping";

// What the workspace, the query list and the API show of a query's learning: its last round's
// stopping signals and recall estimate, and whether it looks complete.

export type LearningSummary = {
  rounds: number;
  model: string | null;
  trainedAt: Date | null;
  roundMs: number | null;
  /** why the last round trained nothing, e.g. "no relevant image judged yet" */
  note: string | null;
  looksComplete: boolean;
  finishedBy: string | null;
  finishedAt: Date | null;
  signals: QuerySignals | null;
};

export async function learningSummary(queryRowId: number): Promise<LearningSummary | null> {
  const { rows } = await db().query<LearningSummary>(
    `SELECT l.rounds, m.name AS model, l.trained_at AS "trainedAt", l.round_ms AS "roundMs", l.error AS note,
            l.looks_complete AS "looksComplete", u.name AS "finishedBy", l.finished_at AS "finishedAt", l.signals
       FROM query_learning l LEFT JOIN models m ON m.id = l.model_id LEFT JOIN users u ON u.id = l.finished_by
      WHERE l.query_id = $1`,
    [queryRowId],
  );
  return rows[0] ?? null;
}

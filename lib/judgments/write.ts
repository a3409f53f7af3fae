import { db } from "@/lib/db/client";
import type { QueryRef } from "@/lib/queries/queries";
import type { JudgmentWrite, WriteResult } from "./values";

// Judgment writes, each applied once however often it arrives. A write is first recorded in
// judgment_events under (annotator, clientId); only a write that was not there before goes on to
// change the judgment. One statement per write, so a write is atomic without a transaction and the
// hot path is one round trip. A draft query moves to labeling with its first judgment.

const SET_JUDGMENT = `
  WITH img AS (SELECT id FROM images WHERE collection_id = $1 AND source_id = $2),
  ev AS (
    INSERT INTO judgment_events (annotator_id, client_id, query_id, image_id, value, source, time_spent_ms)
    SELECT $3, $4, $5, img.id, $6, $7, $8 FROM img
    ON CONFLICT (annotator_id, client_id) DO NOTHING
    RETURNING image_id
  ),
  saved AS (
    INSERT INTO judgments AS j (query_id, image_id, annotator_id, value, source, time_spent_ms, client_id)
    SELECT $5, ev.image_id, $3, $6, $7, $8, $4 FROM ev
    ON CONFLICT (query_id, image_id, annotator_id) DO UPDATE SET
      value = EXCLUDED.value,
      source = coalesce(j.source, EXCLUDED.source),
      time_spent_ms = coalesce(j.time_spent_ms, 0) + coalesce(EXCLUDED.time_spent_ms, 0),
      history = j.history || jsonb_build_array(jsonb_build_object('value', j.value, 'at', j.updated_at, 'clientId', j.client_id)),
      client_id = EXCLUDED.client_id,
      updated_at = now()
    WHERE j.value IS DISTINCT FROM EXCLUDED.value
    RETURNING 1
  ),
  -- a query's first judgment starts its labeling (a primary-key probe on every later write)
  started AS (UPDATE queries SET status = 'labeling', updated_at = now() WHERE id = $5 AND status = 'draft' AND EXISTS (SELECT 1 FROM saved))
  SELECT (SELECT count(*) FROM img)::int AS found, (SELECT count(*) FROM ev)::int AS applied`;

// Withdrawing (undo of a first judgment): the row goes; judgment_events keeps the trail.
const WITHDRAW_JUDGMENT = `
  WITH img AS (SELECT id FROM images WHERE collection_id = $1 AND source_id = $2),
  ev AS (
    INSERT INTO judgment_events (annotator_id, client_id, query_id, image_id, value, source, time_spent_ms)
    SELECT $3, $4, $5, img.id, NULL, $6, $7 FROM img
    ON CONFLICT (annotator_id, client_id) DO NOTHING
    RETURNING image_id
  ),
  gone AS (
    DELETE FROM judgments j USING ev WHERE j.query_id = $5 AND j.image_id = ev.image_id AND j.annotator_id = $3 RETURNING 1
  )
  SELECT (SELECT count(*) FROM img)::int AS found, (SELECT count(*) FROM ev)::int AS applied`;

/** Whether an earlier write under this clientId was the same write; a reused id for another write is refused. */
async function sameAsRecorded(query: QueryRef, annotatorId: string, w: JudgmentWrite): Promise<boolean> {
  const { rows } = await db().query<{ same: boolean }>(
    `SELECT (e.query_id = $3 AND i.source_id = $4 AND e.value IS NOT DISTINCT FROM $5::"JudgmentValue") AS same
       FROM judgment_events e JOIN images i ON i.id = e.image_id WHERE e.annotator_id = $1 AND e.client_id = $2`,
    [annotatorId, w.clientId, query.rowId, w.imageId, w.value],
  );
  return rows[0]?.same === true;
}

export async function applyJudgmentWrite(query: QueryRef, annotatorId: string, w: JudgmentWrite): Promise<WriteResult> {
  const { rows } =
    w.value === null
      ? await db().query(WITHDRAW_JUDGMENT, [
          query.collectionId,
          w.imageId,
          annotatorId,
          w.clientId,
          query.rowId,
          w.source,
          w.timeSpentMs,
        ])
      : await db().query(SET_JUDGMENT, [
          query.collectionId,
          w.imageId,
          annotatorId,
          w.clientId,
          query.rowId,
          w.value,
          w.source,
          w.timeSpentMs,
        ]);
  const { found, applied } = rows[0] as { found: number; applied: number };
  if (!found) return { clientId: w.clientId, status: "rejected", error: `No image ${w.imageId} in this collection` };
  if (applied) return { clientId: w.clientId, status: "saved" };
  if (await sameAsRecorded(query, annotatorId, w)) return { clientId: w.clientId, status: "duplicate" };
  return {
    clientId: w.clientId,
    status: "rejected",
    error: `clientId ${w.clientId} was already used for a different judgment`,
  };
}

/**
 * Applies writes in the order given (a judgment and its undo arrive in one batch after an outage).
 * Each is independent: a rejected one does not stop the rest, and the answer says which is which.
 */
export async function applyJudgmentWrites(
  query: QueryRef,
  annotatorId: string,
  writes: JudgmentWrite[],
): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (const w of writes) results.push(await applyJudgmentWrite(query, annotatorId, w));
  return results;
}

import { can, PermissionError } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/roles";
import { inTransaction } from "@/lib/db/transaction";
import type { QueryStatus } from "./fields";
import { addRevision, findQuery, QueryInputError, snapshotOf, type QueryRecord, type QueryRef } from "./queries";

// A query's life: draft until its first judgment, labeling while experts judge, finished when a lead
// confirms what the stopping signals say (lib/active-learning/stopping: "looks complete"), frozen once
// an export has published it. Rerank sets, splits and exports take finished queries. A lead may finish
// a query that does not look complete only by saying so (`override`), and may reopen a finished one:
// it goes back to labeling with every judgment and round it had. Each change is a revision.

type Actor = Pick<CurrentUser, "id" | "role">;

async function changeStatus(
  ref: QueryRef,
  actor: Actor,
  decide: (current: QueryRecord, looksComplete: boolean) => QueryStatus,
): Promise<QueryRecord> {
  if (!can(actor, "queries.finish")) throw new PermissionError("queries.finish");
  return inTransaction(async (client) => {
    const locked = await client.query<{ source_id: string; looks_complete: boolean | null }>(
      `SELECT q.source_id, l.looks_complete FROM queries q LEFT JOIN query_learning l ON l.query_id = q.id
        WHERE q.id = $1 FOR UPDATE OF q`,
      [ref.rowId],
    );
    if (!locked.rows[0]) throw new QueryInputError("No such query", "id");
    const current = (await findQuery(ref.collectionId, locked.rows[0].source_id, client))!;
    const next = decide(current, locked.rows[0].looks_complete === true);
    if (next === current.status) return current;
    await client.query("UPDATE queries SET status = $2, updated_at = now() WHERE id = $1", [ref.rowId, next]);
    if (next === "finished")
      await client.query("UPDATE query_learning SET finished_by = $2, finished_at = now() WHERE query_id = $1", [
        ref.rowId,
        actor.id,
      ]);
    else
      await client.query("UPDATE query_learning SET finished_by = NULL, finished_at = NULL WHERE query_id = $1", [
        ref.rowId,
      ]);
    await addRevision(client, ref.rowId, actor.id, snapshotOf(current, next));
    return (await findQuery(ref.collectionId, current.id, client))!;
  });
}

/** A lead confirms the query is done. Refused unless it looks complete, or `override` says the lead decides. */
export function finishQuery(ref: QueryRef, actor: Actor, opts: { override?: boolean } = {}): Promise<QueryRecord> {
  return changeStatus(ref, actor, (current, looksComplete) => {
    if (current.status === "finished") return "finished";
    if (current.status === "frozen") throw new QueryInputError("This query is frozen by an export", "status");
    if (!looksComplete && !opts.override)
      throw new QueryInputError(
        "This query does not look complete yet: finish it anyway only if you are sure nothing relevant is left",
        "status",
      );
    return "finished";
  });
}

/** A lead sends a finished query back to labeling; its judgments and history stay. */
export function reopenQuery(ref: QueryRef, actor: Actor): Promise<QueryRecord> {
  return changeStatus(ref, actor, (current) => {
    if (current.status === "frozen") throw new QueryInputError("This query is frozen by an export", "status");
    return current.status === "finished" ? "labeling" : current.status;
  });
}

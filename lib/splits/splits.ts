import type pg from "pg";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import type { QueryStatus, Split } from "@/lib/queries/fields";
import {
  applyQueryChange,
  checkSplitChange,
  findQuery,
  lockCollectionQueries,
  QUERY_ORDER,
  updateQuery,
  type QueryRecord,
} from "@/lib/queries/queries";
import { assignSplits, DEFAULT_VAL_SHARE } from "./assign";

// A collection's val/test splits in the database: the lead's seeded, supercategory-stratified draw
// (./assign) over the queries that have no split yet (those that have one, imported from INQUIRE or
// moved by a lead, keep it and count toward their stratum), a move of one query, and the freeze an
// export applies. Every change is a query revision through lib/queries, whose checkSplitChange
// refuses a lead-less editor and a frozen split, whatever the caller.

/** The seed a draw uses unless the lead gives another: fixed, so drawing again gives the same split. */
export const DEFAULT_SPLIT_SEED = 2024;

export type SplitQuery = {
  queryRowId: number;
  queryId: string;
  text: string;
  supercategory: string | null;
  status: QueryStatus;
  split: Split | null;
  splitFrozenAt: Date | null;
};

export type SplitCounts = { supercategory: string | null; val: number; test: number; none: number }[];

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/** The collection's queries with their splits, in query order. */
export async function listSplitQueries(collectionId: number, client: Queryable = db()): Promise<SplitQuery[]> {
  const { rows } = await client.query<SplitQuery>(
    `SELECT q.id AS "queryRowId", q.source_id AS "queryId", q.text, q.supercategory, q.status, q.split,
            q.split_frozen_at AS "splitFrozenAt"
       FROM queries q WHERE q.collection_id = $1 ORDER BY ${QUERY_ORDER}`,
    [collectionId],
  );
  return rows;
}

/** How many queries each supercategory has in val, in test and in neither, supercategories by name (none last). */
export function splitCounts(queries: readonly Pick<SplitQuery, "supercategory" | "split">[]): SplitCounts {
  const by = new Map<string | null, { val: number; test: number; none: number }>();
  for (const q of queries) {
    const c = by.get(q.supercategory) ?? { val: 0, test: 0, none: 0 };
    c[q.split ?? "none"]++;
    by.set(q.supercategory, c);
  }
  return [...by]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([supercategory, c]) => ({ supercategory, ...c }));
}

export type DrawResult = { assigned: number; kept: number; val: number; test: number; seed: number; valShare: number };

/**
 * Draws a split for every query of the collection that has none, stratified by supercategory, in one
 * transaction (all or nothing). A frozen query is never drawn, whatever its split.
 */
export async function drawSplits(
  collectionId: number,
  editorId: string | null,
  opts: { valShare?: number; seed?: number } = {},
): Promise<DrawResult> {
  const valShare = opts.valShare ?? DEFAULT_VAL_SHARE;
  const seed = opts.seed ?? DEFAULT_SPLIT_SEED;
  return inTransaction(async (client) => {
    await lockCollectionQueries(client, collectionId);
    const queries = (await listSplitQueries(collectionId, client)).filter((q) => q.split || !q.splitFrozenAt);
    const drawn = assignSplits(
      queries.map((q) => ({ queryId: q.queryId, supercategory: q.supercategory, split: q.split })),
      { valShare, seed },
    );
    let assigned = 0;
    for (const q of queries) {
      const split = drawn.get(q.queryId)!;
      if (q.split === split) continue;
      const current = (await findQuery(collectionId, q.queryId, client)) as QueryRecord;
      await checkSplitChange(client, editorId, current.split, split, current.rowId);
      const {
        rowId: _r,
        id: _i,
        collectionId: _c,
        status: _s,
        createdBy: _b,
        createdAt: _a,
        updatedAt: _u,
        revision: _v,
        ...fields
      } = current;
      await applyQueryChange(client, current, { ...fields, split }, editorId);
      assigned++;
    }
    const values = [...drawn.values()];
    return {
      assigned,
      kept: queries.length - assigned,
      val: values.filter((s) => s === "val").length,
      test: values.filter((s) => s === "test").length,
      seed,
      valShare,
    };
  });
}

/** Moves one query to the other split (a revision); refused once its split is frozen, or for an expert. */
export async function moveSplit(
  collectionId: number,
  queryId: string,
  to: Split,
  editorId: string | null,
): Promise<QueryRecord> {
  return updateQuery(collectionId, queryId, { split: to }, editorId);
}

/**
 * The export's freeze: the queries' splits change no more. Only queries with a split are frozen (and
 * those frozen before keep their date); the others are answered back, for the export to say why.
 */
export async function freezeSplits(
  client: Queryable,
  queryIds: readonly number[],
): Promise<{ frozen: number; withoutSplit: number[] }> {
  if (!queryIds.length) return { frozen: 0, withoutSplit: [] };
  const frozen = await client.query(
    "UPDATE queries SET split_frozen_at = now() WHERE id = ANY($1::int[]) AND split IS NOT NULL AND split_frozen_at IS NULL",
    [queryIds],
  );
  const without = await client.query<{ id: number }>(
    "SELECT id FROM queries WHERE id = ANY($1::int[]) AND split IS NULL ORDER BY id",
    [queryIds],
  );
  return { frozen: frozen.rowCount ?? 0, withoutSplit: without.rows.map((r) => r.id) };
}

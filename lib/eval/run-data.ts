import { db } from "@/lib/db/client";
import { relevantByQuery } from "@/lib/agreement/labels";
import type { RerankItem } from "./inputs";
import { rerankSetItems } from "./rerank-rows";
import type { RunQuery } from "./score-ranking";

// What a run is scored against: the collection's finished queries and their relevant images by final
// label (lib/agreement/labels.ts decides), or a rerank set's included queries and items.

/** The collection's finished (or frozen) queries, in row id order. */
export async function finishedQueries(collectionId: number): Promise<RunQuery[]> {
  const r = await db().query<RunQuery>(
    `SELECT id AS "rowId", source_id AS "queryId", text, supercategory, category, iconic_group AS "iconicGroup"
       FROM queries WHERE collection_id = $1 AND status IN ('finished', 'frozen') ORDER BY id`,
    [collectionId],
  );
  return r.rows;
}

/** Each query's relevant images by final label: row ids and the ids users see. */
export async function relevantImages(
  queryRowIds: readonly number[],
): Promise<{ rowIds: Map<number, number[]>; sourceIds: Map<number, Set<string>> }> {
  const rowIds = await relevantByQuery(queryRowIds);
  const all = [...new Set([...rowIds.values()].flat())];
  const names = await sourceIdsOf(all);
  const sourceIds = new Map([...rowIds].map(([q, ids]) => [q, new Set(ids.map((id) => names.get(id)!))]));
  return { rowIds, sourceIds };
}

export async function sourceIdsOf(imageRowIds: readonly number[]): Promise<Map<number, string>> {
  if (!imageRowIds.length) return new Map();
  const r = await db().query<{ id: string; source_id: string }>(
    "SELECT id, source_id FROM images WHERE id = ANY($1::bigint[])",
    [imageRowIds],
  );
  return new Map(r.rows.map((row) => [Number(row.id), row.source_id]));
}

/** A rerank set's included queries (as run queries) and their items with relevance. */
export async function rerankSetData(
  collectionId: number,
  setId: number,
): Promise<{ queries: RunQuery[]; sets: Map<number, RerankItem[]>; rowIds: Map<number, Map<string, number>> }> {
  const items = await rerankSetItems(setId);
  const queries = (await finishedQueriesById(collectionId, [...items.keys()])).filter((q) => items.has(q.rowId));
  const sets = new Map<number, RerankItem[]>();
  const rowIds = new Map<number, Map<string, number>>();
  for (const [q, list] of items) {
    sets.set(
      q,
      list.map((i) => ({ imageId: i.imageId, relevant: i.relevant })),
    );
    rowIds.set(q, new Map(list.map((i) => [i.imageId, i.imageRowId])));
  }
  return { queries, sets, rowIds };
}

async function finishedQueriesById(collectionId: number, ids: number[]): Promise<RunQuery[]> {
  const r = await db().query<RunQuery>(
    `SELECT id AS "rowId", source_id AS "queryId", text, supercategory, category, iconic_group AS "iconicGroup"
       FROM queries WHERE collection_id = $1 AND id = ANY($2::int[]) ORDER BY id`,
    [collectionId, ids],
  );
  return r.rows;
}

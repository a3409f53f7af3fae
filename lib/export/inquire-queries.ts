import { db } from "@/lib/db/client";
import type { Split } from "@/lib/queries/fields";
import { QUERY_ORDER } from "@/lib/queries/queries";
import { INQUIRE_COLUMNS } from "@/lib/queries/inquire-file";
import { csvRow } from "./csv";

// INQUIRE's query files, inquire_queries_val.csv and inquire_queries_test.csv: pandas' unnamed index
// column, then query_id,query_text,supercategory,category,iconic_group. Queries imported from such a
// file keep their index and their row order, so importing INQUIRE's files and exporting them gives the
// same bytes; queries written in the tool follow, numbered on from the largest index.

export type InquireQueryLine = {
  index: string | null;
  queryId: string;
  text: string;
  supercategory: string | null;
  category: string | null;
  iconicGroup: string | null;
};

export function inquireQueriesCsv(rows: readonly InquireQueryLine[]): string {
  let next = Math.max(-1, ...rows.map((r) => (r.index !== null && /^\d+$/.test(r.index) ? Number(r.index) : -1))) + 1;
  const lines = [csvRow(["", ...INQUIRE_COLUMNS])];
  for (const r of rows)
    lines.push(csvRow([r.index ?? String(next++), r.queryId, r.text, r.supercategory, r.category, r.iconicGroup]));
  return lines.join("");
}

/** The queries of one split in file order (imported ones as they stood, the rest by id); `queryIds` narrows them. */
export async function splitQueries(
  collectionId: number,
  split: Split,
  queryIds?: readonly string[],
): Promise<InquireQueryLine[]> {
  const { rows } = await db().query<InquireQueryLine>(
    `SELECT q.source_index AS index, q.source_id AS "queryId", q.text, q.supercategory, q.category,
            q.iconic_group AS "iconicGroup"
       FROM queries q
      WHERE q.collection_id = $1 AND q.split = $2 AND ($3::text[] IS NULL OR q.source_id = ANY($3::text[]))
      ORDER BY q.source_position IS NULL, q.source_position, ${QUERY_ORDER}`,
    [collectionId, split, queryIds ?? null],
  );
  return rows;
}

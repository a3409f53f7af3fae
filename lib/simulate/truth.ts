import { db } from "@/lib/db/client";
import { readCsvTable } from "@/lib/eval/csv-table";

// The simulator's truth: query_id,image_id rows, one per relevant pair, image_id being the collection's
// own image id (images.source_id). Read whole and checked against the collection before anything runs;
// an unknown image or a duplicate row is an error naming its line.

/** query id -> its relevant images, image id (source id) -> row id */
export type Truth = Map<string, Map<string, number>>;

export async function readTruth(file: string, collectionId: number): Promise<Truth> {
  const table = readCsvTable(file, ["query_id", "image_id"]);
  const qi = table.column("query_id");
  const ii = table.column("image_id");
  const wanted = [...new Set(table.records.map((r) => r[ii]))];
  const { rows } = await db().query<{ id: string; source_id: string }>(
    "SELECT id, source_id FROM images WHERE collection_id = $1 AND source_id = ANY($2::text[])",
    [collectionId, wanted],
  );
  const rowId = new Map(rows.map((r) => [r.source_id, Number(r.id)]));
  const truth: Truth = new Map();
  table.records.forEach((r, i) => {
    const query = r[qi];
    if (!query) table.fail(i, "query_id", "is empty");
    const id = rowId.get(r[ii]);
    if (id === undefined) table.fail(i, "image_id", `no image ${JSON.stringify(r[ii])} in this collection`);
    const relevant = truth.get(query) ?? new Map<string, number>();
    if (relevant.has(r[ii])) table.fail(i, undefined, `query ${query} and image ${r[ii]} are listed twice`);
    relevant.set(r[ii], id!);
    truth.set(query, relevant);
  });
  if (!truth.size) table.fail(0, undefined, "has no rows");
  return truth;
}

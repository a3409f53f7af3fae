import type { FinalLabelRow } from "@/lib/agreement/labels";
import { db } from "@/lib/db/client";
import { rerankSetRows } from "@/lib/rerank/read";

// The rows of a rerank set as the export writes them: lib/rerank's rerankSetRows (each placed query's
// images in rank order, with the pinned model's score and relevance by final label) for the included
// queries, joined here with the image metadata INQUIRE-Rerank's columns carry.

export type RerankRow = {
  /** queries.id */
  queryRowId: number;
  rank: number;
  clipScore: number;
  imageId: string;
  fileName: string;
  taxonId: string | null;
  taxonName: string | null;
  latitude: number | null;
  longitude: number | null;
  locationUncertainty: number | null;
  observedAt: Date | null;
  license: string | null;
  rightsHolder: string | null;
  relevant: boolean;
};

type ImageMeta = Omit<RerankRow, "queryRowId" | "rank" | "clipScore" | "relevant" | "imageId">;

export type RerankExportRows = {
  /** the included queries' rows, by query (in the order asked) then rank */
  rows: RerankRow[];
  /** the queries asked for that the set did not include, with why: its status, or not placed at all */
  leftOut: Map<number, string>;
};

export async function rerankRowsFor(
  setId: number,
  queryRowIds: readonly number[],
  labels?: readonly FinalLabelRow[],
): Promise<RerankExportRows> {
  // the export's labels serve only when they cover every query the set placed; else the set reads its own
  const placed = new Map((await rerankSetRows(setId, db(), labels)).map((q) => [q.queryRowId, q]));
  const leftOut = new Map<number, string>();
  const included = queryRowIds.filter((id) => {
    const q = placed.get(id);
    if (q?.status === "included") return true;
    leftOut.set(id, q ? q.status : "not in the set (finished after it was built)");
    return false;
  });
  const imageRowIds = [...new Set(included.flatMap((id) => placed.get(id)!.items.map((i) => i.imageRowId)))];
  const { rows } = await db().query<ImageMeta & { id: string }>(
    `SELECT i.id::text, i.file_name AS "fileName", t.source_id AS "taxonId", t.name AS "taxonName",
            i.latitude, i.longitude, i.location_uncertainty AS "locationUncertainty", i.observed_at AS "observedAt",
            i.license, i.rights_holder AS "rightsHolder"
       FROM images i LEFT JOIN taxa t ON t.id = i.taxon_id WHERE i.id = ANY($1::bigint[])`,
    [imageRowIds],
  );
  const meta = new Map(rows.map(({ id, ...m }) => [Number(id), m]));
  return {
    rows: included.flatMap((id) =>
      placed.get(id)!.items.map((item) => ({
        queryRowId: id,
        rank: item.rank,
        clipScore: item.score,
        imageId: item.imageId,
        relevant: item.relevant,
        ...meta.get(item.imageRowId)!,
      })),
    ),
    leftOut,
  };
}

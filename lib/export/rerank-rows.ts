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
  // the observation time as milliseconds: a number is read far faster than a timestamp's text
  const { rows } = await db().query<Omit<ImageMeta, "observedAt"> & { id: string; observedMs: number | null }>(
    `SELECT i.id::text, i.file_name AS "fileName", t.source_id AS "taxonId", t.name AS "taxonName",
            i.latitude, i.longitude, i.location_uncertainty AS "locationUncertainty",
            date_part('epoch', i.observed_at) * 1000 AS "observedMs",
            i.license, i.rights_holder AS "rightsHolder"
       FROM images i LEFT JOIN taxa t ON t.id = i.taxon_id WHERE i.id = ANY($1::bigint[])`,
    [imageRowIds],
  );
  // fields named one by one: rest and spread copy slowly, 25,000 rows twice over
  const meta = new Map<number, ImageMeta>();
  for (const r of rows)
    meta.set(Number(r.id), {
      fileName: r.fileName,
      taxonId: r.taxonId,
      taxonName: r.taxonName,
      latitude: r.latitude,
      longitude: r.longitude,
      locationUncertainty: r.locationUncertainty,
      observedAt: r.observedMs === null ? null : new Date(Math.round(r.observedMs)),
      license: r.license,
      rightsHolder: r.rightsHolder,
    });
  const out: RerankRow[] = [];
  for (const id of included)
    for (const item of placed.get(id)!.items) {
      const m = meta.get(item.imageRowId)!;
      out.push({
        queryRowId: id,
        rank: item.rank,
        clipScore: item.score,
        imageId: item.imageId,
        relevant: item.relevant,
        fileName: m.fileName,
        taxonId: m.taxonId,
        taxonName: m.taxonName,
        latitude: m.latitude,
        longitude: m.longitude,
        locationUncertainty: m.locationUncertainty,
        observedAt: m.observedAt,
        license: m.license,
        rightsHolder: m.rightsHolder,
      });
    }
  return { rows: out, leftOut };
}

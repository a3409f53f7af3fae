import { parquetWriteBuffer, type ColumnSource } from "hyparquet-writer";
import { csvRow } from "./csv";
import type { PlannedQuery } from "./plan";
import type { RerankRow } from "./rerank-rows";

// A rerank set's split as INQUIRE-Rerank publishes it: Parquet with its columns in its order and types
// (string, int64, float64 as its dataset card declares them; the image bytes INQUIRE-Rerank carries in
// an `image` column are not copied: the file names say where the photos are), and the same rows as CSV
// with query_id first, the file `fieldmark eval --rerank` reads. Ids that are not whole numbers (a
// folder import's paths) make their column a string column instead of int64.

export const RERANK_COLUMNS = [
  "query",
  "relevant",
  "clip_score",
  "inat24_image_id",
  "inat24_file_name",
  "supercategory",
  "category",
  "iconic_group",
  "inat24_species_id",
  "inat24_species_name",
  "latitude",
  "longitude",
  "location_uncertainty",
  "date",
  "license",
  "rights_holder",
] as const;

export type RerankQuery = Pick<PlannedQuery, "id" | "sourceId" | "text"> & {
  supercategory: string | null;
  category: string | null;
  iconicGroup: string | null;
};

type Value = string | number | null;

/** One file row per rerank row, column by column in RERANK_COLUMNS order. */
function rowValues(r: RerankRow, q: RerankQuery): Value[] {
  return [
    q.text,
    r.relevant ? 1 : 0,
    r.clipScore,
    r.imageId,
    r.fileName,
    q.supercategory,
    q.category,
    q.iconicGroup,
    r.taxonId,
    r.taxonName,
    r.latitude,
    r.longitude,
    r.locationUncertainty,
    r.observedAt ? r.observedAt.toISOString() : null,
    r.license,
    r.rightsHolder,
  ];
}

const WHOLE = /^-?\d+$/;

function columns(rows: readonly RerankRow[], queries: ReadonlyMap<number, RerankQuery>): ColumnSource[] {
  const values = rows.map((r) => rowValues(r, queries.get(r.queryRowId)!));
  const column = (i: number) => values.map((v) => v[i]);
  const ids = (i: number): ColumnSource => {
    const data = column(i) as (string | null)[];
    const name = RERANK_COLUMNS[i];
    return data.every((v) => v === null || WHOLE.test(v))
      ? { name, type: "INT64", data: data.map((v) => (v === null ? null : BigInt(v))) }
      : { name, type: "STRING", data };
  };
  return RERANK_COLUMNS.map((name, i): ColumnSource => {
    if (name === "inat24_image_id" || name === "inat24_species_id") return ids(i);
    if (name === "relevant") return { name, type: "INT64", data: column(i).map((v) => BigInt(v as number)) };
    if (name === "clip_score" || name === "latitude" || name === "longitude" || name === "location_uncertainty")
      return { name, type: "DOUBLE", data: column(i) };
    return { name, type: "STRING", data: column(i) };
  });
}

export function rerankParquet(rows: readonly RerankRow[], queries: ReadonlyMap<number, RerankQuery>): Uint8Array {
  // one codec, no clock: the same rows give the same bytes
  return new Uint8Array(parquetWriteBuffer({ columnData: columns(rows, queries), createdBy: "fieldmark" }));
}

export function rerankCsv(rows: readonly RerankRow[], queries: ReadonlyMap<number, RerankQuery>): string {
  const lines = [csvRow(["query_id", ...RERANK_COLUMNS])];
  for (const r of rows) {
    const q = queries.get(r.queryRowId)!;
    lines.push(csvRow([q.sourceId, ...rowValues(r, q)]));
  }
  return lines.join("");
}

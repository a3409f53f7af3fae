import { db } from "@/lib/db/client";
import { SqlParams } from "./sql";

// Search filters, applied inside the database query (never by trimming a result list afterwards, which
// would leave fewer than K results). Taxon and iconic-group filters resolve to a list of taxon ids first
// (taxa number in the thousands), so the image filter is `taxon_id = ANY(...)` on an indexed column.

export type TaxonFilter = {
  /** kingdom, phylum, class, order, family, genus, species, or another rank a taxon row names itself at;
   *  omitted: the name at any rank */
  rank?: string;
  /** scientific name at that rank; for species the binomial ("Danaus plexippus") */
  name: string;
};

export type SearchFilters = {
  /** the taxon's subtree: images whose taxon has this name at this rank */
  taxon?: TaxonFilter;
  iconicGroup?: string;
  /** observed at or after */
  from?: Date;
  /** observed at or before */
  to?: Date;
  /** [minLon, minLat, maxLon, maxLat]; minLon > maxLon crosses the antimeridian */
  bbox?: [number, number, number, number];
};

export const RANK_COLUMNS = ["kingdom", "phylum", "class", "order", "family", "genus"] as const;

export function hasFilters(f: SearchFilters | undefined): boolean {
  return (
    !!f &&
    (f.taxon !== undefined ||
      f.iconicGroup !== undefined ||
      f.from !== undefined ||
      f.to !== undefined ||
      f.bbox !== undefined)
  );
}

/** Parses a CLI taxon argument: "genus:Danaus", "species:Danaus plexippus", or a bare name at any rank. */
export function parseTaxonArg(arg: string): TaxonFilter {
  const m = /^([a-z]+):(.+)$/i.exec(arg.trim());
  if (
    m &&
    (RANK_COLUMNS as readonly string[])
      .concat(["species", "subspecies", "tribe", "subfamily", "superfamily", "variety"])
      .includes(m[1].toLowerCase())
  ) {
    return { rank: m[1].toLowerCase(), name: m[2].trim() };
  }
  return { name: arg.trim() };
}

function taxonCondition(t: TaxonFilter, p: SqlParams): string {
  const name = p.add(t.name.trim().toLowerCase());
  const rank = t.rank?.trim().toLowerCase();
  const binomial = `lower(t.genus || ' ' || t.species) = ${name}`;
  const ownName = `lower(t.name) = ${name}`;
  if (rank === undefined || rank === "") {
    const anyRank = RANK_COLUMNS.map((c) => `lower(t."${c}") = ${name}`);
    return `(${[...anyRank, binomial, ownName, `lower(t.common_name) = ${name}`].join(" OR ")})`;
  }
  if ((RANK_COLUMNS as readonly string[]).includes(rank)) {
    // the taxon itself at that rank, whether or not its own rank chain repeats its name
    return `(lower(t."${rank}") = ${name} OR (lower(t.rank) = ${p.add(rank)} AND ${ownName}))`;
  }
  if (rank === "species")
    return `(${binomial} OR (lower(t.rank) IN ('species', 'subspecies', 'variety', 'form') AND (${ownName} OR lower(t.name) LIKE ${name} || ' %')))`;
  return `(lower(t.rank) = ${p.add(rank)} AND ${ownName})`;
}

/**
 * The ids of the collection's taxa that the taxon and iconic-group filters keep, or undefined when
 * neither is set. An empty list means nothing can match.
 */
export async function resolveTaxonIds(collectionId: number, f: SearchFilters): Promise<number[] | undefined> {
  if (!f.taxon && f.iconicGroup === undefined) return undefined;
  const p = new SqlParams();
  const where = [`t.collection_id = ${p.add(collectionId)}`];
  if (f.taxon) where.push(taxonCondition(f.taxon, p));
  if (f.iconicGroup !== undefined) where.push(`lower(t.iconic_group) = ${p.add(f.iconicGroup.trim().toLowerCase())}`);
  const r = await db().query<{ id: number }>(`SELECT t.id FROM taxa t WHERE ${where.join(" AND ")}`, p.values);
  return r.rows.map((row) => row.id);
}

function checkBbox(b: [number, number, number, number]): void {
  const [minLon, minLat, maxLon, maxLat] = b;
  if (b.length !== 4 || b.some((x) => !Number.isFinite(x)))
    throw new Error("bbox must be four numbers: minLon, minLat, maxLon, maxLat");
  if (minLat > maxLat) throw new Error(`bbox minLat ${minLat} is above maxLat ${maxLat}`);
  if (Math.abs(minLat) > 90 || Math.abs(maxLat) > 90 || Math.abs(minLon) > 180 || Math.abs(maxLon) > 180)
    throw new Error("bbox is outside -180..180, -90..90");
}

/**
 * SQL conditions on images (alias `i`) for the date and place filters and the resolved taxon ids.
 * Returns [] when there is nothing to filter on besides the collection.
 */
export function imageConditions(f: SearchFilters, taxonIds: number[] | undefined, p: SqlParams, alias = "i"): string[] {
  const out: string[] = [];
  if (taxonIds) out.push(`${alias}.taxon_id = ANY(${p.add(taxonIds)}::int[])`);
  if (f.from) out.push(`${alias}.observed_at >= ${p.add(f.from)}`);
  if (f.to) out.push(`${alias}.observed_at <= ${p.add(f.to)}`);
  if (f.from && f.to && f.from > f.to) throw new Error("date range: from is after to");
  if (f.bbox) {
    checkBbox(f.bbox);
    const [minLon, minLat, maxLon, maxLat] = f.bbox;
    out.push(`${alias}.latitude BETWEEN ${p.add(minLat)} AND ${p.add(maxLat)}`);
    out.push(
      minLon <= maxLon
        ? `${alias}.longitude BETWEEN ${p.add(minLon)} AND ${p.add(maxLon)}`
        : `(${alias}.longitude >= ${p.add(minLon)} OR ${alias}.longitude <= ${p.add(maxLon)})`,
    );
  }
  return out;
}

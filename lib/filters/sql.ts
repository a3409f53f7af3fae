import type pg from "pg";
import { db } from "@/lib/db/client";
import { BELOW_SPECIES_RANKS, CHAIN_RANKS, checkFilter, type ImageFilter } from "./filter";

// What a filter selects, in SQL: the only place a filter becomes a condition (browse, vector and
// metadata search, candidate surfacing and the query taxon-scope check all come here). The meaning of
// each field is written out in ./filter.ts. Filters apply inside the database query, never by trimming
// a result list afterwards (which would leave fewer than K results). Taxon and iconic-group filters
// resolve to a list of taxon ids first (a collection's taxa number in the thousands, not millions), so
// the image condition is `taxon_id = ANY(...)` on an indexed column and the planner sees how selective
// it is; dates and place are conditions on the images row.

/** Collects positional parameters while SQL is assembled from optional parts. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder ($n). */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const BELOW_SPECIES = `(${BELOW_SPECIES_RANKS.map((r) => `'${r}'`).join(", ")})`;

/**
 * The condition on a taxa row (alias `t`) for "taxon `name` at `rank`" (no rank: at any rank, or a
 * common name), case-insensitive, as ./filter.ts describes it.
 */
export function taxonCondition(name: string, rank: string | undefined, p: SqlParams, t = "t"): string {
  const n = p.add(name.trim().toLowerCase());
  const r = rank?.trim().toLowerCase() || undefined;
  const rankOf = `lower(${t}.rank)`;
  const ownName = `lower(${t}.name) = ${n}`;
  const chainHas = (column: string) => `lower(${t}."${column}") = ${n}`;
  const species = [
    `lower(${t}.genus || ' ' || ${t}.species) = ${n}`,
    `(${ownName} AND coalesce(${rankOf}, 'species') = 'species')`,
    `(${rankOf} IN ${BELOW_SPECIES} AND starts_with(lower(${t}.name), ${n} || ' '))`,
  ];
  if (r === undefined)
    return `(${[...CHAIN_RANKS.map(chainHas), ...species, ownName, `lower(${t}.common_name) = ${n}`].join(" OR ")})`;
  if ((CHAIN_RANKS as readonly string[]).includes(r))
    return `(${chainHas(r)} OR (${rankOf} = ${p.add(r)} AND ${ownName}))`;
  if (r === "species") return `(${species.join(" OR ")})`;
  return `(${rankOf} = ${p.add(r)} AND ${ownName})`;
}

type Queryable = pg.Pool | pg.PoolClient;

/**
 * The ids of the collection's taxa that the filter's taxon and iconic group select, or undefined when
 * it names neither. An empty list means nothing can match. `client` is for a caller inside a transaction.
 */
export async function resolveTaxonIds(
  collectionId: number,
  filter: ImageFilter,
  client: Queryable = db(),
): Promise<number[] | undefined> {
  const f = checkFilter(filter);
  if (f.taxon === undefined && f.iconicGroup === undefined) return undefined;
  const p = new SqlParams();
  const where = [`t.collection_id = ${p.add(collectionId)}`];
  if (f.taxon !== undefined) where.push(taxonCondition(f.taxon, f.rank, p));
  if (f.iconicGroup !== undefined) where.push(`lower(t.iconic_group) = ${p.add(f.iconicGroup.toLowerCase())}`);
  const r = await client.query<{ id: number }>(`SELECT t.id FROM taxa t WHERE ${where.join(" AND ")}`, p.values);
  return r.rows.map((row) => row.id);
}

/** `column` is one of the resolved taxon ids. */
export function taxonIdsCondition(column: string, taxonIds: number[], p: SqlParams): string {
  return `${column} = ANY(${p.add(taxonIds)}::int[])`;
}

const DAY_MS = 86_400_000;

/**
 * The date and place conditions on images (alias `alias`); [] when the filter has neither. The taxon
 * and iconic group are resolveTaxonIds' part.
 */
export function imageConditions(filter: ImageFilter, p: SqlParams, alias = "i"): string[] {
  const f = checkFilter(filter);
  const out: string[] = [];
  // whole UTC days: from midnight of `from` up to (not including) the midnight after `to`
  if (f.from) out.push(`${alias}.observed_at >= ${p.add(`${f.from}T00:00:00Z`)}::timestamptz`);
  if (f.to) {
    const after = new Date(Date.parse(`${f.to}T00:00:00Z`) + DAY_MS).toISOString();
    out.push(`${alias}.observed_at < ${p.add(after)}::timestamptz`);
  }
  if (f.bbox) {
    const { minLon, minLat, maxLon, maxLat } = f.bbox;
    out.push(`${alias}.latitude BETWEEN ${p.add(minLat)} AND ${p.add(maxLat)}`);
    out.push(
      minLon <= maxLon
        ? `${alias}.longitude BETWEEN ${p.add(minLon)} AND ${p.add(maxLon)}`
        : `(${alias}.longitude >= ${p.add(minLon)} OR ${alias}.longitude <= ${p.add(maxLon)})`, // across the antimeridian
    );
  }
  return out;
}

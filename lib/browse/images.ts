import { db } from "@/lib/db/client";
import type { ImageRow, TaxonRow } from "@/lib/db/rows";
import type { ImageFilter } from "@/lib/filters/filter";
import { imageConditions, resolveTaxonIds, SqlParams, taxonIdsCondition } from "@/lib/filters/sql";

// The image grid's pages and one image's details. Pages are keyset-paged on the internal row id
// (stable under concurrent imports, fast at any depth); the cursor is opaque to callers, and the ids
// callers see are always the source's own (images.source_id).

export const PAGE_SIZE = 80;
/** Counting stops here: an exact count of millions of rows on every filter change is not worth it. */
export const COUNT_CAP = 10_000;

export type ImageCard = {
  id: string; // images.source_id
  width: number | null;
  height: number | null;
  status: "ok" | "unreadable";
  statusReason: string | null;
  taxon: { name: string; commonName: string | null } | null;
};

export type ImagePage = { images: ImageCard[]; nextCursor: string | null };
export type ImageCount = { count: number; capped: boolean };

export class BadCursorError extends Error {}

export function encodeCursor(rowId: number): string {
  return Buffer.from(`i${rowId}`).toString("base64url");
}

export function decodeCursor(cursor: string): number {
  const m = /^i(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw new BadCursorError("cursor is not one this server gave out");
  return Number(m[1]);
}

type Where = { sql: string; params: unknown[] };

/** The WHERE clause (on images alias `i`) for a collection and a filter; null when nothing can match. */
async function whereFor(collectionId: number, filter: ImageFilter): Promise<Where | null> {
  const p = new SqlParams();
  const conditions = [`i.collection_id = ${p.add(collectionId)}`];
  // resolved first, as a plain id list, so the planner sees how selective it is: a rare species is read
  // through the taxon index, a large group in id order
  const taxonIds = await resolveTaxonIds(collectionId, filter);
  if (taxonIds?.length === 0) return null;
  if (taxonIds) conditions.push(taxonIdsCondition("i.taxon_id", taxonIds, p));
  conditions.push(...imageConditions(filter, p));
  return { sql: conditions.join(" AND "), params: p.values };
}

type CardRow = Pick<ImageRow, "id" | "sourceId" | "width" | "height" | "status" | "statusReason"> & {
  taxonName: TaxonRow["name"] | null;
  commonName: TaxonRow["commonName"];
};

export async function listImages(
  collectionId: number,
  filter: ImageFilter,
  opts: { cursor?: string; limit?: number } = {},
): Promise<ImagePage> {
  const limit = opts.limit ?? PAGE_SIZE;
  const cursorRowId = opts.cursor ? decodeCursor(opts.cursor) : undefined;
  const where = await whereFor(collectionId, filter);
  if (!where) return { images: [], nextCursor: null };
  let sql = where.sql;
  if (cursorRowId !== undefined) {
    where.params.push(cursorRowId);
    sql += ` AND i.id > $${where.params.length}`;
  }
  where.params.push(limit + 1);
  const { rows } = await db().query<CardRow>(
    `SELECT i.id, i.source_id AS "sourceId", i.width, i.height, i.status, i.status_reason AS "statusReason",
            tx.name AS "taxonName", tx.common_name AS "commonName"
       FROM images i LEFT JOIN taxa tx ON tx.id = i.taxon_id
      WHERE ${sql} ORDER BY i.id LIMIT $${where.params.length}`,
    where.params,
  );
  const page = rows.slice(0, limit);
  return {
    images: page.map((r) => ({
      id: r.sourceId,
      width: r.width,
      height: r.height,
      status: r.status,
      statusReason: r.statusReason,
      taxon: r.taxonName ? { name: r.taxonName, commonName: r.commonName } : null,
    })),
    nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null,
  };
}

export async function countImages(collectionId: number, filter: ImageFilter, cap = COUNT_CAP): Promise<ImageCount> {
  const where = await whereFor(collectionId, filter);
  if (!where) return { count: 0, capped: false };
  where.params.push(cap + 1);
  const { rows } = await db().query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM images i WHERE ${where.sql} LIMIT $${where.params.length}) s`,
    where.params,
  );
  const n = rows[0].n;
  return n > cap ? { count: cap, capped: true } : { count: n, capped: false };
}

export type TaxonChain = {
  name: string;
  commonName: string | null;
  rank: string | null;
  iconicGroup: string | null;
  kingdom: string | null;
  phylum: string | null;
  class: string | null;
  order: string | null;
  family: string | null;
  genus: string | null;
  species: string | null;
};

export type ImageDetail = {
  id: string; // images.source_id
  fileName: string;
  width: number | null;
  height: number | null;
  observedAt: Date | null;
  latitude: number | null;
  longitude: number | null;
  locationUncertainty: number | null;
  license: string | null;
  rightsHolder: string | null;
  status: "ok" | "unreadable";
  statusReason: string | null;
  taxon: TaxonChain | null;
};

export async function getImage(collectionId: number, sourceId: string): Promise<ImageDetail | null> {
  const { rows } = await db().query(
    `SELECT i.source_id AS id, i.file_name AS "fileName", i.width, i.height, i.observed_at AS "observedAt",
            i.latitude, i.longitude, i.location_uncertainty AS "locationUncertainty", i.license,
            i.rights_holder AS "rightsHolder", i.status, i.status_reason AS "statusReason",
            t.id AS taxon_row, t.name, t.common_name AS "commonName", t.rank, t.iconic_group AS "iconicGroup",
            t.kingdom, t.phylum, t.class, t."order", t.family, t.genus, t.species
       FROM images i LEFT JOIN taxa t ON t.id = i.taxon_id
      WHERE i.collection_id = $1 AND i.source_id = $2`,
    [collectionId, sourceId],
  );
  const r = rows[0];
  if (!r) return null;
  const {
    taxon_row,
    name,
    commonName,
    rank,
    iconicGroup,
    kingdom,
    phylum,
    class: cls,
    order,
    family,
    genus,
    species,
    ...image
  } = r;
  return {
    ...image,
    taxon:
      taxon_row == null
        ? null
        : { name, commonName, rank, iconicGroup, kingdom, phylum, class: cls, order, family, genus, species },
  } as ImageDetail;
}

/** What the image-serving handlers need: the internal row id stays on the server. */
export async function findImageFile(
  collectionId: number,
  sourceId: string,
): Promise<{ rowId: number; fileName: string; status: "ok" | "unreadable"; statusReason: string | null } | null> {
  const { rows } = await db().query(
    `SELECT id AS "rowId", file_name AS "fileName", status, status_reason AS "statusReason"
       FROM images WHERE collection_id = $1 AND source_id = $2`,
    [collectionId, sourceId],
  );
  return rows[0] ?? null;
}

import { db } from "@/lib/db/client";
import type { ImageFilter } from "@/lib/filters/filter";
import { imageConditions, resolveTaxonIds, SqlParams, taxonIdsCondition } from "@/lib/filters/sql";
import type { SearchResult } from "./vector-search";

// Metadata and taxonomy search: PostgreSQL full-text search over taxon names, common names, the rank
// chain and the iconic group (taxon_search_document, GIN-indexed in the vector_search migration),
// returning the images of the matching taxa. Any query word may match; taxa matching all words rank
// first, then by ts_rank (more words, and names over ranks, score higher).

/** Must match the GIN index expression in the migration exactly, or the index is not used. */
const DOCUMENT = `taxon_search_document(t.name, t.common_name, t.rank, t.kingdom, t.phylum, t.class, t."order", t.family, t.genus, t.species, t.iconic_group)`;

/** The words of a query, safe to join into to_tsquery syntax (letters, digits, inner hyphens/apostrophes dropped). */
export function queryWords(text: string): string[] {
  return (text.normalize("NFC").match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 32);
}

export type MetadataSearchOptions = { k?: number; filters?: ImageFilter };

export async function searchMetadata(
  collectionId: number,
  text: string,
  opts: MetadataSearchOptions = {},
): Promise<SearchResult[]> {
  const k = opts.k ?? 100;
  if (!Number.isInteger(k) || k < 1 || k > 10_000) throw new Error(`k must be an integer from 1 to 10000, not ${k}`);
  const words = queryWords(text);
  if (words.length === 0) return [];
  const filters = opts.filters ?? {};
  const taxonIds = await resolveTaxonIds(collectionId, filters);
  if (taxonIds && taxonIds.length === 0) return [];

  const p = new SqlParams();
  const c = p.add(collectionId);
  const anyWord = p.add(words.join(" | "));
  const allWords = p.add(words.join(" & "));
  const imageConds = imageConditions(filters, p);
  const taxonCond = taxonIds ? `AND ${taxonIdsCondition("t.id", taxonIds, p)}` : "";
  // english lexemes for the query (stemmed, stop words dropped) or simple ones when english leaves
  // nothing (a query of stop words or a Latin name english would mangle still finds its exact form)
  const sql = `
    WITH q AS (
      SELECT coalesce(nullif(to_tsquery('english', ${anyWord}), ''), to_tsquery('simple', ${anyWord})) AS any_q,
             coalesce(nullif(to_tsquery('english', ${allWords}), ''), to_tsquery('simple', ${allWords})) AS all_q
    ), matched AS (
      SELECT t.id, (CASE WHEN ${DOCUMENT} @@ q.all_q THEN 1 ELSE 0 END) + ts_rank(${DOCUMENT}, q.any_q) AS score
      FROM taxa t, q
      WHERE t.collection_id = ${c} AND ${DOCUMENT} @@ q.any_q ${taxonCond}
    )
    SELECT i.id AS "imageId", i.source_id AS "sourceId", m.score::float8 AS score
    FROM matched m JOIN images i ON i.taxon_id = m.id
    WHERE i.collection_id = ${c} ${imageConds.map((x) => `AND ${x}`).join(" ")}
    ORDER BY m.score DESC, i.id
    LIMIT ${k}`;
  return (await db().query<SearchResult>(sql, p.values)).rows;
}

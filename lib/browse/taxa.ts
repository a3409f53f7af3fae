import { db } from "@/lib/db/client";
import { CHAIN_RANKS, type ChainRank } from "@/lib/filters/filter";

// Taxon search for the typeahead. A collection holds thousands of taxa, not millions, so this scans the
// collection's taxa rows. What a picked taxon then selects is lib/filters/sql.ts (an unranked category
// is offered as a species, which is how that filter reads it).

export type TaxonSuggestion = {
  rank: string;
  name: string;
  commonName: string | null;
  /** the nearest named rank above, to tell apart e.g. two genera of the same name */
  parent: string | null;
  /** how many of the collection's taxa (categories) fall under it */
  taxa: number;
};

const quoteIdent = (column: string) => `"${column}"`;

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function parentExpression(rank: ChainRank | "leaf"): string {
  const above =
    rank === "leaf" ? [...CHAIN_RANKS].reverse() : CHAIN_RANKS.slice(0, CHAIN_RANKS.indexOf(rank)).reverse();
  return above.length ? `coalesce(${above.map((r) => `t.${quoteIdent(r)}`).join(", ")})` : "NULL::text";
}

export async function searchTaxa(collectionId: number, q: string, limit = 15): Promise<TaxonSuggestion[]> {
  const term = q.trim();
  if (!term) return [];
  const rankBranches = CHAIN_RANKS.map(
    (
      r,
    ) => `SELECT '${r}' AS rank, t.${quoteIdent(r)} AS name, NULL::text AS common_name, min(${parentExpression(r)}) AS parent, count(*)::int AS taxa
              FROM t WHERE t.${quoteIdent(r)} ILIKE $2 GROUP BY t.${quoteIdent(r)}`,
  );
  const rankOrder = `CASE rank ${CHAIN_RANKS.map((r, i) => `WHEN '${r}' THEN ${i}`).join(" ")} ELSE ${CHAIN_RANKS.length} END`;
  const { rows } = await db().query<TaxonSuggestion>(
    `WITH t AS (SELECT * FROM taxa WHERE collection_id = $1),
     s AS (
       SELECT coalesce(t.rank, 'species') AS rank, t.name, min(t.common_name) AS common_name,
              min(${parentExpression("leaf")}) AS parent, count(*)::int AS taxa
         FROM t WHERE t.name ILIKE $2 OR t.common_name ILIKE $2 GROUP BY 1, 2
       UNION ALL ${rankBranches.join("\n       UNION ALL ")}
     )
     SELECT rank, name, max(common_name) AS "commonName", min(parent) AS parent, max(taxa)::int AS taxa
       FROM s GROUP BY rank, name
      ORDER BY (lower(name) = lower($3) OR lower(max(common_name)) = lower($3)) DESC,
               (name ILIKE $4 OR max(common_name) ILIKE $4) DESC,
               ${rankOrder}, name
      LIMIT $5`,
    [collectionId, `%${escapeLike(term)}%`, term, `${escapeLike(term)}%`, limit],
  );
  return rows;
}

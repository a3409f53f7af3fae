import { db } from "@/lib/db/client";
import type { QueryRef } from "@/lib/queries/queries";

// The judging queue: a query's best candidates this annotator has not judged yet. An image surfaced
// by several sources counts once, at its best rank, with the source that ranked it best. The browser
// passes the images it already holds (on screen, prefetched, or judged but not yet saved) as
// `exclude`, so the next page never repeats them, whatever the server has seen so far.

export const MAX_PAGE = 200;

export type QueueCandidate = {
  imageId: string; // images.source_id
  source: string;
  /** every source that surfaced it */
  sources: string[];
  rank: number;
  score: number;
  width: number | null;
  height: number | null;
  status: "ok" | "unreadable";
  statusReason: string | null;
  taxon: { name: string; commonName: string | null } | null;
};

export type QueuePage = {
  candidates: QueueCandidate[];
  /** unjudged candidates left for this annotator beyond `exclude` (this page included) */
  remaining: number;
};

export async function nextCandidates(
  query: QueryRef, annotatorId: string, opts: { limit: number; exclude?: string[] },
): Promise<QueuePage> {
  const limit = Math.max(1, Math.min(opts.limit, MAX_PAGE));
  const { rows } = await db().query(
    `WITH excluded AS (SELECT id FROM images WHERE collection_id = $2 AND source_id = ANY($4::text[])),
     open AS (
       SELECT c.image_id, min(c.rank) AS rank, max(c.score) AS score,
              array_agg(c.source ORDER BY c.rank, c.score DESC, c.source) AS sources
         FROM candidates c
        WHERE c.query_id = $1
          AND NOT EXISTS (SELECT 1 FROM judgments j WHERE j.query_id = $1 AND j.image_id = c.image_id AND j.annotator_id = $3)
          AND c.image_id NOT IN (SELECT id FROM excluded)
        GROUP BY c.image_id
     ),
     page AS (SELECT * FROM open ORDER BY rank, score DESC, image_id LIMIT $5)
     SELECT i.source_id AS "imageId", p.sources, p.rank, p.score, i.width, i.height, i.status, i.status_reason AS "statusReason",
            t.name AS taxon_name, t.common_name AS taxon_common_name, (SELECT count(*)::int FROM open) AS remaining
       FROM page p JOIN images i ON i.id = p.image_id LEFT JOIN taxa t ON t.id = i.taxon_id
      ORDER BY p.rank, p.score DESC, p.image_id`,
    [query.rowId, query.collectionId, annotatorId, opts.exclude ?? [], limit],
  );
  return {
    remaining: rows[0]?.remaining ?? 0,
    candidates: rows.map(({ taxon_name, taxon_common_name, remaining: _r, ...r }) => ({
      ...r,
      source: r.sources[0],
      taxon: taxon_name ? { name: taxon_name, commonName: taxon_common_name } : null,
    })),
  };
}

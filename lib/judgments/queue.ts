import { db } from "@/lib/db/client";
import type { QueryRef } from "@/lib/queries/queries";
import { HOLD_MINUTES } from "./values";

// The judging queue: a query's best candidates this annotator has not judged yet. An image surfaced
// by several sources counts once, at its best rank, with the source that ranked it best. The browser
// passes the images it already holds (on screen, prefetched, or judged but not yet saved) as
// `exclude`, so the next page never repeats them, whatever the server has seen so far.
// The same annotator may have the query open in two tabs: each page is held for the tab it went to
// (candidate_holds), so the other tab passes over it until the hold lapses or the tab lets it go.
// A second expert's blind overlap sample (overlap_assignments, lib/agreement/overlap.ts) comes first of
// all, then active learning's ranking (and the audit images mixed into it), then every other source.
// Both are blind: the browser sees an overlap or audit image under an ordinary source, and nothing
// here reads another annotator's judgment.

export const MAX_PAGE = 200;

// The annotator's overlap sample first, then the learner's newest ranking and its audit images, then
// the other sources. An image's place is its best rank within its best tier.
const TIER =
  "CASE WHEN c.source IN ('overlap', 'rerank') THEN 0 WHEN c.source IN ('active-learning', 'audit') THEN 1 ELSE 2 END";
const TIER_WIDTH = 1_000_000_000;
const TIER_RANK = `(${TIER})::bigint * ${TIER_WIDTH} + c.rank`;

/** What the browser never sees as a source: audit_items and overlap_assignments record those. */
const HIDDEN_SOURCES = new Set(["audit", "overlap"]);

/**
 * Audit and overlap images are judged blind: the browser sees them under the ordinary sources that
 * surfaced them too, else as the learner's picks.
 */
function blind(sources: string[]): string[] {
  const shown = sources.filter((s) => !HIDDEN_SOURCES.has(s));
  return shown.length ? shown : ["active-learning"];
}

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
  /** unjudged candidates held by the annotator's other tabs (they come back when those let go) */
  heldElsewhere: number;
};

export async function nextCandidates(
  query: QueryRef,
  annotatorId: string,
  opts: { limit: number; exclude?: string[]; tab?: string },
): Promise<QueuePage> {
  const limit = Math.max(1, Math.min(opts.limit, MAX_PAGE));
  // $6: the asking tab, or null (a lead reading another's queue holds nothing)
  const { rows } = await db().query(
    `WITH excluded AS (SELECT id FROM images WHERE collection_id = $2 AND source_id = ANY($4::text[])),
     elsewhere AS (
       SELECT h.image_id FROM candidate_holds h
        WHERE $6::text IS NOT NULL AND h.query_id = $1 AND h.annotator_id = $3 AND h.tab <> $6 AND h.held_until > now()
          AND NOT EXISTS (SELECT 1 FROM judgments j WHERE j.query_id = $1 AND j.image_id = h.image_id AND j.annotator_id = $3)
     ),
     -- the annotator's overlap sample as candidates of source 'overlap', ranked as the image's best
     -- ordinary candidate (or after them, in image order), so its rank shows nothing of the sample
     pool AS (
       SELECT image_id, source, rank, score FROM candidates WHERE query_id = $1
        UNION ALL
       SELECT o.image_id, 'overlap',
              coalesce(best.rank, (SELECT coalesce(max(rank), 0) FROM candidates WHERE query_id = $1)
                                  + (row_number() OVER (ORDER BY o.image_id))::int), NULL
         FROM overlap_assignments o
         LEFT JOIN (SELECT image_id, min(rank) AS rank FROM candidates WHERE query_id = $1 GROUP BY image_id) best
           ON best.image_id = o.image_id
        WHERE o.query_id = $1 AND o.annotator_id = $3
     ),
     open AS (
       SELECT c.image_id, min(${TIER}) AS tier, (min(${TIER_RANK}) % ${TIER_WIDTH})::int AS rank,
              coalesce(max(c.score), 0) AS score,
              array_agg(c.source ORDER BY ${TIER}, c.rank, c.score DESC NULLS LAST, c.source) AS sources
         FROM pool c
        WHERE NOT EXISTS (SELECT 1 FROM judgments j WHERE j.query_id = $1 AND j.image_id = c.image_id AND j.annotator_id = $3)
          AND c.image_id NOT IN (SELECT id FROM excluded)
          AND c.image_id NOT IN (SELECT image_id FROM elsewhere)
        GROUP BY c.image_id
     ),
     page AS (SELECT * FROM open ORDER BY tier, rank, score DESC, image_id LIMIT $5),
     held AS (
       INSERT INTO candidate_holds (query_id, annotator_id, image_id, tab, held_until)
       SELECT $1, $3, image_id, $6, now() + interval '${HOLD_MINUTES} minutes' FROM page WHERE $6::text IS NOT NULL
          UNION
       SELECT $1, $3, id, $6, now() + interval '${HOLD_MINUTES} minutes' FROM excluded WHERE $6::text IS NOT NULL
          AND id NOT IN (SELECT image_id FROM elsewhere)
       ON CONFLICT (query_id, annotator_id, image_id) DO UPDATE SET tab = EXCLUDED.tab, held_until = EXCLUDED.held_until
     )
     -- one row of counts, joined to the page's rows (or to none: the counts come back either way)
     SELECT counts.remaining, counts.held_elsewhere, pg.*
       FROM (SELECT (SELECT count(*)::int FROM open) AS remaining, (SELECT count(*)::int FROM elsewhere) AS held_elsewhere) counts
       LEFT JOIN (
         SELECT p.image_id, i.source_id AS "imageId", p.sources, p.tier, p.rank, p.score, i.width, i.height, i.status,
                i.status_reason AS "statusReason", t.name AS taxon_name, t.common_name AS taxon_common_name
           FROM page p JOIN images i ON i.id = p.image_id LEFT JOIN taxa t ON t.id = i.taxon_id
       ) pg ON true
      ORDER BY pg.tier, pg.rank, pg.score DESC, pg.image_id`,
    [query.rowId, query.collectionId, annotatorId, opts.exclude ?? [], limit, opts.tab ?? null],
  );
  const counts = rows[0];
  return {
    remaining: counts.remaining,
    heldElsewhere: counts.held_elsewhere,
    candidates: rows
      .filter((r) => r.imageId !== null)
      .map(({ image_id: _id, tier: _t, taxon_name, taxon_common_name, remaining: _r, held_elsewhere: _h, ...r }) => {
        const sources = blind(r.sources);
        return {
          ...r,
          sources,
          source: sources[0],
          taxon: taxon_name ? { name: taxon_name, commonName: taxon_common_name } : null,
        };
      }),
  };
}

/** A tab closing lets go of what it held, so the annotator's other tabs get those images at once. */
export async function releaseHolds(query: QueryRef, annotatorId: string, tab: string): Promise<number> {
  const r = await db().query("DELETE FROM candidate_holds WHERE query_id = $1 AND annotator_id = $2 AND tab = $3", [
    query.rowId,
    annotatorId,
    tab,
  ]);
  return r.rowCount ?? 0;
}

import { db } from "@/lib/db/client";
import type { QueryRef } from "@/lib/queries/queries";

// Progress on one query: what is judged, what was found, and INQUIRE's stopping signal: the run of
// consecutive not-relevant judgments at the end of the judged candidates in ranked order (best
// candidate rank; images judged outside the queue come after, in the order they were judged). INQUIRE
// stopped a query at 100. An unsure judgment ends a run, since it may be relevant.
// For one annotator it counts their judgments; for everyone, an image counts once: relevant if anyone
// said so, else unsure if anyone was unsure, else not relevant.

export { INQUIRE_STOP_RUN } from "./values";

export type ProgressCounts = { judged: number; relevant: number; notRelevant: number; unsure: number; run: number };
export type SourceYield = { source: string; surfaced: number; judged: number; relevant: number; yield: number | null };
export type AnnotatorProgress = ProgressCounts & { annotatorId: string; name: string; lastAt: Date | null };

export type QueryProgress = ProgressCounts & {
  /** whose judgments: one annotator's id, or null for everyone's */
  annotatorId: string | null;
  candidates: number;
  /** unjudged candidates (by this annotator, or by nobody) */
  remaining: number;
  sources: SourceYield[];
};

// Each judged image once, with its value and its place in ranked order ($2 NULL: everyone).
const JUDGED_IMAGES = `
  judged AS (
    SELECT j.image_id,
           CASE WHEN bool_or(j.value = 'relevant') THEN 'relevant' WHEN bool_or(j.value = 'unsure') THEN 'unsure' ELSE 'not_relevant' END AS value,
           min(j.created_at) AS at, min(j.source) AS source
      FROM judgments j WHERE j.query_id = $1 AND ($2::text IS NULL OR j.annotator_id = $2)
     GROUP BY j.image_id
  ),
  ranks AS (SELECT image_id, min(rank) AS rank, count(*)::int AS n FROM candidates WHERE query_id = $1 GROUP BY image_id),
  ordered AS (
    SELECT judged.*, row_number() OVER (ORDER BY r.rank NULLS LAST, judged.at, judged.image_id) AS pos
      FROM judged LEFT JOIN ranks r ON r.image_id = judged.image_id
  )`;

export async function queryProgress(query: QueryRef, annotatorId: string | null): Promise<QueryProgress> {
  const [totals, sources] = await Promise.all([
    db().query<ProgressCounts & { candidates: number; remaining: number }>(
      `WITH ${JUDGED_IMAGES}
       SELECT count(*)::int AS judged,
              count(*) FILTER (WHERE value = 'relevant')::int AS relevant,
              count(*) FILTER (WHERE value = 'not_relevant')::int AS "notRelevant",
              count(*) FILTER (WHERE value = 'unsure')::int AS unsure,
              count(*) FILTER (WHERE pos > coalesce((SELECT max(pos) FROM ordered WHERE value <> 'not_relevant'), 0))::int AS run,
              (SELECT count(*)::int FROM ranks) AS candidates,
              (SELECT count(*)::int FROM ranks WHERE NOT EXISTS (SELECT 1 FROM judged WHERE judged.image_id = ranks.image_id)) AS remaining
         FROM ordered`,
      [query.rowId, annotatorId],
    ),
    // A candidate surfaced by two sources counts for both; a judged image no source surfaced counts
    // under the source its judgment recorded.
    db().query<SourceYield>(
      `WITH ${JUDGED_IMAGES},
       per_source AS (
         SELECT c.source, count(*)::int AS surfaced, count(judged.image_id)::int AS judged,
                count(*) FILTER (WHERE judged.value = 'relevant')::int AS relevant
           FROM candidates c LEFT JOIN judged ON judged.image_id = c.image_id
          WHERE c.query_id = $1 GROUP BY c.source
         UNION ALL
         SELECT coalesce(judged.source, 'other'), 0, count(*)::int, count(*) FILTER (WHERE judged.value = 'relevant')::int
           FROM judged WHERE NOT EXISTS (SELECT 1 FROM ranks WHERE ranks.image_id = judged.image_id)
          GROUP BY 1
       )
       SELECT source, sum(surfaced)::int AS surfaced, sum(judged)::int AS judged, sum(relevant)::int AS relevant
         FROM per_source GROUP BY source ORDER BY sum(surfaced) DESC, source`,
      [query.rowId, annotatorId],
    ),
  ]);
  return {
    annotatorId,
    ...totals.rows[0],
    sources: sources.rows.map((s) => ({ ...s, yield: s.judged ? s.relevant / s.judged : null })),
  };
}

/** Everyone's own progress on the query, for a lead: one row per annotator who judged anything. */
export async function progressByAnnotator(query: QueryRef): Promise<AnnotatorProgress[]> {
  const { rows } = await db().query<AnnotatorProgress>(
    `WITH ranks AS (SELECT image_id, min(rank) AS rank FROM candidates WHERE query_id = $1 GROUP BY image_id),
     ordered AS (
       SELECT j.annotator_id, j.value, j.updated_at,
              row_number() OVER (PARTITION BY j.annotator_id ORDER BY r.rank NULLS LAST, j.created_at, j.image_id) AS pos
         FROM judgments j LEFT JOIN ranks r ON r.image_id = j.image_id WHERE j.query_id = $1
     ),
     last_stop AS (SELECT annotator_id, max(pos) AS pos FROM ordered WHERE value <> 'not_relevant' GROUP BY annotator_id)
     SELECT o.annotator_id AS "annotatorId", u.name, count(*)::int AS judged,
            count(*) FILTER (WHERE o.value = 'relevant')::int AS relevant,
            count(*) FILTER (WHERE o.value = 'not_relevant')::int AS "notRelevant",
            count(*) FILTER (WHERE o.value = 'unsure')::int AS unsure,
            count(*) FILTER (WHERE o.pos > coalesce(s.pos, 0))::int AS run,
            max(o.updated_at) AS "lastAt"
       FROM ordered o JOIN users u ON u.id = o.annotator_id LEFT JOIN last_stop s ON s.annotator_id = o.annotator_id
      GROUP BY o.annotator_id, u.name ORDER BY u.name`,
    [query.rowId],
  );
  return rows;
}

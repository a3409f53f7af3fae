import { db } from "@/lib/db/client";
import { finalLabels } from "@/lib/agreement/labels";

// Report (a): where the model errs. Its top-ranked false positives (in its top k, final label not
// relevant), counted by the image's taxon and by the query's category, with the highest-ranked ones to
// look at; and the relevant images it ranks lowest (what it misses). Images in the top k nobody judged
// are counted apart: they are not known to be errors.

export type ReportImage = {
  imageRowId: number;
  imageId: string;
  queryId: string;
  queryText: string;
  rank: number;
  score: number;
  taxon: string | null;
};

export type Count = { name: string; count: number };

export type ModelErrors = {
  k: number;
  falsePositives: number;
  unjudgedInTopK: number;
  byTaxon: Count[];
  byCategory: Count[];
  /** the highest-ranked false positives, rank first */
  topFalsePositives: ReportImage[];
  /** relevant images by rank, lowest first */
  lowestRelevant: ReportImage[];
  /** relevant images the run did not rank at all (an imported run scores only some) */
  relevantUnranked: number;
};

type Row = ReportImage & { category: string | null; queryRowId: number };

function counts(rows: readonly Row[], key: (r: Row) => string | null): Count[] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r) ?? "(none)", (m.get(key(r) ?? "(none)") ?? 0) + 1);
  return [...m]
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
}

export async function modelErrors(runId: number, k: number, show = 12): Promise<ModelErrors> {
  const { rows } = await db().query<Row>(
    `SELECT s.image_id AS "imageRowId", i.source_id AS "imageId", q.source_id AS "queryId", q.text AS "queryText",
            q.category, s.query_id AS "queryRowId", s.rank, s.score, t.name AS taxon
       FROM eval_run_scores s JOIN images i ON i.id = s.image_id JOIN queries q ON q.id = s.query_id
       LEFT JOIN taxa t ON t.id = i.taxon_id
      WHERE s.run_id = $1 ORDER BY s.rank, s.query_id, s.image_id`,
    [runId],
  );
  const queryIds = [...new Set(rows.map((r) => r.queryRowId))];
  const metricQueries = (
    await db().query<{ query_id: number }>("SELECT query_id FROM eval_run_metrics WHERE run_id = $1", [runId])
  ).rows.map((r) => r.query_id);
  const labels = new Map<string, string>();
  for (const l of await finalLabels([...new Set([...queryIds, ...metricQueries])]))
    labels.set(`${l.queryId}:${l.imageId}`, l.value ?? "unsettled");
  const scored = new Set(metricQueries);
  const labelOf = (r: Row) => labels.get(`${r.queryRowId}:${Number(r.imageRowId)}`);
  const fix = (r: Row): Row => ({ ...r, imageRowId: Number(r.imageRowId) });
  const top = rows.filter((r) => r.rank <= k && scored.has(r.queryRowId)).map(fix);
  const fps = top.filter((r) => labelOf(r) === "not_relevant");
  const relevant = rows.filter((r) => scored.has(r.queryRowId) && labelOf(r) === "relevant").map(fix);
  let relevantTotal = 0;
  for (const [key, value] of labels) if (value === "relevant" && scored.has(Number(key.split(":")[0]))) relevantTotal++;
  const strip = ({ category: _c, queryRowId: _q, ...image }: Row): ReportImage => image;
  return {
    k,
    falsePositives: fps.length,
    unjudgedInTopK: top.filter((r) => labelOf(r) === undefined).length,
    byTaxon: counts(fps, (r) => r.taxon),
    byCategory: counts(fps, (r) => r.category),
    topFalsePositives: fps.slice(0, show).map(strip),
    lowestRelevant: [...relevant]
      .sort((a, b) => b.rank - a.rank)
      .slice(0, show)
      .map(strip),
    relevantUnranked: relevantTotal - relevant.length,
  };
}

import type pg from "pg";
import type { SummaryInput } from "@/lib/active-learning/display";
import type { Agreement } from "@/lib/agreement/kappa";
import {
  countFinalLabels,
  judgmentsByQuery,
  labelsByQuery,
  relevantPlaces,
  type QueryJudgment,
} from "@/lib/agreement/labels";
import { agreementFromJudgments } from "@/lib/agreement/read";
import { db } from "@/lib/db/client";
import type { RelevantCurve } from "./curve";
import { coverageMatrix, DEFAULT_THIN_THRESHOLD, type CoverageMatrix } from "./matrix";
import { dashboardQuery, type AnnotatorCount, type DashboardQuery, type QueryMeta } from "./rows";
import { compareIds } from "./table";

// The coverage dashboard of a collection, read in a few passes that each aggregate in the database:
// the queries with their learning rows, the pairs by final label and the places of the relevant finds
// (lib/agreement/labels, the one rule), agreement (lib/agreement/read), judgments per annotator and per
// annotator per day. The page and GET /api/collections/[name]/dashboard both answer this.

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/** Judgments one annotator made on one day (UTC), counted by when each judgment was first made. */
export type DayCount = { day: string; annotatorId: string; annotator: string; judgments: number };

export type Dashboard = {
  queries: DashboardQuery[];
  matrix: CoverageMatrix;
  perDay: DayCount[];
  curves: RelevantCurve[];
  /** over every image two or more annotators judged, all queries pooled */
  agreement: Agreement;
  totals: { queries: number; judgments: number; judged: number; relevant: number; finished: number };
};

async function readQueries(collectionId: number, client: Queryable) {
  const { rows } = await client.query<QueryMeta & { learning: SummaryInput | null }>(
    `SELECT q.id AS "rowId", q.source_id AS id, q.text, q.supercategory, q.category, q.iconic_group AS "iconicGroup",
            q.split, q.status,
            CASE WHEN l.query_id IS NOT NULL THEN json_build_object(
              'rounds', l.rounds, 'note', l.error, 'looksComplete', l.looks_complete, 'signals', l.signals) END AS learning
       FROM queries q LEFT JOIN query_learning l ON l.query_id = q.id
      WHERE q.collection_id = $1`,
    [collectionId],
  );
  return rows.sort((a, b) => compareIds(a.id, b.id));
}

/** Who judged each query and how much, most first; names from users. */
async function annotatorsOf(
  byQuery: ReadonlyMap<number, readonly QueryJudgment[]>,
  client: Queryable,
): Promise<{ perQuery: Map<number, AnnotatorCount[]>; names: Map<string, string> }> {
  const counts = new Map<number, Map<string, number>>();
  const everyone = new Set<string>();
  for (const [queryId, list] of byQuery) {
    const perAnnotator = new Map<string, number>();
    for (const j of list) perAnnotator.set(j.annotatorId, (perAnnotator.get(j.annotatorId) ?? 0) + 1);
    perAnnotator.forEach((_, id) => everyone.add(id));
    counts.set(queryId, perAnnotator);
  }
  const { rows } = await client.query<{ id: string; name: string }>(
    "SELECT id, name FROM users WHERE id = ANY($1::text[])",
    [[...everyone]],
  );
  const names = new Map(rows.map((r) => [r.id, r.name]));
  const perQuery = new Map(
    [...counts].map(([queryId, perAnnotator]) => [
      queryId,
      [...perAnnotator]
        .map(([id, judgments]) => ({ id, name: names.get(id) ?? id, judgments }))
        .sort((a, b) => b.judgments - a.judgments || a.name.localeCompare(b.name, "en") || (a.id < b.id ? -1 : 1)),
    ]),
  );
  return { perQuery, names };
}

const DAY_MS = 86_400_000;

/** Judgments per annotator per UTC day, days ascending, from the compact read. */
export function judgmentsPerDay(
  byQuery: ReadonlyMap<number, readonly QueryJudgment[]>,
  names: ReadonlyMap<string, string>,
): DayCount[] {
  const perAnnotator = new Map<string, Map<number, number>>();
  for (const list of byQuery.values())
    for (const j of list) {
      let days = perAnnotator.get(j.annotatorId);
      if (!days) perAnnotator.set(j.annotatorId, (days = new Map()));
      days.set(j.day, (days.get(j.day) ?? 0) + 1);
    }
  const counts = [...perAnnotator].flatMap(([annotatorId, days]) =>
    [...days].map(([day, judgments]) => ({ day, annotatorId, judgments })),
  );
  return counts
    .map((c) => ({ ...c, annotator: names.get(c.annotatorId) ?? c.annotatorId }))
    .sort(
      (a, b) =>
        a.day - b.day || a.annotator.localeCompare(b.annotator, "en") || (a.annotatorId < b.annotatorId ? -1 : 1),
    )
    .map((c) => ({
      day: new Date(c.day * DAY_MS).toISOString().slice(0, 10),
      annotatorId: c.annotatorId,
      annotator: c.annotator,
      judgments: c.judgments,
    }));
}

export async function readDashboard(
  collectionId: number,
  opts: { thin?: number; client?: Queryable } = {},
): Promise<Dashboard> {
  const client = opts.client ?? db();
  const metas = await readQueries(collectionId, client);
  const ids = metas.map((m) => m.rowId);
  // one compact read of every judgment serves the labels, the curves, who judged and the agreement
  const judgments = await judgmentsByQuery(ids, client);
  const [labels, annotators] = await Promise.all([
    labelsByQuery(ids, client, judgments),
    annotatorsOf(judgments, client),
  ]);
  const perDay = judgmentsPerDay(judgments, annotators.names);
  const agreement = agreementFromJudgments(judgments);
  const queries = metas.map(({ learning, ...meta }) =>
    dashboardQuery({
      meta,
      counts: countFinalLabels(labels.get(meta.rowId)!),
      learning,
      annotators: annotators.perQuery.get(meta.rowId) ?? [],
      agreement: agreement.perQuery.get(String(meta.rowId)),
    }),
  );
  const places = new Map([...labels].map(([id, l]) => [id, relevantPlaces(l)]));
  const curves = queries.map((q) => ({ queryId: q.id, judged: q.judged, places: places.get(q.rowId) ?? [] }));
  return {
    queries,
    matrix: coverageMatrix(queries, opts.thin ?? DEFAULT_THIN_THRESHOLD),
    perDay,
    curves,
    agreement: agreement.overall,
    totals: {
      queries: queries.length,
      judgments: queries.reduce((s, q) => s + q.annotators.reduce((t, a) => t + a.judgments, 0), 0),
      judged: queries.reduce((s, q) => s + q.judged, 0),
      relevant: queries.reduce((s, q) => s + q.relevant, 0),
      finished: queries.filter((q) => q.status === "finished" || q.status === "frozen").length,
    },
  };
}

import { agreementForQueries } from "@/lib/agreement/read";
import type { AgreementReport } from "@/lib/agreement/kappa";
import type { FinalLabelRow } from "@/lib/agreement/labels";
import { db } from "@/lib/db/client";
import type { RecallEstimate } from "@/lib/recall/estimate";
import type { Split } from "@/lib/queries/fields";
import type { AnnotationLine } from "./annotations";
import type { ExportPlan } from "./plan";

// What the dataset card says, read from the database: each published query's fields, counts and
// recall estimate (the learner's last round, trusted or not), agreement (lib/agreement/read), and the
// licences of the images the files name.

export type CardQuery = {
  queryId: string;
  text: string;
  split: Split;
  status: string;
  supercategory: string | null;
  category: string | null;
  iconicGroup: string | null;
  judged: number;
  relevant: number;
  estimate: RecallEstimate | null;
};

export type CardData = {
  queries: CardQuery[];
  annotators: number;
  agreement: AgreementReport;
  licences: { license: string; images: number }[];
};

export async function cardData(
  plan: ExportPlan,
  labels: readonly FinalLabelRow[],
  annotations: readonly AnnotationLine[],
  rerankImageIds: readonly string[],
  /** what the caller has already worked out from the judgments it read */
  known: { agreement?: AgreementReport; annotators?: number } = {},
): Promise<CardData> {
  const ids = plan.queries.map((q) => q.id);
  const { rows } = await db().query<Omit<CardQuery, "relevant" | "split" | "judged"> & { id: number }>(
    `SELECT q.id, q.source_id AS "queryId", q.text, q.status::text AS status, q.supercategory, q.category,
            q.iconic_group AS "iconicGroup",
            l.signals->'estimate' AS estimate
       FROM queries q LEFT JOIN query_learning l ON l.query_id = q.id
      WHERE q.id = ANY($1::int[])`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const judged = new Map<number, number>();
  for (const l of labels) if (l.judgments > 0) judged.set(l.queryId, (judged.get(l.queryId) ?? 0) + 1);
  const relevant = new Map<string, number>();
  for (const a of annotations) relevant.set(a.queryId, (relevant.get(a.queryId) ?? 0) + 1);
  const queries = plan.queries.map((q) => {
    const { id: _id, ...r } = byId.get(q.id)!;
    return { ...r, split: q.split, judged: judged.get(q.id) ?? 0, relevant: relevant.get(q.sourceId) ?? 0 };
  });
  const annotators =
    known.annotators ??
    (
      await db().query<{ n: number }>(
        "SELECT count(DISTINCT annotator_id)::int AS n FROM judgments WHERE query_id = ANY($1::int[])",
        [ids],
      )
    ).rows[0].n;
  const imageIds = [...new Set([...annotations.map((a) => a.imageId), ...rerankImageIds])];
  const licences = (
    await db().query<{ license: string; images: number }>(
      `SELECT coalesce(license, '(none given)') AS license, count(*)::int AS images FROM images
        WHERE collection_id = $1 AND source_id = ANY($2::text[]) GROUP BY 1 ORDER BY 2 DESC, 1`,
      [plan.collection.id, imageIds],
    )
  ).rows;
  return { queries, annotators, agreement: known.agreement ?? (await agreementForQueries(ids)), licences };
}

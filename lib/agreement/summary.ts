import { db } from "@/lib/db/client";
import { QUERY_ORDER } from "@/lib/queries/queries";
import type { Agreement } from "./kappa";
import { overlapCounts } from "./overlap";
import { agreementForQueries } from "./read";

// A collection's agreement numbers as the agreement page and GET /api/collections/[name]/agreement
// show them: per query (judged, overlapped, pairs, raw, kappa), per annotator pair with names, and
// overall. The numbers are agreementForQueries'; this adds the counts and names around them.

export type QueryAgreement = Agreement & {
  queryId: string;
  text: string;
  /** distinct judged images */
  judged: number;
  /** images sent to a second expert, and how many of those they have judged */
  overlapAssigned: number;
  overlapDone: number;
  /** why kappa is missing, when it is */
  kappaNote: string | null;
};

export type PairAgreement = Agreement & {
  annotators: [{ id: string; name: string }, { id: string; name: string }];
  kappaNote: string | null;
};

export type AgreementSummary = {
  queries: QueryAgreement[];
  pairs: PairAgreement[];
  overall: Agreement & { kappaNote: string | null };
};

/** Why kappa is null (or null when it is not): no pair, or one and the same judgment throughout. */
export function kappaNote(a: Agreement): string | null {
  if (a.kappa !== null) return null;
  if (a.pairs === 0) return "no image judged twice yet";
  return "undefined: every judgment was the same one";
}

export async function agreementSummary(collectionId: number): Promise<AgreementSummary> {
  const { rows: queries } = await db().query<{ id: number; sourceId: string; text: string; judged: number }>(
    `SELECT q.id, q.source_id AS "sourceId", q.text,
            (SELECT count(DISTINCT j.image_id)::int FROM judgments j WHERE j.query_id = q.id) AS judged
       FROM queries q WHERE q.collection_id = $1 ORDER BY ${QUERY_ORDER}`,
    [collectionId],
  );
  const ids = queries.map((q) => q.id);
  const [report, overlap] = await Promise.all([agreementForQueries(ids), overlapCounts(ids)]);
  const none: Agreement = { pairs: 0, raw: null, kappa: null };
  const annotatorIds = [...new Set([...report.perPair.values()].flatMap((p) => p.annotators))];
  const { rows: users } = annotatorIds.length
    ? await db().query<{ id: string; name: string }>("SELECT id, name FROM users WHERE id = ANY($1::text[])", [
        annotatorIds,
      ])
    : { rows: [] };
  const nameOf = new Map(users.map((u) => [u.id, u.name]));
  const person = (id: string) => ({ id, name: nameOf.get(id) ?? "(account removed)" });
  return {
    queries: queries.map((q) => {
      const a = report.perQuery.get(String(q.id)) ?? none;
      const o = overlap.get(q.id)!;
      return {
        queryId: q.sourceId,
        text: q.text,
        judged: q.judged,
        overlapAssigned: o.assigned,
        overlapDone: o.done,
        ...a,
        kappaNote: kappaNote(a),
      };
    }),
    pairs: [...report.perPair.values()]
      .map((p) => ({
        pairs: p.pairs,
        raw: p.raw,
        kappa: p.kappa,
        annotators: [person(p.annotators[0]), person(p.annotators[1])] as PairAgreement["annotators"],
        kappaNote: kappaNote(p),
      }))
      .sort((a, b) => b.pairs - a.pairs || a.annotators[0].name.localeCompare(b.annotators[0].name)),
    overall: { ...report.overall, kappaNote: kappaNote(report.overall) },
  };
}

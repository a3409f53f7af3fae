import { finalLabels } from "@/lib/agreement/labels";
import { db } from "@/lib/db/client";
import { compareIds } from "./annotations";
import type { PlannedQuery } from "./plan";

// judgments.jsonl: every judgment of the published queries with its history, every adjudication, and
// each judged pair's final label with its basis, one JSON object a line. A pair with no line was never
// looked at; a pair judged not relevant says so: what INQUIRE-Search's 0/1 export cannot tell apart.
// Annotators are "annotator-N", numbered by their first judgment (then their first adjudication) in the
// exported data, unless the lead asks for names; the same data gives the same bytes.

type JudgmentRow = {
  queryId: number;
  imageId: string;
  annotatorId: string;
  value: string;
  source: string | null;
  timeSpentMs: number | null;
  history: { value?: string; at?: string }[];
  createdAt: Date;
  updatedAt: Date;
};
type AdjudicationRow = {
  queryId: number;
  imageId: string;
  adjudicatorId: string | null;
  value: string;
  note: string | null;
  history: Record<string, unknown>[];
  createdAt: Date;
  updatedAt: Date;
};

export type JudgmentsFile = { text: string; lines: number; annotators: number };

/** Who is who in the file: "annotator-N" by first judgment, or the users' names. */
export async function annotatorLabels(
  judgments: readonly JudgmentRow[],
  adjudications: readonly AdjudicationRow[],
  names: boolean,
): Promise<Map<string, string>> {
  const first = new Map<string, { at: number; kind: number }>();
  const see = (id: string | null, at: Date, kind: number) => {
    if (!id) return;
    const t = at.getTime();
    const seen = first.get(id);
    if (!seen || kind < seen.kind || (kind === seen.kind && t < seen.at)) first.set(id, { at: t, kind });
  };
  for (const j of judgments) see(j.annotatorId, j.createdAt, 0);
  for (const a of adjudications) see(a.adjudicatorId, a.createdAt, 1);
  const ids = [...first.keys()].sort((a, b) => {
    const x = first.get(a)!;
    const y = first.get(b)!;
    return x.kind - y.kind || x.at - y.at || (a < b ? -1 : a > b ? 1 : 0);
  });
  if (!names) return new Map(ids.map((id, i) => [id, `annotator-${i + 1}`]));
  const { rows } = await db().query<{ id: string; name: string }>("SELECT id, name FROM users WHERE id = ANY($1)", [
    ids,
  ]);
  const byId = new Map(rows.map((r) => [r.id, r.name]));
  return new Map(ids.map((id) => [id, byId.get(id) ?? id]));
}

export async function judgmentsJsonl(queries: readonly PlannedQuery[], names = false): Promise<JudgmentsFile> {
  const ids = queries.map((q) => q.id);
  const [judgments, adjudications, labels] = await Promise.all([
    db()
      .query<JudgmentRow>(
        `SELECT j.query_id AS "queryId", i.source_id AS "imageId", j.annotator_id AS "annotatorId", j.value::text AS value,
                j.source, j.time_spent_ms AS "timeSpentMs", j.history, j.created_at AS "createdAt", j.updated_at AS "updatedAt"
           FROM judgments j JOIN images i ON i.id = j.image_id WHERE j.query_id = ANY($1::int[])`,
        [ids],
      )
      .then((r) => r.rows),
    db()
      .query<AdjudicationRow>(
        `SELECT a.query_id AS "queryId", i.source_id AS "imageId", a.adjudicator_id AS "adjudicatorId", a.value::text AS value,
                a.note, a.history, a.created_at AS "createdAt", a.updated_at AS "updatedAt"
           FROM adjudications a JOIN images i ON i.id = a.image_id WHERE a.query_id = ANY($1::int[])`,
        [ids],
      )
      .then((r) => r.rows),
    finalLabels(ids),
  ]);
  const who = await annotatorLabels(judgments, adjudications, names);
  const imageSource = new Map<number, string>();
  if (labels.length) {
    const { rows } = await db().query<{ id: string; sourceId: string }>(
      `SELECT id::text, source_id AS "sourceId" FROM images WHERE id = ANY($1::bigint[])`,
      [[...new Set(labels.map((l) => l.imageId))]],
    );
    for (const r of rows) imageSource.set(Number(r.id), r.sourceId);
  }
  const querySource = new Map(queries.map((q) => [q.id, q.sourceId]));
  const queryOrder = new Map(queries.map((q, i) => [q.id, i]));

  type Line = { q: number; image: string; kind: number; who: string; json: string };
  const lines: Line[] = [];
  for (const j of judgments) {
    const annotator = who.get(j.annotatorId)!;
    lines.push({
      q: j.queryId,
      image: j.imageId,
      kind: 0,
      who: annotator,
      json: JSON.stringify({
        kind: "judgment",
        query_id: querySource.get(j.queryId),
        image_id: j.imageId,
        annotator,
        value: j.value,
        first_judged_at: j.createdAt.toISOString(),
        judged_at: j.updatedAt.toISOString(),
        source: j.source,
        time_spent_ms: j.timeSpentMs,
        history: (j.history ?? []).map((h) => ({ value: h.value ?? null, at: h.at ?? null })),
      }),
    });
  }
  for (const a of adjudications) {
    const adjudicator = a.adjudicatorId ? (who.get(a.adjudicatorId) ?? null) : null;
    lines.push({
      q: a.queryId,
      image: a.imageId,
      kind: 1,
      who: adjudicator ?? "",
      json: JSON.stringify({
        kind: "adjudication",
        query_id: querySource.get(a.queryId),
        image_id: a.imageId,
        adjudicator,
        value: a.value,
        note: a.note,
        first_adjudicated_at: a.createdAt.toISOString(),
        adjudicated_at: a.updatedAt.toISOString(),
        history: (a.history ?? []).map((h) => {
          const by = (h.by ?? h.adjudicatorId ?? null) as string | null;
          return { value: h.value ?? null, at: h.at ?? null, by: by ? (who.get(by) ?? "annotator-unknown") : null };
        }),
      }),
    });
  }
  for (const l of labels) {
    const image = imageSource.get(l.imageId)!;
    lines.push({
      q: l.queryId,
      image,
      kind: 2,
      who: "",
      json: JSON.stringify({
        kind: "final",
        query_id: querySource.get(l.queryId),
        image_id: image,
        value: l.value,
        basis: l.basis,
        judgments: l.judgments,
      }),
    });
  }
  // each image's place worked out once: a few hundred thousand lines sort on numbers
  const imageRank = new Map(
    [...new Set(lines.map((l) => l.image))].sort(compareIds).map((image, i) => [image, i] as const),
  );
  lines.sort(
    (x, y) =>
      queryOrder.get(x.q)! - queryOrder.get(y.q)! ||
      imageRank.get(x.image)! - imageRank.get(y.image)! ||
      x.kind - y.kind ||
      (x.who < y.who ? -1 : x.who > y.who ? 1 : 0),
  );
  return {
    text: lines.map((l) => `${l.json}\n`).join(""),
    lines: lines.length,
    annotators: who.size,
  };
}

import type { FinalLabelRow } from "@/lib/agreement/labels";
import { db } from "@/lib/db/client";
import { compareIds } from "./annotations";
import type { PlannedQuery } from "./plan";

// judgments.jsonl: every judgment of the published queries with its history, every adjudication, and
// each judged pair's final label with its basis (lib/agreement/labels), one JSON object a line. A pair
// with no line was never looked at; a pair judged not relevant says so: what INQUIRE-Search's 0/1
// export cannot tell apart. Annotators are "annotator-N", numbered by their first judgment (then their
// first adjudication) in the exported data, unless the lead asks for names; the same data gives the
// same bytes. The judgment and adjudication lines are made as JSON text by the database (a few hundred
// thousand rows parse far faster as one text column than as dates and jsonb).

export type JudgmentsFile = { text: string; lines: number; annotators: number };

/** Who is who in the file: "annotator-N" by first judgment, then first adjudication, or the users' names. */
export async function annotatorLabels(queryRowIds: readonly number[], names: boolean): Promise<Map<string, string>> {
  const { rows } = await db().query<{ id: string; name: string }>(
    `WITH firsts AS (
       SELECT annotator_id AS id, 0 AS kind, min(created_at) AS at FROM judgments WHERE query_id = ANY($1::int[]) GROUP BY 1
       UNION ALL
       SELECT adjudicator_id, 1, min(created_at) FROM adjudications
        WHERE query_id = ANY($1::int[]) AND adjudicator_id IS NOT NULL GROUP BY 1),
     first AS (SELECT DISTINCT ON (id) id, kind, at FROM firsts ORDER BY id, kind, at)
     SELECT f.id, coalesce(u.name, f.id) AS name FROM first f LEFT JOIN users u ON u.id = f.id
      ORDER BY f.kind, f.at, f.id COLLATE "C"`,
    [queryRowIds],
  );
  return new Map(rows.map((r, i) => [r.id, names ? r.name : `annotator-${i + 1}`]));
}

type SqlLine = { q: number; image: string; kind: number; who: string; json: string };

export async function judgmentsJsonl(
  queries: readonly PlannedQuery[],
  labels: readonly FinalLabelRow[],
  names = false,
): Promise<JudgmentsFile> {
  const ids = queries.map((q) => q.id);
  const who = await annotatorLabels(ids, names);
  const params = [ids, queries.map((q) => q.sourceId), [...who.keys()], [...who.values()]];
  // row_to_json writes compact JSON with the columns in the order selected, as JSON.stringify does;
  // timestamps as ISO 8601 in UTC with milliseconds (Date#toISOString's form)
  const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const history = (col: string, by: string) =>
    `CASE WHEN jsonb_array_length(${col}) = 0 THEN '[]'::json ELSE (SELECT ('[' || string_agg(x.obj, ',' ORDER BY x.n) || ']')::json
        FROM (SELECT n, (SELECT row_to_json(y)::text FROM (SELECT h->'value' AS value, h->'at' AS at${by}) y) AS obj
                FROM jsonb_array_elements(${col}) WITH ORDINALITY AS e(h, n)) x) END`;
  const { rows } = await db().query<SqlLine>(
    `WITH q AS (SELECT * FROM unnest($1::int[], $2::text[]) AS q(id, source_id)),
          w AS (SELECT * FROM unnest($3::text[], $4::text[]) AS w(id, label))
     SELECT j.query_id AS q, i.source_id AS image, 0 AS kind, w.label AS who,
            (SELECT row_to_json(r)::text FROM (SELECT 'judgment' AS kind, q.source_id AS query_id, i.source_id AS image_id,
                    w.label AS annotator, j.value, ${iso("j.created_at")} AS first_judged_at,
                    ${iso("j.updated_at")} AS judged_at, j.source, j.time_spent_ms,
                    ${history("j.history", "")} AS history) r) AS json
       FROM judgments j JOIN q ON q.id = j.query_id JOIN images i ON i.id = j.image_id JOIN w ON w.id = j.annotator_id
     UNION ALL
     SELECT a.query_id, i.source_id, 1, coalesce(w.label, ''),
            (SELECT row_to_json(r)::text FROM (SELECT 'adjudication' AS kind, q.source_id AS query_id, i.source_id AS image_id,
                    w.label AS adjudicator, a.value, a.note, ${iso("a.created_at")} AS first_adjudicated_at,
                    ${iso("a.updated_at")} AS adjudicated_at,
                    ${history("a.history", ", (SELECT label FROM w WHERE w.id = coalesce(h->>'by', h->>'adjudicatorId')) AS by")} AS history) r)
       FROM adjudications a JOIN q ON q.id = a.query_id JOIN images i ON i.id = a.image_id
       LEFT JOIN w ON w.id = a.adjudicator_id`,
    params,
  );
  const querySource = new Map(queries.map((q) => [q.id, q.sourceId]));
  const imageSource = new Map<number, string>();
  if (labels.length) {
    const { rows: images } = await db().query<{ id: string; sourceId: string }>(
      `SELECT id::text, source_id AS "sourceId" FROM images WHERE id = ANY($1::bigint[])`,
      [[...new Set(labels.map((l) => l.imageId))]],
    );
    for (const r of images) imageSource.set(Number(r.id), r.sourceId);
  }
  const lines: SqlLine[] = rows;
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
  // each query's and image's place worked out once: a few hundred thousand lines sort on numbers
  const queryOrder = new Map(queries.map((q, i) => [q.id, i]));
  const imageRank = new Map([...new Set(lines.map((l) => l.image))].sort(compareIds).map((image, i) => [image, i]));
  const keyed = lines.map((l) => ({ l, q: queryOrder.get(l.q)!, i: imageRank.get(l.image)! }));
  keyed.sort(
    (x, y) => x.q - y.q || x.i - y.i || x.l.kind - y.l.kind || (x.l.who < y.l.who ? -1 : x.l.who > y.l.who ? 1 : 0),
  );
  const text = keyed.map((k) => `${k.l.json}\n`).join("");
  return { text, lines: lines.length, annotators: who.size };
}

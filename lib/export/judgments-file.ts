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
  const isoSql = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const history = (col: string, by: string) =>
    `CASE WHEN jsonb_array_length(${col}) = 0 THEN '[]'::json ELSE (SELECT ('[' || string_agg(x.obj, ',' ORDER BY x.n) || ']')::json
        FROM (SELECT n, (SELECT row_to_json(y)::text FROM (SELECT h->'value' AS value, h->'at' AS at${by}) y) AS obj
                FROM jsonb_array_elements(${col}) WITH ORDINALITY AS e(h, n)) x) END`;
  // the judgments as plain columns, their lines made here (the database building 200,000 JSON rows is
  // what made this slow); history only where there is one, with just its value and time
  const { rows: judged } = await db().query<{
    q: number;
    imageRow: string;
    image: string;
    who: string;
    value: string;
    first: string;
    last: string;
    source: string | null;
    ms: number | null;
    history: string | null;
  }>(
    `WITH q AS (SELECT * FROM unnest($1::int[]) AS q(id))
     SELECT j.query_id AS q, j.image_id::text AS "imageRow", i.source_id AS image, j.annotator_id AS who, j.value::text AS value,
            ${isoSql("j.created_at")} AS first, ${isoSql("j.updated_at")} AS last, j.source, j.time_spent_ms AS ms,
            CASE WHEN jsonb_array_length(j.history) > 0 THEN
              (SELECT '[' || string_agg((SELECT row_to_json(y)::text FROM (SELECT h->'value' AS value, h->'at' AS at) y), ',' ORDER BY n) || ']'
                 FROM jsonb_array_elements(j.history) WITH ORDINALITY AS e(h, n)) END AS history
       FROM judgments j JOIN q ON q.id = j.query_id JOIN images i ON i.id = j.image_id`,
    [ids],
  );
  const querySourceOf = new Map(queries.map((q) => [q.id, q.sourceId]));
  // a template, not JSON.stringify of an object: 200,000 lines, same bytes (the keys in this order, every
  // text through JSON.stringify, history's JSON from the database as it is)
  const str = JSON.stringify;
  const rows: SqlLine[] = judged.map((j) => {
    const label = who.get(j.who)!;
    return {
      q: j.q,
      image: j.image,
      kind: 0,
      who: label,
      json:
        `{"kind":"judgment","query_id":${str(querySourceOf.get(j.q))},"image_id":${str(j.image)},` +
        `"annotator":${str(label)},"value":${str(j.value)},"first_judged_at":"${j.first}",` +
        `"judged_at":"${j.last}","source":${str(j.source)},"time_spent_ms":${j.ms ?? "null"},` +
        `"history":${j.history ?? "[]"}}`,
    };
  });
  const { rows: adjudicated } = await db().query<SqlLine>(
    `WITH q AS (SELECT * FROM unnest($1::int[], $2::text[]) AS q(id, source_id)),
          w AS (SELECT * FROM unnest($3::text[], $4::text[]) AS w(id, label))
     SELECT a.query_id AS q, i.source_id AS image, 1 AS kind, coalesce(w.label, '') AS who,
            (SELECT row_to_json(r)::text FROM (SELECT 'adjudication' AS kind, q.source_id AS query_id, i.source_id AS image_id,
                    w.label AS adjudicator, a.value, a.note, ${isoSql("a.created_at")} AS first_adjudicated_at,
                    ${isoSql("a.updated_at")} AS adjudicated_at,
                    ${history("a.history", ", (SELECT label FROM w WHERE w.id = coalesce(h->>'by', h->>'adjudicatorId')) AS by")} AS history) r) AS json
       FROM adjudications a JOIN q ON q.id = a.query_id JOIN images i ON i.id = a.image_id
       LEFT JOIN w ON w.id = a.adjudicator_id`,
    params,
  );
  rows.push(...adjudicated);
  const querySource = new Map(queries.map((q) => [q.id, q.sourceId]));
  // images' own ids from the judgments just read; only images nobody judged (adjudicated alone) are looked up
  const imageSource = new Map<number, string>();
  for (const j of judged) imageSource.set(Number(j.imageRow), j.image);
  const unknown = [...new Set(labels.map((l) => l.imageId).filter((id) => !imageSource.has(id)))];
  if (unknown.length) {
    const { rows: images } = await db().query<{ id: string; sourceId: string }>(
      `SELECT id::text, source_id AS "sourceId" FROM images WHERE id = ANY($1::bigint[])`,
      [unknown],
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
      json:
        `{"kind":"final","query_id":${str(querySource.get(l.queryId))},"image_id":${str(image)},` +
        `"value":${str(l.value)},"basis":${str(l.basis)},"judgments":${l.judgments}}`,
    });
  }
  // each query's and image's place worked out once: a few hundred thousand lines sort on numbers
  const queryOrder = new Map(queries.map((q, i) => [q.id, i]));
  const imageRank = new Map([...new Set(lines.map((l) => l.image))].sort(compareIds).map((image, i) => [image, i]));
  // one number per line orders query, image and kind; only an image's several judgments tie, on who
  const kinds = 3;
  const keyed = lines.map((l) => ({
    l,
    key: (queryOrder.get(l.q)! * imageRank.size + imageRank.get(l.image)!) * kinds + l.kind,
  }));
  keyed.sort((x, y) => x.key - y.key || (x.l.who < y.l.who ? -1 : x.l.who > y.l.who ? 1 : 0));
  const text = keyed.map((k) => `${k.l.json}\n`).join("");
  return { text, lines: lines.length, annotators: who.size };
}

import type { FinalLabelRow } from "@/lib/agreement/labels";
import { db } from "@/lib/db/client";
import { compareKnownIds } from "./annotations";
import { LineBytes } from "./line-bytes";
import type { ExportJudgments } from "./judgments-read";
import type { PlannedQuery } from "./plan";

// judgments.jsonl: every judgment of the published queries with its history, every adjudication, and
// each judged pair's final label with its basis (lib/agreement/labels), one JSON object a line. A pair
// with no line was never looked at; a pair judged not relevant says so: what INQUIRE-Search's 0/1
// export cannot tell apart. Annotators are "annotator-N", numbered by their first judgment (then their
// first adjudication) in the exported data, unless the lead asks for names; the same data gives the
// same bytes. Lines are ordered by query (the plan's order), image (compareIds), kind (judgment,
// adjudication, final), then annotator label; they are written as bytes (lib/export/line-bytes).

export type JudgmentsFile = { bytes: Buffer; lines: number; annotators: number };

/**
 * Who is who in the file: "annotator-N" numbered by first judgment, then by first adjudication (ties by
 * id, byte order), or the users' names.
 */
export async function annotatorLabels(
  queryRowIds: readonly number[],
  judged: ExportJudgments,
  names: boolean,
): Promise<Map<string, string>> {
  const firsts = new Map<string, { kind: number; at: number }>();
  for (const j of judged.rows) {
    const seen = firsts.get(j.annotatorId);
    if (!seen || j.first < seen.at) firsts.set(j.annotatorId, { kind: 0, at: j.first });
  }
  const { rows: adjudicators } = await db().query<{ id: string; at: number }>(
    `SELECT adjudicator_id AS id, date_part('epoch', min(created_at)) * 1000 AS at FROM adjudications
      WHERE query_id = ANY($1::int[]) AND adjudicator_id IS NOT NULL GROUP BY 1`,
    [queryRowIds],
  );
  for (const a of adjudicators) if (!firsts.has(a.id)) firsts.set(a.id, { kind: 1, at: Math.round(a.at) });
  const ids = [...firsts.keys()].sort((a, b) => {
    const x = firsts.get(a)!;
    const y = firsts.get(b)!;
    return x.kind - y.kind || x.at - y.at || Buffer.compare(Buffer.from(a), Buffer.from(b));
  });
  if (!names) return new Map(ids.map((id, i) => [id, `annotator-${i + 1}`]));
  const { rows: users } = await db().query<{ id: string; name: string }>(
    `SELECT id, name FROM users WHERE id = ANY($1::text[])`,
    [ids],
  );
  const nameOf = new Map(users.map((u) => [u.id, u.name]));
  return new Map(ids.map((id) => [id, nameOf.get(id) ?? id]));
}

const VALUES = ["relevant", "not_relevant", "unsure"] as const;

/** The file, from the export's one read of the judgments (lib/export/judgments-read) and the final labels. */
export async function judgmentsJsonl(
  queries: readonly PlannedQuery[],
  labels: readonly FinalLabelRow[],
  judged: ExportJudgments,
  names = false,
): Promise<JudgmentsFile> {
  const ids = queries.map((q) => q.id);
  const who = await annotatorLabels(ids, judged, names);
  const parsed = judged.rows;
  const adjudicated = await adjudicationLines(queries, who);

  // every image's own id and its place in the file's order
  const imageSource = new Map<number, string>();
  for (const j of parsed) imageSource.set(j.imageId, j.image);
  for (const a of adjudicated) imageSource.set(a.imageRow, a.image);
  const unknown = [...new Set(labels.map((l) => l.imageId).filter((id) => !imageSource.has(id)))];
  if (unknown.length) {
    const { rows } = await db().query<{ id: string; sourceId: string }>(
      `SELECT id::text, source_id AS "sourceId" FROM images WHERE id = ANY($1::bigint[])`,
      [unknown],
    );
    for (const r of rows) imageSource.set(Number(r.id), r.sourceId);
  }

  // one number per line orders it: query, image, kind (judgment, adjudication, final), then annotator;
  // the lines are then written in that order
  const imageRank = rankImages(imageSource);
  const queryOrder = new Map(queries.map((q, i) => [q.id, i]));
  // judgments of one image tie on kind; they are ordered by annotator label
  const whoRank = new Map([...who].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id], i) => [id, i]));
  const place = (queryId: number, imageRow: number, kind: number, whoPlace = 0) =>
    ((queryOrder.get(queryId)! * imageRank.size + imageRank.get(imageRow)!) * 3 + kind) * whoRank.size + whoPlace;
  const total = parsed.length + adjudicated.length + labels.length;
  const keys = new Float64Array(total);
  let n = 0;
  for (const j of parsed) keys[n++] = place(j.queryId, j.imageId, 0, whoRank.get(j.annotatorId));
  for (const a of adjudicated) keys[n++] = place(a.q, a.imageRow, 1);
  for (const l of labels) keys[n++] = place(l.queryId, l.imageId, 2);
  const order = sortedOrder(keys);

  // the JSON of every id, name and key made once; the keys in this order, every text through JSON.stringify
  const str = JSON.stringify;
  const bytes = (text: string) => Buffer.from(text, "utf8");
  const judgmentStart = new Map(
    queries.map((q) => [q.id, bytes(`{"kind":"judgment","query_id":${str(q.sourceId)},"image_id":`)]),
  );
  const finalStart = new Map(
    queries.map((q) => [q.id, bytes(`{"kind":"final","query_id":${str(q.sourceId)},"image_id":`)]),
  );
  const imageJson = new Map<number, Buffer>();
  for (const [row, id] of imageSource) imageJson.set(row, bytes(str(id)));
  const whoValue = new Map(
    [...who].map(([id, label]) => [
      id,
      Object.fromEntries(
        VALUES.map((value) => [value, bytes(`,"annotator":${str(label)},"value":"${value}","first_judged_at":"`)]),
      ) as Record<(typeof VALUES)[number], Buffer>,
    ]),
  );
  const sourceJson = new Map<string, Buffer>();
  const finalValue = new Map<string, Buffer>();
  // a judgment's line is about 200 bytes, a final label's 100 (ids and names make them longer)
  const out = new LineBytes(
    parsed.length * 240 + labels.length * 120 + adjudicated.reduce((n, a) => n + a.json.length * 3 + 1, 0),
  );
  for (let k = 0; k < total; k++) {
    const i = order[k];
    if (i < parsed.length) {
      const j = parsed[i];
      let source = j.source === null ? NO_SOURCE : sourceJson.get(j.source);
      if (source === undefined)
        sourceJson.set(j.source!, (source = bytes(`","source":${str(j.source)},"time_spent_ms":`)));
      out.bytes(judgmentStart.get(j.queryId)!);
      out.bytes(imageJson.get(j.imageId)!);
      out.bytes(whoValue.get(j.annotatorId)![j.value]);
      out.isoTime(j.first);
      out.bytes(JUDGED_AT);
      out.isoTime(j.last);
      out.bytes(source);
      if (j.timeSpentMs === null) out.bytes(NULL);
      else out.int(j.timeSpentMs);
      out.bytes(HISTORY);
      if (j.history) out.once(historyJson(j.history));
      else out.bytes(EMPTY_HISTORY);
    } else if (i < parsed.length + adjudicated.length) {
      out.once(adjudicated[i - parsed.length].json);
    } else {
      const l = labels[i - parsed.length - adjudicated.length];
      const valueKey = `${l.value}/${l.basis}`;
      let value = finalValue.get(valueKey);
      if (value === undefined)
        finalValue.set(valueKey, (value = bytes(`,"value":"${l.value}","basis":"${l.basis}","judgments":`)));
      out.bytes(finalStart.get(l.queryId)!);
      out.bytes(imageJson.get(l.imageId)!);
      out.bytes(value);
      out.int(l.judgments);
      out.bytes(CLOSE);
    }
    out.end();
  }
  return { bytes: out.result(), lines: total, annotators: who.size };
}

const JUDGED_AT = Buffer.from(`","judged_at":"`);
const NULL = Buffer.from("null");
const NO_SOURCE = Buffer.from(`","source":null,"time_spent_ms":`);
const HISTORY = Buffer.from(`,"history":`);
const EMPTY_HISTORY = Buffer.from("[]}");
const CLOSE = Buffer.from("}");

/** The adjudications of the queries, each as its line (JSON made by the database: they are few). */
async function adjudicationLines(
  queries: readonly PlannedQuery[],
  who: Map<string, string>,
): Promise<{ q: number; imageRow: number; image: string; json: string }[]> {
  const isoSql = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const { rows } = await db().query<{ q: number; imageRow: string; image: string; json: string }>(
    `WITH q AS (SELECT * FROM unnest($1::int[], $2::text[]) AS q(id, source_id)),
          w AS (SELECT * FROM unnest($3::text[], $4::text[]) AS w(id, label))
     SELECT a.query_id AS q, a.image_id::text AS "imageRow", i.source_id AS image,
            (SELECT row_to_json(r)::text FROM (SELECT 'adjudication' AS kind, q.source_id AS query_id, i.source_id AS image_id,
                    w.label AS adjudicator, a.value, a.note, ${isoSql("a.created_at")} AS first_adjudicated_at,
                    ${isoSql("a.updated_at")} AS adjudicated_at,
                    CASE WHEN jsonb_array_length(a.history) = 0 THEN '[]'::json ELSE
                      (SELECT ('[' || string_agg(x.obj, ',' ORDER BY x.n) || ']')::json
                         FROM (SELECT n, (SELECT row_to_json(y)::text
                                            FROM (SELECT h->'value' AS value, h->'at' AS at,
                                                         (SELECT label FROM w WHERE w.id = coalesce(h->>'by', h->>'adjudicatorId')) AS by) y) AS obj
                                 FROM jsonb_array_elements(a.history) WITH ORDINALITY AS e(h, n)) x) END AS history) r) AS json
       FROM adjudications a JOIN q ON q.id = a.query_id JOIN images i ON i.id = a.image_id
       LEFT JOIN w ON w.id = a.adjudicator_id`,
    [queries.map((q) => q.id), queries.map((q) => q.sourceId), [...who.keys()], [...who.values()]],
  );
  return rows.map((r) => ({ ...r, imageRow: Number(r.imageRow) }));
}

/**
 * The line numbers in the order of their keys (all distinct). Each key and its line number packed in
 * one exact double, sorted natively, when they fit in 53 bits (INQUIRE's size needs 51); else a comparator.
 */
export function sortedOrder(keys: Float64Array): Uint32Array {
  const total = keys.length;
  const order = new Uint32Array(total);
  let max = 0;
  for (let i = 0; i < total; i++) if (keys[i] > max) max = keys[i];
  if ((max + 1) * total < Number.MAX_SAFE_INTEGER) {
    const packed = new Float64Array(total);
    for (let i = 0; i < total; i++) packed[i] = keys[i] * total + i;
    packed.sort();
    for (let i = 0; i < total; i++) order[i] = packed[i] % total;
    return order;
  }
  for (let i = 0; i < total; i++) order[i] = i;
  return order.sort((x, y) => keys[x] - keys[y]);
}

/** Earlier values as [{"value","at"}], in the order stored (what the file keeps of a history), and the line's end. */
function historyJson(stored: string): string {
  const entries = JSON.parse(stored) as { value?: unknown; at?: unknown }[];
  return `[${entries.map((h) => `{"value":${JSON.stringify(h.value ?? null)},"at":${JSON.stringify(h.at ?? null)}}`).join(",")}]}`;
}

/** Each image row's place when the images' own ids are ordered by compareIds (numbers first, by value). */
function rankImages(imageSource: Map<number, string>): Map<number, number> {
  const entries = [...imageSource].map(([row, id]) => ({ row, id, numeric: /^\d+$/.test(id) }));
  entries.sort((a, b) => compareKnownIds(a.id, a.numeric, b.id, b.numeric));
  return new Map(entries.map((e, i) => [e.row, i]));
}

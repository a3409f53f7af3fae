import type pg from "pg";
import { db } from "@/lib/db/client";
import type { JudgmentValue } from "@/lib/judgments/values";
import { finalLabel, type FinalLabel } from "./final-label";

// Final labels read from the database: every judged or adjudicated (query, image) of the given queries,
// with the one label finalLabel gives it. Exports, rerank sets, the dashboard and evaluation read labels
// here and nowhere else, so "relevant" means the same in all of them.

export type FinalLabelRow = FinalLabel & {
  queryId: number;
  imageId: number;
  /** how many annotators judged it */
  judgments: number;
};

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/**
 * Final labels of the queries' (query, image) pairs, ordered by query id, then image id: the compact
 * read below, labels decided in memory. Pass `judgments` when the caller has read them already (an
 * export reads them once for its labels, its agreement and its card).
 */
export async function finalLabels(
  queryIds: readonly number[],
  client: Queryable = db(),
  judgments?: Map<number, QueryJudgment[]>,
): Promise<FinalLabelRow[]> {
  if (!queryIds.length) return [];
  const byQuery = await labelsByQuery(queryIds, client, judgments);
  const out: FinalLabelRow[] = [];
  for (const queryId of [...queryIds].sort((a, b) => a - b)) {
    const labels = [...(byQuery.get(queryId) ?? [])].sort((a, b) => a.imageId - b.imageId);
    for (const { imageId, judgments: n, value, basis, needsAdjudication } of labels)
      out.push({ queryId, imageId, judgments: n, value, basis, needsAdjudication });
  }
  return out;
}

/** The relevant images of each query by final label (INQUIRE's annotations), image ids ascending. */
export async function relevantByQuery(
  queryIds: readonly number[],
  client: Queryable = db(),
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(queryIds.map((id) => [id, []]));
  for (const row of await finalLabels(queryIds, client))
    if (row.value === "relevant") out.get(row.queryId)!.push(row.imageId);
  return out;
}

// Readers over many judgments (the dashboard at 200,000): every judgment of the queries in one compact
// pass (one text per query, parsed here), final labels then decided in memory by finalLabel, as above.
// tests/dashboard/labels checks they give what finalLabels gives.

/**
 * One judgment as the compact read gives it; `id` is judgments.id, the order judgments were first made;
 * `day` the UTC day it was first made, as days since 1970-01-01.
 */
export type QueryJudgment = { id: number; imageId: number; annotatorId: string; value: JudgmentValue; day: number };

const VALUE_OF: Record<string, JudgmentValue> = { r: "relevant", n: "not_relevant", u: "unsure" };
// fields end in the unit separator, records in the record separator: no id, number or value holds them
// (a count per query checks the parse)

/** Every judgment of each query (every id given, [] when none), in the order made. */
export async function judgmentsByQuery(
  queryIds: readonly number[],
  client: Queryable = db(),
): Promise<Map<number, QueryJudgment[]>> {
  const out = new Map<number, QueryJudgment[]>(queryIds.map((id) => [id, []]));
  if (!queryIds.length) return out;
  // CASE, not value::text: a comparison per row costs less than the enum's output function
  const { rows } = await client.query<{ queryId: number; n: number; packed: string }>(
    `SELECT query_id AS "queryId", count(*)::int AS n,
            string_agg(concat_ws(E'\\x1f', id, image_id,
                                 CASE value WHEN 'relevant' THEN 'r' WHEN 'not_relevant' THEN 'n' ELSE 'u' END,
                                 (created_at AT TIME ZONE 'UTC')::date - date '1970-01-01', annotator_id),
                       E'\\x1e') AS packed
       FROM judgments WHERE query_id = ANY($1::int[]) GROUP BY query_id`,
    [queryIds],
  );
  for (const { queryId, n, packed } of rows) {
    const list = parsePacked(packed);
    if (list.length !== n)
      throw new Error(`judgments of query ${queryId}: read ${list.length} of ${n}; an annotator id holds a separator?`);
    let ordered = true;
    for (let i = 1; i < list.length && ordered; i++) ordered = list[i - 1].id < list[i].id;
    out.set(queryId, ordered ? list : list.sort((a, b) => a.id - b.id));
  }
  return out;
}

/**
 * Reads "id␟image␟value␟day␟annotator␞..." digit by digit: splitting 200,000 records into a million
 * strings first costs more in garbage than the numbers are worth. A malformed record throws.
 */
function parsePacked(packed: string): QueryJudgment[] {
  const list: QueryJudgment[] = [];
  const annotators = new Map<string, string>(); // one string per annotator, not one per judgment
  let at = 0;
  // "-" allowed: a judgment dated before 1970 (an imported one) has a negative day
  const number = () => {
    const negative = packed.charCodeAt(at) === 45;
    if (negative) at++;
    let x = 0;
    let digits = 0;
    for (let c = packed.charCodeAt(at); c >= 48 && c <= 57; c = packed.charCodeAt(++at), digits++) x = x * 10 + c - 48;
    if (!digits || packed.charCodeAt(at) !== 0x1f) throw new Error(`unreadable judgment near character ${at}`);
    at++;
    return negative ? -x : x;
  };
  while (at < packed.length) {
    const id = number();
    const imageId = number();
    const value = VALUE_OF[packed[at]];
    if (!value || packed.charCodeAt(at + 1) !== 0x1f) throw new Error(`unreadable judgment value near character ${at}`);
    at += 2;
    const day = number();
    let end = packed.indexOf("\u001e", at);
    if (end < 0) end = packed.length;
    const raw = packed.slice(at, end);
    let annotatorId = annotators.get(raw);
    if (annotatorId === undefined) annotators.set(raw, (annotatorId = raw));
    list.push({ id, imageId, value, day, annotatorId });
    at = end + 1;
  }
  return list;
}

/** The lead's adjudications of each query, by image id. */
export async function adjudicationsByQuery(
  queryIds: readonly number[],
  client: Queryable = db(),
): Promise<Map<number, Map<number, JudgmentValue>>> {
  const out = new Map<number, Map<number, JudgmentValue>>(queryIds.map((id) => [id, new Map()]));
  if (!queryIds.length) return out;
  const { rows } = await client.query<{ queryId: number; imageId: string; value: JudgmentValue }>(
    `SELECT query_id AS "queryId", image_id AS "imageId", value FROM adjudications WHERE query_id = ANY($1::int[])`,
    [queryIds],
  );
  for (const r of rows) out.get(r.queryId)!.set(Number(r.imageId), r.value);
  return out;
}

export type OrderedLabel = FinalLabel & { imageId: number; judgments: number };

/**
 * One query's final labels: its judged images in the order first judged, then images only adjudicated
 * (nobody's judgment left) by image id. The same labels finalLabels gives, in judging order.
 */
export function labelsInJudgingOrder(
  judgments: readonly QueryJudgment[],
  adjudicated: ReadonlyMap<number, JudgmentValue> = new Map(),
): OrderedLabel[] {
  // judgments arrive in the order made: an image's first judgment fixes its place
  const place = new Map<number, number>();
  const values: JudgmentValue[][] = [];
  const images: number[] = [];
  for (const j of judgments) {
    const i = place.get(j.imageId);
    if (i === undefined) {
      place.set(j.imageId, images.length);
      images.push(j.imageId);
      values.push([j.value]);
    } else values[i].push(j.value);
  }
  // finalLabels hands finalLabel the values in annotator order; the label does not depend on it
  const out: OrderedLabel[] = images.map((imageId, i) => {
    const { value, basis, needsAdjudication } = finalLabel(values[i], adjudicated.get(imageId));
    return { imageId, judgments: values[i].length, value, basis, needsAdjudication };
  });
  const only = [...adjudicated.keys()].filter((id) => !place.has(id)).sort((a, b) => a - b);
  for (const imageId of only) out.push({ imageId, judgments: 0, ...finalLabel([], adjudicated.get(imageId)) });
  return out;
}

/** How a query's (query, image) pairs stand by final label. */
export type FinalLabelCounts = {
  /** images with at least one judgment */
  judged: number;
  relevant: number;
  notRelevant: number;
  unsure: number;
  /** annotators disagree and no lead has adjudicated: no label yet */
  disagreement: number;
  adjudicated: number;
  /** what the lead's adjudication queue holds: disagreements and unadjudicated "unsure" */
  needsAdjudication: number;
};

export function countFinalLabels(labels: readonly OrderedLabel[]): FinalLabelCounts {
  const c: FinalLabelCounts = {
    judged: 0,
    relevant: 0,
    notRelevant: 0,
    unsure: 0,
    disagreement: 0,
    adjudicated: 0,
    needsAdjudication: 0,
  };
  for (const l of labels) {
    if (l.judgments > 0) c.judged++;
    if (l.value === "relevant") c.relevant++;
    else if (l.value === "not_relevant") c.notRelevant++;
    else if (l.value === "unsure") c.unsure++;
    if (l.basis === "disagreement") c.disagreement++;
    if (l.basis === "adjudicated") c.adjudicated++;
    if (l.needsAdjudication) c.needsAdjudication++;
  }
  return c;
}

/**
 * Where the relevant images were found: the 1-based place, among the judged images in the order first
 * judged (the order learning rounds read), of each whose final label is relevant. Images only adjudicated
 * have no place. The relevant-found curve is drawn from these.
 */
export function relevantPlaces(labels: readonly OrderedLabel[]): number[] {
  const places: number[] = [];
  labels.forEach((l, i) => {
    if (l.judgments > 0 && l.value === "relevant") places.push(i + 1);
  });
  return places;
}

/** Per query (every id given), its final labels in judging order, from one compact read. */
export async function labelsByQuery(
  queryIds: readonly number[],
  client: Queryable = db(),
  judgments?: Map<number, QueryJudgment[]>,
): Promise<Map<number, OrderedLabel[]>> {
  const [byQuery, adjudications] = await Promise.all([
    judgments ?? judgmentsByQuery(queryIds, client),
    adjudicationsByQuery(queryIds, client),
  ]);
  return new Map(queryIds.map((id) => [id, labelsInJudgingOrder(byQuery.get(id) ?? [], adjudications.get(id))]));
}

/** Per query (every id given, zeros included), its pairs counted by final label. */
export async function finalLabelCounts(
  queryIds: readonly number[],
  client: Queryable = db(),
): Promise<Map<number, FinalLabelCounts>> {
  const labels = await labelsByQuery(queryIds, client);
  return new Map([...labels].map(([id, l]) => [id, countFinalLabels(l)]));
}

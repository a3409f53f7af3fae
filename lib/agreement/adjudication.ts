import { can, PermissionError } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import type { JudgmentValue } from "@/lib/judgments/values";
import { QUERY_ORDER, type QueryRef } from "@/lib/queries/queries";
import { finalLabels } from "./labels";

// The lead's adjudication: what is open (finalLabels' needsAdjudication: annotators who disagree, or
// an "unsure"), each item with every judgment and who made it, and the lead's final word on one
// (query, image). A value is relevant or not relevant, never unsure; changing it keeps the earlier
// value, who gave it and when in history. Once adjudicated, an item is no longer open and its final
// label is the adjudicated value (lib/agreement/final-label.ts).

export const ADJUDICATION_VALUES = ["relevant", "not_relevant"] as const;
export type AdjudicationValue = (typeof ADJUDICATION_VALUES)[number];

/** A refused adjudication: what is wrong, and the field it came from. */
export class AdjudicationError extends Error {
  constructor(
    message: string,
    readonly field: "value" | "imageId" | "queryId",
  ) {
    super(message);
    this.name = "AdjudicationError";
  }
}

export type AdjudicationJudgment = { annotatorId: string; annotator: string; value: JudgmentValue; at: Date };

export type AdjudicationItem = {
  /** the query's public id (queries.source_id) and its text */
  queryId: string;
  queryText: string;
  /** images.source_id */
  imageId: string;
  width: number | null;
  height: number | null;
  status: "ok" | "unreadable";
  statusReason: string | null;
  taxon: { name: string; commonName: string | null } | null;
  /** why it is open: annotators disagree, or they agree on (or one said) unsure */
  basis: "disagreement" | "agreed" | "single";
  /** every judgment of it, by annotator name */
  judgments: AdjudicationJudgment[];
};

/**
 * The collection's open items (optionally one query's), query by query in the queries' order, then by
 * image id: at most `limit`, and how many there are in all.
 */
export async function openAdjudications(
  collectionId: number,
  opts: { queryRowId?: number; limit?: number } = {},
): Promise<{ items: AdjudicationItem[]; total: number }> {
  const limit = opts.limit ?? 500;
  const { rows: queries } = await db().query<{ id: number; sourceId: string; text: string }>(
    `SELECT q.id, q.source_id AS "sourceId", q.text FROM queries q
      WHERE q.collection_id = $1 AND ($2::int IS NULL OR q.id = $2) ORDER BY ${QUERY_ORDER}`,
    [collectionId, opts.queryRowId ?? null],
  );
  if (!queries.length) return { items: [], total: 0 };
  const order = new Map(queries.map((q, i) => [q.id, i]));
  const open = (await finalLabels(queries.map((q) => q.id)))
    .filter((l) => l.needsAdjudication)
    .sort((a, b) => order.get(a.queryId)! - order.get(b.queryId)! || a.imageId - b.imageId);
  const page = open.slice(0, limit);
  if (!page.length) return { items: [], total: open.length };
  const { rows } = await db().query<{
    queryRowId: number;
    imageRowId: string;
    imageId: string;
    width: number | null;
    height: number | null;
    status: "ok" | "unreadable";
    statusReason: string | null;
    taxonName: string | null;
    taxonCommonName: string | null;
    judgments: { annotatorId: string; annotator: string; value: JudgmentValue; at: string }[];
  }>(
    `SELECT u.query_id AS "queryRowId", i.id::text AS "imageRowId", i.source_id AS "imageId", i.width, i.height,
            i.status, i.status_reason AS "statusReason", t.name AS "taxonName", t.common_name AS "taxonCommonName",
            (SELECT json_agg(json_build_object('annotatorId', j.annotator_id, 'annotator', us.name, 'value', j.value,
                                               'at', j.updated_at) ORDER BY us.name, j.annotator_id)
               FROM judgments j JOIN users us ON us.id = j.annotator_id
              WHERE j.query_id = u.query_id AND j.image_id = u.image_id) AS judgments
       FROM unnest($1::int[], $2::bigint[]) AS u(query_id, image_id)
       JOIN images i ON i.id = u.image_id LEFT JOIN taxa t ON t.id = i.taxon_id`,
    [page.map((l) => l.queryId), page.map((l) => l.imageId)],
  );
  const details = new Map(rows.map((r) => [`${r.queryRowId}:${r.imageRowId}`, r]));
  const byId = new Map(queries.map((q) => [q.id, q]));
  const items = page.map((l): AdjudicationItem => {
    const r = details.get(`${l.queryId}:${l.imageId}`)!;
    const q = byId.get(l.queryId)!;
    return {
      queryId: q.sourceId,
      queryText: q.text,
      imageId: r.imageId,
      width: r.width,
      height: r.height,
      status: r.status,
      statusReason: r.statusReason,
      taxon: r.taxonName ? { name: r.taxonName, commonName: r.taxonCommonName } : null,
      basis: l.basis as AdjudicationItem["basis"],
      judgments: (r.judgments ?? []).map((j) => ({ ...j, at: new Date(j.at) })),
    };
  });
  return { items, total: open.length };
}

export type AdjudicationRecord = {
  value: AdjudicationValue;
  adjudicatorId: string | null;
  note: string | null;
  history: { value: AdjudicationValue; by: string | null; at: string; note: string | null }[];
  createdAt: Date;
  updatedAt: Date;
};

/** The adjudication of one (query, image row id), or null. */
export async function findAdjudication(queryRowId: number, imageRowId: number): Promise<AdjudicationRecord | null> {
  const { rows } = await db().query<AdjudicationRecord>(
    `SELECT value, adjudicator_id AS "adjudicatorId", note, history, created_at AS "createdAt", updated_at AS "updatedAt"
       FROM adjudications WHERE query_id = $1 AND image_id = $2`,
    [queryRowId, imageRowId],
  );
  return rows[0] ?? null;
}

/**
 * The lead's final label for an image of a query (by its source id). A changed value keeps the one
 * before in history; the same value again changes nothing. Refused without the permission, for
 * "unsure", and for an image nobody judged for this query.
 */
export async function adjudicate(
  lead: Pick<CurrentUser, "id" | "role">,
  query: QueryRef,
  imageId: string,
  value: string,
  note: string | null = null,
): Promise<{ value: AdjudicationValue; previous: AdjudicationValue | null; changed: boolean }> {
  if (!can(lead, "judgments.adjudicate")) throw new PermissionError("judgments.adjudicate");
  if (!(ADJUDICATION_VALUES as readonly string[]).includes(value))
    throw new AdjudicationError(
      `value must be ${ADJUDICATION_VALUES.join(" or ")} (a final label is never ${JSON.stringify(value)})`,
      "value",
    );
  return inTransaction(async (client) => {
    const { rows: images } = await client.query<{ id: string; judged: boolean }>(
      `SELECT i.id::text AS id,
              EXISTS (SELECT 1 FROM judgments j WHERE j.query_id = $3 AND j.image_id = i.id)
              OR EXISTS (SELECT 1 FROM adjudications a WHERE a.query_id = $3 AND a.image_id = i.id) AS judged
         FROM images i WHERE i.collection_id = $1 AND i.source_id = $2`,
      [query.collectionId, imageId, query.rowId],
    );
    const image = images[0];
    if (!image) throw new AdjudicationError(`No image ${imageId} in this collection`, "imageId");
    if (!image.judged)
      throw new AdjudicationError(`Image ${imageId} has no judgment for this query to adjudicate`, "imageId");
    const { rows: before } = await client.query<{ value: AdjudicationValue }>(
      "SELECT value FROM adjudications WHERE query_id = $1 AND image_id = $2 FOR UPDATE",
      [query.rowId, image.id],
    );
    const previous = before[0]?.value ?? null;
    if (previous === value) return { value: value as AdjudicationValue, previous, changed: false };
    await client.query(
      `INSERT INTO adjudications AS a (query_id, image_id, value, adjudicator_id, note)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (query_id, image_id) DO UPDATE SET
         value = EXCLUDED.value, adjudicator_id = EXCLUDED.adjudicator_id, note = EXCLUDED.note, updated_at = now(),
         history = a.history || jsonb_build_array(jsonb_build_object(
           'value', a.value, 'by', a.adjudicator_id, 'at', a.updated_at, 'note', a.note))`,
      [query.rowId, image.id, value, lead.id, note],
    );
    return { value: value as AdjudicationValue, previous, changed: true };
  });
}

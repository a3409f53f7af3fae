import type pg from "pg";
import { seedOf } from "@/lib/active-learning/data";
import { can, PermissionError } from "@/lib/auth/permissions";
import type { CurrentUser, Role } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import type { JudgmentValue } from "@/lib/judgments/values";
import type { QueryRef } from "@/lib/queries/queries";
import { rng, shuffled } from "@/lib/random";

// Blind overlap samples: a lead sends a share of a query's judged images to a second expert, who
// judges them in the ordinary grid (lib/judgments/queue serves them first, as an ordinary source).
// What goes: every image someone judged "unsure" (reason "unsure"), and, drawn from the other judged
// images, ceil(share x the query's judged images) of them (reason "sample"; rounded up, so a query
// with any judged image sends at least one). Never an image the second expert already judged, so the
// second expert is never the first annotator of an image sent to them. The draw is seeded by query and
// expert (seedOf), so asking again draws the same images and adds none.

export const DEFAULT_OVERLAP_SHARE = 0.1;

export type OverlapReason = "sample" | "unsure";

/** A refused overlap request: what is wrong, and the field it came from. */
export class OverlapError extends Error {
  constructor(
    message: string,
    readonly field: "assignee" | "share" | "query",
  ) {
    super(message);
    this.name = "OverlapError";
  }
}

/** One judged image of a query: who judged it and how (any order). */
export type JudgedImage = { imageId: number; judgments: { annotatorId: string; value: JudgmentValue }[] };

export type OverlapChoice = { imageId: number; reason: OverlapReason };

/** How many sample images a share of `judged` asks for: rounded up, so any share of any judged image is one or more. */
export function overlapSampleSize(judged: number, share: number): number {
  checkShare(share);
  // 0.1 * 30 is 3.0000000000000004 in floating point; a millionth of slack keeps it 3
  return Math.max(0, Math.min(judged, Math.ceil(judged * share - 1e-9)));
}

export function checkShare(share: number): void {
  if (!Number.isFinite(share) || share <= 0 || share > 1)
    throw new OverlapError(`share must be more than 0 and at most 1 (got ${share})`, "share");
}

/**
 * The images to send to `assigneeId`: every unsure image they have not judged, and a seeded draw of
 * the others. Pure; `chooseOverlap` on the same input and seed gives the same images. Ordered by image id.
 */
export function chooseOverlap(
  judged: readonly JudgedImage[],
  assigneeId: string,
  share: number,
  seed: number,
): OverlapChoice[] {
  const size = overlapSampleSize(judged.length, share);
  const open = [...judged]
    .filter((img) => img.judgments.length > 0 && !img.judgments.some((j) => j.annotatorId === assigneeId))
    .sort((a, b) => a.imageId - b.imageId);
  const unsure = open.filter((img) => img.judgments.some((j) => j.value === "unsure"));
  const rest = open.filter((img) => !img.judgments.some((j) => j.value === "unsure"));
  const sample = shuffled(rest, rng(seed)).slice(0, size);
  return [
    ...unsure.map((img) => ({ imageId: img.imageId, reason: "unsure" as const })),
    ...sample.map((img) => ({ imageId: img.imageId, reason: "sample" as const })),
  ].sort((a, b) => a.imageId - b.imageId);
}

export const overlapSeed = (queryRowId: number, assigneeId: string) => seedOf("overlap", queryRowId, assigneeId);

export type OverlapResult = {
  /** the query's judged images */
  judged: number;
  /** images chosen this time (sample and unsure), assigned before or now */
  chosen: number;
  sample: number;
  unsure: number;
  /** chosen images that were newly assigned by this request */
  added: number;
};

type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

async function judgedImages(queryRowId: number, client: Queryable): Promise<JudgedImage[]> {
  const { rows } = await client.query<{ imageId: string; annotatorId: string; value: JudgmentValue }>(
    `SELECT image_id::text AS "imageId", annotator_id AS "annotatorId", value FROM judgments WHERE query_id = $1`,
    [queryRowId],
  );
  const byImage = new Map<number, JudgedImage>();
  for (const r of rows) {
    const id = Number(r.imageId);
    const img = byImage.get(id) ?? { imageId: id, judgments: [] };
    img.judgments.push({ annotatorId: r.annotatorId, value: r.value });
    byImage.set(id, img);
  }
  return [...byImage.values()];
}

/**
 * Sends the query's overlap sample to `assigneeId` (written to overlap_assignments). Refused when the
 * caller may not assign, the share is out of range, the assignee cannot judge, or nothing judged is
 * left that the assignee has not judged themselves.
 */
export async function assignOverlap(
  lead: Pick<CurrentUser, "id" | "role">,
  query: QueryRef,
  opts: { assigneeId: string; share?: number },
): Promise<OverlapResult> {
  if (!can(lead, "agreement.assign")) throw new PermissionError("agreement.assign");
  const share = opts.share ?? DEFAULT_OVERLAP_SHARE;
  checkShare(share);
  return inTransaction(async (client) => {
    const { rows: users } = await client.query<{ name: string; role: Role }>(
      "SELECT name, role FROM users WHERE id = $1",
      [opts.assigneeId],
    );
    const assignee = users[0];
    if (!assignee) throw new OverlapError(`No user ${opts.assigneeId}`, "assignee");
    if (!can(assignee, "judgments.write"))
      throw new OverlapError(`${assignee.name} cannot judge images, so cannot take an overlap sample`, "assignee");
    // one request at a time per query, so two clicks add each image once
    await client.query("SELECT id FROM queries WHERE id = $1 FOR UPDATE", [query.rowId]);
    const judged = await judgedImages(query.rowId, client);
    if (!judged.length) throw new OverlapError("This query has no judged images yet", "query");
    const othersJudged = judged.filter((img) => img.judgments.some((j) => j.annotatorId !== opts.assigneeId));
    if (othersJudged.every((img) => img.judgments.some((j) => j.annotatorId === opts.assigneeId)))
      throw new OverlapError(
        `${assignee.name} already judged every image of this query someone else judged (or is its only annotator): ` +
          "an overlap sample goes to a second expert",
        "assignee",
      );
    const chosen = chooseOverlap(judged, opts.assigneeId, share, overlapSeed(query.rowId, opts.assigneeId));
    const inserted = await client.query(
      `INSERT INTO overlap_assignments (query_id, image_id, annotator_id, reason, requested_by)
       SELECT $1, u.image_id, $2, u.reason, $3 FROM unnest($4::bigint[], $5::text[]) AS u(image_id, reason)
       ON CONFLICT (query_id, image_id, annotator_id) DO NOTHING`,
      [query.rowId, opts.assigneeId, lead.id, chosen.map((c) => c.imageId), chosen.map((c) => c.reason)],
    );
    return {
      judged: judged.length,
      chosen: chosen.length,
      sample: chosen.filter((c) => c.reason === "sample").length,
      unsure: chosen.filter((c) => c.reason === "unsure").length,
      added: inserted.rowCount ?? 0,
    };
  });
}

export type OverlapCounts = {
  /** distinct images of the query sent to a second expert */
  assigned: number;
  /** of those assignments, how many the assignee has judged */
  done: number;
};

/** Per query row id: how much of its overlap was sent and how much is judged. */
export async function overlapCounts(
  queryIds: readonly number[],
  client: Queryable = db(),
): Promise<Map<number, OverlapCounts>> {
  const out = new Map<number, OverlapCounts>(queryIds.map((id) => [id, { assigned: 0, done: 0 }]));
  if (!queryIds.length) return out;
  const { rows } = await client.query<{ queryId: number; assigned: number; done: number }>(
    `SELECT o.query_id AS "queryId", count(DISTINCT o.image_id)::int AS assigned,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM judgments j WHERE j.query_id = o.query_id
                                            AND j.image_id = o.image_id AND j.annotator_id = o.annotator_id))::int AS done
       FROM overlap_assignments o WHERE o.query_id = ANY($1::int[]) GROUP BY o.query_id`,
    [queryIds],
  );
  for (const r of rows) out.set(r.queryId, { assigned: r.assigned, done: r.done });
  return out;
}

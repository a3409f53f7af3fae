import type pg from "pg";
import { db } from "@/lib/db/client";
import { estimateRemaining, type AuditStratum, type RecallEstimate } from "@/lib/recall/estimate";
import { drawAudit, type Stratum } from "@/lib/recall/strata";
import { rng, shuffled } from "@/lib/random";
import type { VectorStore } from "@/lib/vectors/storage";
import { randomImages, seedOf, type JudgedImage } from "./data";
import { AUDIT_SIZE, type AuditState } from "./stopping";

// Audit samples: random unjudged images from bands of the current ranking (lib/recall/strata), mixed
// blind into the judging queue as the candidate source "audit" (never shown as such) and recorded in
// audit_samples/audit_items, from which lib/recall/estimate estimates the relevant images not yet found.

/** Audit images go into the queue every AUDIT_SPACING places, alternating with the learner's own picks. */
export const AUDIT_SPACING = 1;

export type CurrentAudit = {
  state: AuditState;
  strata: AuditStratum[];
  /** relevant images judging had found when it was drawn */
  foundAtDraw: number;
  /** drawn images nobody has judged yet */
  pending: number[];
};

/** The latest audit draw of a query, as judged so far; null when none was drawn. */
export async function currentAudit(
  queryId: number,
  judged: Map<number, JudgedImage>,
  foundNow: number,
): Promise<CurrentAudit | null> {
  const { rows } = await db().query<{ population: string; draw: number; found_at_draw: number; items: string[] }>(
    `SELECT s.population, s.draw, s.found_at_draw, array_remove(array_agg(ai.image_id ORDER BY ai.image_id), NULL) AS items
       FROM audit_samples s LEFT JOIN audit_items ai ON ai.audit_sample_id = s.id
      WHERE s.query_id = $1 AND s.draw = (SELECT max(draw) FROM audit_samples WHERE query_id = $1)
      GROUP BY s.id ORDER BY s.from_rank`,
    [queryId],
  );
  if (!rows.length) return null;
  const pending: number[] = [];
  let planned = 0;
  const strata = rows.map((r) => {
    let sampled = 0;
    let relevant = 0;
    for (const raw of r.items) {
      const j = judged.get(Number(raw));
      planned++;
      if (!j) {
        pending.push(Number(raw));
        continue;
      }
      sampled++;
      // an image judged only "unsure" counts as relevant here: an audit must not claim what it cannot see
      if (j.relevant !== false) relevant++;
    }
    return { population: Number(r.population), sampled, relevant };
  });
  const foundAtDraw = rows[0].found_at_draw;
  return {
    state: {
      draw: rows[0].draw,
      planned,
      judged: planned - pending.length,
      relevant: strata.reduce((a, s) => a + s.relevant, 0),
      foundSince: Math.max(0, foundNow - foundAtDraw),
    },
    strata,
    foundAtDraw,
    pending,
  };
}

/**
 * The estimate from an audit, once any of it is judged, as of now: relevant images judging found
 * after the draw came out of the pool the audit describes, so they move from "remaining" to "found"
 * (recall = found / total is monotone in the total, so the interval's ends move with it exactly).
 */
export function auditEstimate(queryKey: string, audit: CurrentAudit | null): RecallEstimate | null {
  if (!audit || audit.state.judged === 0) return null;
  const e = estimateRemaining(
    { found: audit.foundAtDraw, strata: audit.strata },
    { seed: seedOf(queryKey, "estimate") },
  );
  const since = audit.state.foundSince;
  if (!since) return e;
  const known = audit.foundAtDraw + audit.state.relevant + since;
  const before = audit.foundAtDraw + audit.state.relevant;
  const recallAt = (remaining: number) => known / Math.max(known, before + remaining);
  return {
    ...e,
    remaining: Math.max(0, e.remaining - since),
    remainingLow: Math.max(0, e.remainingLow - since),
    remainingHigh: Math.max(0, e.remainingHigh - since),
    recall: recallAt(e.remaining),
    recallLow: recallAt(e.remainingHigh),
    recallHigh: recallAt(e.remainingLow),
  };
}

/** The audit's two strata: the next TOP_STRATUM images of the ranking, and everything below them. */
export const TOP_STRATUM = 100;

/**
 * Two strata, half the audit each: the top of the current ranking just past what the experts have
 * judged (where a missed relevant image most likely is, so a clean sample there is the check that the
 * ranking has run dry), and the whole rest of the pool, drawn at random (which bounds what hides in
 * the tail; a 5-million-image pool is never ranked whole).
 */
function strataFor(poolSize: number, ranked: number): Stratum[] {
  const top = Math.min(TOP_STRATUM, ranked, poolSize);
  const half = Math.ceil(AUDIT_SIZE / 2);
  const strata: Stratum[] = [];
  if (top > 0) strata.push({ stratum: `1-${top}`, from: 0, to: top, population: top, sample: Math.min(half, top) });
  if (poolSize > top)
    strata.push({
      stratum: `${top + 1}-${poolSize}`,
      from: top,
      to: poolSize,
      population: poolSize - top,
      sample: Math.min(AUDIT_SIZE - (strata[0]?.sample ?? 0), poolSize - top),
    });
  return strata;
}

export type AuditPlan = {
  draw: number;
  seed: number;
  foundAtDraw: number;
  strata: (Stratum & { imageIds: number[] })[];
};

/**
 * Draws a new audit over the unjudged pool: `ranking` is its top in the current order (unjudged only),
 * `poolSize` its whole size. Reads only (on the embedded database a read beside an open transaction
 * would wait for it); writeAudit records it.
 */
export async function planNewAudit(
  q: { id: number; key: string; collectionId: number; taxonIds: number[] | undefined },
  store: VectorStore,
  ranking: number[],
  poolSize: number,
  judgedIds: number[],
  foundNow: number,
): Promise<AuditPlan | null> {
  if (poolSize <= 0) return null;
  const last = await db().query<{ n: number | null }>("SELECT max(draw) AS n FROM audit_samples WHERE query_id = $1", [
    q.id,
  ]);
  const draw = (last.rows[0].n ?? 0) + 1;
  const seed = seedOf(q.key, "audit", draw);
  const strata = strataFor(Math.max(poolSize, ranking.length), ranking.length);
  const picks = drawAudit(strata, seed);
  const withIds = [];
  for (const [i, s] of strata.entries()) {
    const imageIds =
      s.from === 0
        ? picks[i].positions.map((p) => ranking[p])
        : await randomImages(
            store,
            q.collectionId,
            q.taxonIds,
            [...judgedIds, ...ranking.slice(0, s.from)],
            s.sample,
            seedOf(q.key, "audit-tail", draw),
          );
    withIds.push({ ...s, imageIds });
  }
  return { draw, seed, foundAtDraw: foundNow, strata: withIds };
}

export async function writeAudit(client: pg.ClientBase, queryId: number, plan: AuditPlan): Promise<void> {
  for (const s of plan.strata) {
    const sample = await client.query<{ id: number }>(
      `INSERT INTO audit_samples (query_id, stratum, seed, population, draw, from_rank, to_rank, found_at_draw)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [queryId, s.stratum, plan.seed, s.population, plan.draw, s.from, s.to, plan.foundAtDraw],
    );
    await client.query(
      "INSERT INTO audit_items (audit_sample_id, image_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING",
      [sample.rows[0].id, s.imageIds],
    );
  }
}

/** Puts the audit's unjudged images into the queue, spread among the learner's picks, in a seeded order. */
export async function queueAuditImages(client: pg.ClientBase, queryId: number, key: string, pending: number[]) {
  await client.query("DELETE FROM candidates WHERE query_id = $1 AND source = 'audit'", [queryId]);
  if (!pending.length) return;
  const order = shuffled(pending, rng(seedOf(key, "audit-order")));
  await client.query(
    `INSERT INTO candidates (query_id, image_id, source, score, rank)
     SELECT $1, u.image_id, 'audit', 0, u.rank FROM unnest($2::bigint[], $3::int[]) AS u(image_id, rank)`,
    [queryId, order, order.map((_, i) => AUDIT_SPACING * (i + 1))],
  );
}

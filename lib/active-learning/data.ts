import { db } from "@/lib/db/client";
import { resolveTaxonIds } from "@/lib/filters/sql";
import type { ImageFilter } from "@/lib/filters/filter";
import type { VectorStore } from "@/lib/vectors/storage";
import { parseVectorText } from "@/lib/vectors/wire";
import { shuffled } from "@/lib/random";

// What a learning round reads from the database: the query's judgments in the order they were made,
// the vectors of the images it trains on, random presumed negatives, and the size of the pool it ranks.

export type JudgedImage = {
  imageId: number;
  /** true if an annotator judged it relevant, false if every judgment says not relevant, null: only unsure */
  relevant: boolean | null;
  /** drawn into an audit sample: a random draw, not part of the ranked sequence */
  audited: boolean;
};

/** The query's judged images, each once, in the order first judged. */
export async function judgedImages(queryId: number): Promise<JudgedImage[]> {
  const { rows } = await db().query<{ image_id: string; relevant: boolean | null; audited: boolean }>(
    `SELECT j.image_id,
            CASE WHEN bool_or(j.value = 'relevant') THEN true WHEN bool_and(j.value = 'not_relevant') THEN false END AS relevant,
            EXISTS (SELECT 1 FROM audit_items ai JOIN audit_samples s ON s.id = ai.audit_sample_id
                     WHERE s.query_id = $1 AND ai.image_id = j.image_id) AS audited
       FROM judgments j WHERE j.query_id = $1
      GROUP BY j.image_id ORDER BY min(j.id)`,
    [queryId],
  );
  return rows.map((r) => ({ imageId: Number(r.image_id), relevant: r.relevant, audited: r.audited }));
}

/** Vectors of the given images (those without one are left out). */
export async function readVectors(store: VectorStore, imageIds: number[]): Promise<Map<number, Float32Array>> {
  if (!imageIds.length) return new Map();
  const { rows } = await db().query<{ image_id: string; v: string }>(
    `SELECT image_id, vector::vector::text AS v FROM ${store.tableName} WHERE image_id = ANY($1::bigint[])`,
    [imageIds],
  );
  return new Map(rows.map((r) => [Number(r.image_id), parseVectorText(r.v)]));
}

/**
 * The taxa a query's scope selects, as one list (the union of its filters), or undefined when the
 * scope is the whole collection.
 */
export async function scopeTaxonIds(collectionId: number, filters: ImageFilter[]): Promise<number[] | undefined> {
  const ids = new Set<number>();
  for (const f of filters) {
    const some = await resolveTaxonIds(collectionId, f);
    if (some === undefined) return undefined;
    some.forEach((id) => ids.add(id));
  }
  return [...ids];
}

function scopeSql(taxonIds: number[] | undefined, param: string): string {
  return taxonIds ? ` AND e.taxon_id = ANY(${param}::int[])` : "";
}

/**
 * `n` random images of the scope outside `exclude`, drawn by `seed` (md5 of id and seed orders them, so
 * a round repeats exactly). BMI's presumed negatives, and the audit's draws from the deep tail.
 */
export async function randomImages(
  store: VectorStore,
  collectionId: number,
  taxonIds: number[] | undefined,
  exclude: number[],
  n: number,
  seed: number,
): Promise<number[]> {
  if (n <= 0) return [];
  const { rows } = await db().query<{ image_id: string }>(
    `SELECT e.image_id FROM ${store.tableName} e
      WHERE e.collection_id = $1 AND e.image_id <> ALL($2::bigint[])${scopeSql(taxonIds, "$5")}
      ORDER BY md5(e.image_id::text || ':' || $3::text), e.image_id LIMIT $4`,
    taxonIds ? [collectionId, exclude, seed, n, taxonIds] : [collectionId, exclude, seed, n],
  );
  return rows.map((r) => Number(r.image_id));
}

/**
 * About `n` random images of the whole collection outside `exclude`, cheaply at millions of rows: random
 * probes into the id range, each taking the next image with a vector. Ids with gaps before them are
 * likelier, which presumed negatives can bear (an audit, which cannot, uses randomImages).
 */
export async function probeImages(
  store: VectorStore,
  collectionId: number,
  exclude: Set<number>,
  n: number,
  random: () => number,
): Promise<number[]> {
  const range = await db().query<{ lo: string | null; hi: string | null }>(
    `SELECT min(image_id) AS lo, max(image_id) AS hi FROM ${store.tableName} WHERE collection_id = $1`,
    [collectionId],
  );
  if (range.rows[0].lo === null) return [];
  const lo = Number(range.rows[0].lo);
  const span = Number(range.rows[0].hi) - lo + 1;
  const probes = Array.from({ length: Math.ceil(n * 1.5) + 10 }, () => lo + Math.floor(random() * span));
  const { rows } = await db().query<{ image_id: string }>(
    `SELECT DISTINCT hit.image_id FROM unnest($2::bigint[]) AS p(at)
       CROSS JOIN LATERAL (SELECT e.image_id FROM ${store.tableName} e
                            WHERE e.image_id >= p.at AND e.collection_id = $1 ORDER BY e.image_id LIMIT 1) hit`,
    [collectionId, probes],
  );
  const hits = rows
    .map((r) => Number(r.image_id))
    .filter((id) => !exclude.has(id))
    .sort((a, b) => a - b);
  return shuffled(hits, random).slice(0, n);
}

/** How many images with a vector the scope holds. */
export async function scopeSize(store: VectorStore, collectionId: number, taxonIds: number[] | undefined) {
  const { rows } = await db().query<{ n: string }>(
    `SELECT count(*) AS n FROM ${store.tableName} e WHERE e.collection_id = $1${scopeSql(taxonIds, "$2")}`,
    taxonIds ? [collectionId, taxonIds] : [collectionId],
  );
  return Number(rows[0].n);
}

/** A stable seed from text (FNV-1a): a query's rounds draw the same samples on every database. */
export function seedOf(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join("\u0000")) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

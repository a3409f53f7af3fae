import { db } from "@/lib/db/client";
import type { ModelRef } from "@/lib/search/lookup";
import { embedQueryText } from "@/lib/search/text-query";
import { searchByVector, imageVector, type SearchResult } from "@/lib/search/vector-search";
import { getVectorStore } from "@/lib/vectors/storage";
import { parseVectorText, vectorParam } from "@/lib/vectors/wire";

// How a registered model scores a query's images: a CLIP model by the cosine of each image with the
// query's text embedding; an image-only model by its best cosine with any of the query's example images
// (as candidate surfacing's "similar" source does). The ranking comes from the vector search (HNSW or
// an exact scan in SQL); scores of given images and the rank of an image are asked of SQL too, so no
// vector is ever scanned in JS.

export type QueryProbe = {
  /** the vectors a query is compared with: its text embedding, or its example images' vectors */
  vectors: Float32Array[];
  /** how the probe was made, for the report */
  via: "text" | "examples" | "none";
};

export type QueryForModel = { id: number; collectionId: number; text: string };

/** The query's probe vectors for the model (none for an image-only model and a query without examples). */
export async function queryProbe(model: ModelRef, query: QueryForModel): Promise<QueryProbe> {
  if (model.kind === "clip") return { vectors: [await embedQueryText(model, query.text)], via: "text" };
  const examples = await db().query<{ image_id: string }>(
    "SELECT image_id FROM query_examples WHERE query_id = $1 ORDER BY position",
    [query.id],
  );
  const vectors: Float32Array[] = [];
  for (const e of examples.rows) vectors.push((await imageVector(model.id, Number(e.image_id))).vector);
  return { vectors, via: vectors.length ? "examples" : "none" };
}

/** The model's top `depth` images of the collection for the probe, best first (best score per image). */
export async function rankCollection(
  modelId: number,
  collectionId: number,
  probe: QueryProbe,
  depth: number,
): Promise<SearchResult[]> {
  const best = new Map<number, SearchResult>();
  for (const v of probe.vectors)
    for (const r of await searchByVector(modelId, v, { collectionId, k: depth }))
      if (!best.has(r.imageId) || r.score > best.get(r.imageId)!.score) best.set(r.imageId, r);
  return [...best.values()].sort((a, b) => b.score - a.score || a.imageId - b.imageId).slice(0, depth);
}

async function scoreSql(modelId: number, probe: QueryProbe, firstParam: number) {
  const store = await getVectorStore(modelId);
  const cast = `::vector${store.half ? `::halfvec(${store.dim})` : ""}`;
  const expr = probe.vectors.map((_, i) => `1 - (e.vector <=> $${firstParam + i}${cast})`);
  return {
    table: store.tableName,
    score: expr.length === 1 ? expr[0] : `GREATEST(${expr.join(", ")})`,
    values: probe.vectors.map((v) => vectorParam(v)),
  };
}

/** The model's score of each given image (images without a vector are left out). */
export async function scoreImages(
  modelId: number,
  probe: QueryProbe,
  imageIds: readonly number[],
): Promise<Map<number, number>> {
  if (!probe.vectors.length || !imageIds.length) return new Map();
  const s = await scoreSql(modelId, probe, 2);
  const r = await db().query<{ image_id: string; score: number }>(
    `SELECT e.image_id, ${s.score} AS score FROM ${s.table} e WHERE e.image_id = ANY($1::bigint[])`,
    [imageIds, ...s.values],
  );
  return new Map(r.rows.map((row) => [Number(row.image_id), Number(row.score)]));
}

/** Each given score's rank in the collection by the model: 1 + how many images score higher. */
export async function ranksOfScores(
  modelId: number,
  collectionId: number,
  probe: QueryProbe,
  scores: readonly number[],
): Promise<number[]> {
  if (!probe.vectors.length || !scores.length) return scores.map(() => 0);
  const s = await scoreSql(modelId, probe, 3);
  const r = await db().query<{ score: number; higher: number }>(
    `WITH scored AS MATERIALIZED (SELECT ${s.score} AS score FROM ${s.table} e WHERE e.collection_id = $1)
     SELECT t.score, (SELECT count(*)::int FROM scored WHERE scored.score > t.score) AS higher
       FROM unnest($2::float8[]) AS t(score)`,
    [collectionId, scores, ...s.values],
  );
  return r.rows.map((row) => row.higher + 1);
}

/** The stored vectors of the given images (for the probe in the report), by image id. */
export async function vectorsOf(modelId: number, imageIds: readonly number[]): Promise<Map<number, Float32Array>> {
  if (!imageIds.length) return new Map();
  const store = await getVectorStore(modelId);
  const r = await db().query<{ image_id: string; v: string }>(
    `SELECT image_id, vector::vector::text AS v FROM ${store.tableName} WHERE image_id = ANY($1::bigint[])`,
    [imageIds],
  );
  return new Map(r.rows.map((row) => [Number(row.image_id), parseVectorText(row.v)]));
}

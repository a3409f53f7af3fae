import { db } from "@/lib/db/client";
import type { JudgmentValue } from "@/lib/judgments/values";
import { registerModel } from "@/lib/models/registry";
import { findModel, type ModelRef } from "@/lib/search/lookup";
import { embedQueryText } from "@/lib/search/text-query";
import { searchByVector, type SearchResult } from "@/lib/search/vector-search";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { rng } from "../helpers/random";
import { tinyClipFolder } from "../models/model-folders";
import { createCollection, createTaxaAndImages, randomUnitVector } from "../search/fixture";

// A collection for the rerank tests: 300 images with the project's tiny CLIP model registered from its
// folder and random unit vectors, a lead, and queries written straight to the table.

export type RerankFixture = { collectionId: number; imageIds: number[]; vectors: Float32Array[]; model: ModelRef };

export async function createRerankFixture(name: string, modelDir: string, images = 300): Promise<RerankFixture> {
  const collectionId = await createCollection(name);
  const { imageIds } = await createTaxaAndImages(collectionId, images, 5);
  const registered = await registerModel({ folder: tinyClipFolder(modelDir), name: `${name}-clip` });
  const rand = rng(11);
  const vectors = imageIds.map(() => randomUnitVector(registered.dim, rand));
  await upsertEmbeddings(
    registered.id,
    imageIds.map((imageId, i) => ({ imageId, vector: vectors[i] })),
  );
  await db().query(
    "INSERT INTO users (id, name, email, role) VALUES ('lead', 'Lee', 'lead@example.org', 'lead'), ('ann', 'Ann', 'ann@example.org', 'expert') ON CONFLICT DO NOTHING",
  );
  return { collectionId, imageIds, vectors, model: (await findModel(registered.name))! };
}

export async function addQuery(
  collectionId: number,
  sourceId: string,
  text: string,
  status: "draft" | "labeling" | "finished" = "finished",
  extra: { supercategory?: string; split?: "val" | "test" } = {},
): Promise<number> {
  const r = await db().query(
    "INSERT INTO queries (collection_id, source_id, text, status, supercategory, split) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    [collectionId, sourceId, text, status, extra.supercategory ?? null, extra.split ?? null],
  );
  return r.rows[0].id;
}

/** The product's own text-to-image top k, what a rerank set must hold for the query. */
export async function productTop(f: RerankFixture, text: string, k = 100): Promise<SearchResult[]> {
  return searchByVector(f.model.id, await embedQueryText(f.model, text), { collectionId: f.collectionId, k });
}

export async function judge(queryId: number, imageIds: number[], value: JudgmentValue, annotator = "ann") {
  await db().query(
    `INSERT INTO judgments (query_id, image_id, annotator_id, value)
     SELECT $1, u, $3, $4::"JudgmentValue" FROM unnest($2::bigint[]) AS u
     ON CONFLICT (query_id, image_id, annotator_id) DO UPDATE SET value = EXCLUDED.value`,
    [queryId, imageIds, annotator, value],
  );
}

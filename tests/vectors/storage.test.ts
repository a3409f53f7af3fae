import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { buildIndex, indexInfo } from "@/lib/vectors/hnsw";
import { countVectors, ensureVectorStorage, findVectorStore, imagesWithoutVectors } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { searchByVector, searchByVectorDetailed } from "@/lib/search/vector-search";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import {
  bruteForce,
  clusteredVectors,
  createCollection,
  createModel,
  createTaxaAndImages,
  dot,
} from "../search/fixture";

const N = 2000;
const DIM = 32;

describe.each(dbKinds)("vector storage on %s", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  let imageIds: number[];
  let vectors: Float32Array[];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    collectionId = await createCollection("c");
    const created = await createTaxaAndImages(collectionId, N, 20);
    imageIds = created.imageIds;
    vectors = clusteredVectors(created.genusOf, DIM, 3);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("creates one typed table per model, idempotently, and refuses a different shape", async () => {
    const m = await createModel("shape", DIM);
    const a = await ensureVectorStorage(m, DIM);
    expect(await ensureVectorStorage(m, DIM)).toEqual(a);
    const col = await db().query(
      "SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'vector'",
      [a.tableName],
    );
    expect(col.rows[0].t).toBe(`vector(${DIM})`);
    await expect(ensureVectorStorage(m, DIM, { half: true })).rejects.toThrow(
      /already stores vector\(32\) vectors, not halfvec\(32\)/,
    );
    await expect(ensureVectorStorage(m, 64)).rejects.toThrow(/model "shape" has 32 dimensions, not 64/);
    await expect(ensureVectorStorage(999_999, DIM)).rejects.toThrow(/no model with id/);
  });

  it("keeps exactly one vector per image whatever is repeated, and names unknown images", async () => {
    const m = await createModel("upsert", DIM);
    await ensureVectorStorage(m, DIM);
    const rows = imageIds.slice(0, 500).map((imageId, i) => ({ imageId, vector: vectors[i] }));
    expect(await upsertEmbeddings(m, rows)).toBe(500);
    await upsertEmbeddings(m, rows.slice(100, 300)); // a retried batch
    await upsertEmbeddings(m, [
      { imageId: imageIds[0], vector: vectors[1] },
      { imageId: imageIds[0], vector: vectors[2] },
    ]); // last wins
    expect(await countVectors(m, collectionId)).toBe(500);
    const hit = await searchByVector(m, vectors[2], { collectionId, k: 2, strategy: "exact" });
    expect(hit.map((h) => h.imageId)).toContain(imageIds[0]);
    expect(await imagesWithoutVectors(m, collectionId, { limit: 3 })).toEqual(imageIds.slice(500, 503));
    await expect(upsertEmbeddings(m, [{ imageId: 987_654_321, vector: vectors[0] }])).rejects.toThrow(
      /1 image id\(s\) do not exist: 987654321/,
    );
    await expect(upsertEmbeddings(m, [{ imageId: imageIds[1], vector: new Float32Array(DIM + 1) }])).rejects.toThrow(
      /33 dimensions, the model stores 32/,
    );
    await expect(
      upsertEmbeddings(m, [{ imageId: imageIds[1], vector: new Float32Array(DIM).fill(NaN) }]),
    ).rejects.toThrow(/non-finite/);
  });

  it("stores halfvec vectors, indexes them and searches them with scores close to float32", async () => {
    const m = await createModel("half", DIM);
    const store = await ensureVectorStorage(m, DIM, { half: true });
    expect(store.half).toBe(true);
    await upsertEmbeddings(
      m,
      imageIds.map((imageId, i) => ({ imageId, vector: vectors[i] })),
    );
    const progress: string[] = [];
    const built = await buildIndex(m, { m: 12, efConstruction: 48, onProgress: (p) => progress.push(p.phase) });
    expect(built.sizeBytes).toBeGreaterThan(0);
    const info = await indexInfo(m);
    expect(info).toMatchObject({ exists: true, rows: N });
    const def = await db().query("SELECT indexdef FROM pg_indexes WHERE indexname = $1", [store.indexName]);
    expect(def.rows[0].indexdef).toMatch(
      /hnsw \(vector halfvec_cosine_ops\) WITH \(m='?12'?, ef_construction='?48'?\)/,
    );
    const query = vectors[77];
    const exact = await searchByVector(m, query, { collectionId, k: 20, strategy: "exact" });
    const index = await searchByVectorDetailed(m, query, { collectionId, k: 20, strategy: "index" });
    expect(index.results).toHaveLength(20);
    for (const r of exact)
      expect(Math.abs(r.score - dot(vectors[imageIds.indexOf(r.imageId)], query))).toBeLessThan(2e-3);
    const truth = new Set(bruteForce(vectors, query, 20).map((i) => imageIds[i]));
    expect(index.results.filter((r) => truth.has(r.imageId)).length).toBeGreaterThanOrEqual(17);
  });

  it("drops a model's table when the model is deleted", async () => {
    const m = await createModel("gone", DIM);
    const store = await ensureVectorStorage(m, DIM);
    await db().query("DELETE FROM models WHERE id = $1", [m]);
    expect(await findVectorStore(m)).toBeUndefined();
    expect((await db().query("SELECT to_regclass($1) AS r", [store.tableName])).rows[0].r).toBeNull();
  });
});

describe.each(dbKinds)("taxon copy in vector tables on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("follows an image's taxon when it changes or its taxon is deleted, and survives the taxonomic sort", async () => {
    const c = await createCollection("moved");
    const { imageIds, genusOf } = await createTaxaAndImages(c, 200, 4);
    const vectors = clusteredVectors(genusOf, 8, 5);
    const m = await createModel("follow", 8);
    await ensureVectorStorage(m, 8);
    await upsertEmbeddings(
      m,
      imageIds.map((imageId, i) => ({ imageId, vector: vectors[i] })),
    );
    await buildIndex(m); // sorts the table by taxonomy first
    const genus1 = { taxon: "Genus1", rank: "genus" };
    const before = await searchByVector(m, vectors[0], { collectionId: c, k: 200, filters: genus1 });
    expect(before).toHaveLength(50);
    const target = (await db().query("SELECT id FROM taxa WHERE collection_id = $1 AND genus = 'Genus1' LIMIT 1", [c]))
      .rows[0].id;
    // images 0-3 are of genera 0-3: three of them move into Genus1
    await db().query("UPDATE images SET taxon_id = $1 WHERE id = ANY($2::bigint[])", [target, imageIds.slice(0, 4)]);
    const after = await searchByVector(m, vectors[0], { collectionId: c, k: 200, filters: genus1 });
    expect(after).toHaveLength(53);
    expect(after.map((r) => r.imageId)).toContain(imageIds[0]);
    await db().query("DELETE FROM taxa WHERE id = $1", [target]);
    const gone = await searchByVector(m, vectors[0], { collectionId: c, k: 200, filters: genus1 });
    expect(gone.map((r) => r.imageId)).not.toContain(imageIds[0]);
    const stored = await db().query(
      `SELECT count(*)::int AS n FROM model_vectors_${m} e JOIN images i ON i.id = e.image_id WHERE e.taxon_id IS DISTINCT FROM i.taxon_id`,
    );
    expect(stored.rows[0].n).toBe(0);
  });
});

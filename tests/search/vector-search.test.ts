import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildIndex } from "@/lib/vectors/hnsw";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { searchByVector, searchByVectorDetailed, searchSimilarToImage } from "@/lib/search/vector-search";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import {
  bruteForce,
  clusteredVectors,
  createCollection,
  createModel,
  createTaxaAndImages,
  dot,
  randomUnitVector,
} from "./fixture";
import { rng } from "../helpers/random";

const N = 6000;
const GENERA = 100; // one genus is 1% of the images
const DIM = 48;

describe.each(dbKinds)("vector search on %s", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  let modelId: number;
  let imageIds: number[];
  let genusOf: number[];
  let vectors: Float32Array[];
  const rand = rng(42);

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    collectionId = await createCollection("moths");
    ({ imageIds, genusOf } = await createTaxaAndImages(collectionId, N, GENERA));
    vectors = clusteredVectors(genusOf, DIM);
    modelId = await createModel("test-model", DIM);
    await ensureVectorStorage(modelId, DIM);
    await upsertEmbeddings(
      modelId,
      imageIds.map((imageId, i) => ({ imageId, vector: vectors[i] })),
    );
    await buildIndex(modelId);
    // a second collection sharing the model: its images must never appear in the first one's results
    const other = await createCollection("other");
    const o = await createTaxaAndImages(other, 200, 10);
    await upsertEmbeddings(
      modelId,
      o.imageIds.map((imageId, i) => ({ imageId, vector: vectors[i] })),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const indexOf = (imageId: number) => imageIds.indexOf(imageId);

  it("exact search equals brute force; HNSW agrees with it; scores are cosine similarities, best first", async () => {
    let overlap = 0;
    const queries = 15;
    for (let q = 0; q < queries; q++) {
      const query = q % 3 === 0 ? randomUnitVector(DIM, rand) : vectors[Math.floor(rand() * N)];
      const exact = await searchByVector(modelId, query, { collectionId, k: 10, strategy: "exact" });
      // 6,000 rows are below the exact-scan limit: lower it so "auto" takes the index
      const index = await searchByVectorDetailed(modelId, query, { collectionId, k: 10, exactMaxRows: 1000 });
      expect(index.strategy).toBe("index");
      expect(exact.map((r) => indexOf(r.imageId))).toEqual(bruteForce(vectors, query, 10));
      for (const r of exact) expect(r.score).toBeCloseTo(dot(vectors[indexOf(r.imageId)], query), 5);
      for (const rows of [exact, index.results]) {
        expect(rows).toHaveLength(10);
        for (let i = 1; i < rows.length; i++) expect(rows[i - 1].score).toBeGreaterThanOrEqual(rows[i].score);
        expect(rows.every((r) => r.sourceId === `img-${indexOf(r.imageId)}`)).toBe(true);
      }
      const exactIds = new Set(exact.map((r) => r.imageId));
      overlap += index.results.filter((r) => exactIds.has(r.imageId)).length;
    }
    expect(overlap / (queries * 10)).toBeGreaterThanOrEqual(0.9);
  });

  it.each(["auto", "index", "exact"] as const)(
    "a taxon filter keeping 1 percent returns exactly K through the %s path",
    async (strategy) => {
      const k = 50; // 60 images of the genus exist
      for (const [genus, queryGenus] of [
        [7, 7],
        [7, 30],
        [55, 2],
      ]) {
        // a query near another genus is the hard case: the graph walk meets the filter's images late
        const query = vectors[genusOf.indexOf(queryGenus)];
        const keep = (i: number) => genusOf[i] === genus;
        const d = await searchByVectorDetailed(modelId, query, {
          collectionId,
          k,
          strategy,
          filters: { taxon: `Genus${genus}`, rank: "genus" },
        });
        const rows = d.results;
        if (strategy === "index") expect(d.fellBack).toBe(false);
        expect(rows).toHaveLength(k);
        expect(rows.every((r) => keep(indexOf(r.imageId)))).toBe(true);
        for (let i = 1; i < rows.length; i++) expect(rows[i - 1].score).toBeGreaterThanOrEqual(rows[i].score);
        const truth = new Set(bruteForce(vectors, query, k, keep));
        const found = rows.filter((r) => truth.has(indexOf(r.imageId))).length;
        expect(found / k).toBeGreaterThanOrEqual(strategy === "exact" ? 1 : 0.9);
      }
    },
  );

  it("the index path with a narrow filter still fills K (iterative scan, or the exact fallback)", async () => {
    const query = vectors[genusOf.indexOf(3)];
    const d = await searchByVectorDetailed(modelId, query, {
      collectionId,
      k: 55,
      strategy: "index",
      efSearch: 40,
      filters: { taxon: "Genus90", rank: "genus" },
    });
    expect(d.results).toHaveLength(55);
    expect(d.results.every((r) => genusOf[indexOf(r.imageId)] === 90)).toBe(true);
  });

  it("combines iconic group, date range and bounding box inside the query", async () => {
    // whole days: the images of 30 June (at midnight UTC) are in
    const [from, to] = ["2020-03-01", "2020-06-30"];
    const bbox = { minLon: -100, minLat: -30, maxLon: 120, maxLat: 40 };
    const day = (i: number) => i % 366;
    const keep = (i: number) => {
      const when = Date.UTC(2020, 0, 1) + day(i) * 86_400_000;
      const lat = -60 + (i % 120);
      const lon = -180 + ((i * 7) % 360);
      return (
        genusOf[i] % 2 === 1 &&
        when >= Date.UTC(2020, 2, 1) &&
        when < Date.UTC(2020, 6, 1) &&
        lat >= -30 &&
        lat <= 40 &&
        lon >= -100 &&
        lon <= 120
      );
    };
    const matching = genusOf.filter((_, i) => keep(i)).length;
    expect(matching).toBeGreaterThan(100);
    const query = randomUnitVector(DIM, rand);
    for (const strategy of ["auto", "index"] as const) {
      const d = await searchByVectorDetailed(modelId, query, {
        collectionId,
        k: 100,
        strategy,
        filters: { iconicGroup: "aves", from, to, bbox },
      });
      const rows = d.results;
      if (strategy === "index") expect(d.fellBack).toBe(false); // the iterative scan itself found them
      expect(rows).toHaveLength(100);
      expect(rows.every((r) => keep(indexOf(r.imageId)))).toBe(true);
    }
  });

  it("returns every match when fewer than K exist, and nothing for an unknown taxon", async () => {
    const query = randomUnitVector(DIM, rand);
    const filters = {
      taxon: "Genus12 epithet1",
      rank: "species",
      from: "2020-01-01",
      to: "2020-02-01",
    };
    const keep = (i: number) => genusOf[i] === 12 && Math.floor(i / GENERA) % 2 === 1 && i % 366 <= 31;
    const expected = bruteForce(vectors, query, 1000, keep);
    expect(expected.length).toBeGreaterThan(0);
    const rows = await searchByVector(modelId, query, { collectionId, k: 100, filters });
    expect(rows.map((r) => indexOf(r.imageId))).toEqual(expected);
    expect(await searchByVector(modelId, query, { collectionId, k: 10, filters: { taxon: "Nonexistentia" } })).toEqual(
      [],
    );
  });

  it("finds images similar to an image, itself excluded, in its own collection", async () => {
    const i = 123;
    const rows = await searchSimilarToImage(modelId, imageIds[i], { k: 10 });
    expect(rows).toHaveLength(10);
    expect(rows.some((r) => r.imageId === imageIds[i])).toBe(false);
    expect(rows.every((r) => indexOf(r.imageId) >= 0)).toBe(true);
    expect(rows.filter((r) => genusOf[indexOf(r.imageId)] === genusOf[i]).length).toBeGreaterThanOrEqual(8);
    const withSelf = await searchSimilarToImage(modelId, imageIds[i], { k: 1, includeSelf: true, strategy: "exact" });
    expect(withSelf[0].imageId).toBe(imageIds[i]);
    expect(withSelf[0].score).toBeCloseTo(1, 5);
  });

  it("rejects a query vector of the wrong dimension and a bad k", async () => {
    await expect(searchByVector(modelId, new Float32Array(DIM + 1), { collectionId })).rejects.toThrow(/dimensions/);
    await expect(searchByVector(modelId, vectors[0], { collectionId, k: 0 })).rejects.toThrow(/k must be/);
  });
});

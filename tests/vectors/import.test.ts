import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importEmbeddings } from "@/lib/vectors/import-npy";
import { indexInfo } from "@/lib/vectors/hnsw";
import { encodeNpy } from "@/lib/vectors/npy";
import { countVectors, dropVectorStorage } from "@/lib/vectors/storage";
import { imageVector, searchByVector } from "@/lib/search/vector-search";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { clusteredVectors, createCollection, createModel, createTaxaAndImages } from "../search/fixture";

const N = 300;
const DIM = 16;

function flat(vectors: Float32Array[]): Float32Array {
  const out = new Float32Array(vectors.length * DIM);
  vectors.forEach((v, i) => out.set(v, i * DIM));
  return out;
}

describe.each(dbKinds)("precomputed embeddings import on %s", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  let modelId: number;
  let imageIds: number[];
  let vectors: Float32Array[];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-emb-"));
  let n = 0;

  /** A clip-retrieval folder: shards of `sizes` rows, ids from `ids(row)`, written per `ids` kind. */
  function layout(opts: {
    sizes: number[];
    dtype?: "f2" | "f4";
    dim?: number;
    ids: "parquet" | "txt" | "shared";
    id?: (row: number) => string;
    extraIds?: number;
  }): string {
    const dir = path.join(root, `case-${n++}`);
    fs.mkdirSync(path.join(dir, "img_emb"), { recursive: true });
    fs.mkdirSync(path.join(dir, "metadata"));
    const id = opts.id ?? ((r: number) => `photos/img-${r}.jpg`);
    const dim = opts.dim ?? DIM;
    let row = 0;
    const all: string[] = [];
    opts.sizes.forEach((size, s) => {
      const rows = Array.from({ length: size }, (_, i) => row + i);
      const data = dim === DIM ? flat(rows.map((r) => vectors[r])) : new Float32Array(size * dim).fill(0.5);
      fs.writeFileSync(path.join(dir, "img_emb", `img_emb_${s}.npy`), encodeNpy(data, size, dim, opts.dtype ?? "f4"));
      const ids = rows.map(id);
      if (s === opts.sizes.length - 1) for (let e = 0; e < (opts.extraIds ?? 0); e++) ids.push(`extra-${e}`);
      if (opts.ids === "parquet") {
        parquetWriteFile({
          filename: path.join(dir, "metadata", `metadata_${s}.parquet`),
          columnData: [
            { name: "image_path", data: ids, type: "STRING" },
            { name: "caption", data: ids.map(() => "a photo"), type: "STRING" },
          ],
        });
      } else if (opts.ids === "txt") {
        fs.writeFileSync(path.join(dir, "metadata", `metadata_${s}.txt`), ids.join("\n") + "\n");
      }
      all.push(...ids);
      row += size;
    });
    if (opts.ids === "shared") fs.writeFileSync(path.join(dir, "ids.txt"), all.join("\n") + "\n");
    return dir;
  }

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    collectionId = await createCollection("leps");
    const created = await createTaxaAndImages(collectionId, N, 10);
    imageIds = created.imageIds;
    vectors = clusteredVectors(created.genusOf, DIM, 7);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("imports float16 shards matched by path from metadata parquet, then searches them", async () => {
    modelId = await createModel("clip-f16", DIM);
    const dir = layout({ sizes: [120, 180], dtype: "f2", ids: "parquet" });
    const phases = new Set<string>();
    const r = await importEmbeddings(dir, { collectionId, modelId, onProgress: (p) => phases.add(p.phase) });
    expect(r).toMatchObject({ shards: 2, vectors: N, skippedUnknown: 0, duplicates: 0 });
    expect(phases).toEqual(new Set(["checking", "writing", "indexing"]));
    expect(await countVectors(modelId, collectionId)).toBe(N);
    expect((await indexInfo(modelId)).exists).toBe(true);
    const stored = await imageVector(modelId, imageIds[200]);
    stored.vector.forEach((x, i) => expect(Math.abs(x - vectors[200][i])).toBeLessThan(2e-3));
    const hits = await searchByVector(modelId, vectors[200], { collectionId, k: 1 });
    expect(hits[0].sourceId).toBe("img-200");
  });

  it("imports float32 shards with one ids.txt of source ids; a second run changes nothing", async () => {
    const m = await createModel("clip-f32", DIM);
    const dir = layout({ sizes: [100, 100, 100], ids: "shared", id: (r) => `img-${r}` });
    await importEmbeddings(dir, { collectionId, modelId: m, match: "id" });
    await importEmbeddings(dir, { collectionId, modelId: m });
    expect(await countVectors(m, collectionId)).toBe(N);
    expect(Array.from((await imageVector(m, imageIds[17])).vector)).toEqual(Array.from(vectors[17]));
    await dropVectorStorage(m);
  });

  it("reads per-shard plain ids files", async () => {
    const m = await createModel("clip-txt", DIM);
    const dir = layout({ sizes: [50], ids: "txt", id: (r) => `./photos/img-${r}.jpg` });
    expect((await importEmbeddings(dir, { collectionId, modelId: m })).vectors).toBe(50);
  });

  it("fails before writing anything, naming the file, when counts, dimensions or ids do not fit", async () => {
    const m = await createModel("clip-bad", DIM);
    const countMismatch = layout({ sizes: [40, 30], ids: "parquet", extraIds: 2 });
    await expect(importEmbeddings(countMismatch, { collectionId, modelId: m })).rejects.toThrow(
      /img_emb\/img_emb_1\.npy has 30 vectors but metadata\/metadata_1\.parquet has 32 ids/,
    );
    const sharedMismatch = layout({ sizes: [40, 30], ids: "shared", extraIds: 1 });
    await expect(importEmbeddings(sharedMismatch, { collectionId, modelId: m })).rejects.toThrow(
      /ids\.txt has 71 ids but the 2 \.npy file\(s\) hold 70 vectors/,
    );
    const wrongDim = layout({ sizes: [10], ids: "parquet", dim: 12 });
    await expect(importEmbeddings(wrongDim, { collectionId, modelId: m })).rejects.toThrow(
      /img_emb\/img_emb_0\.npy: vectors have 12 dimensions but model "clip-bad" has 16/,
    );
    const unknown = layout({
      sizes: [20, 20],
      ids: "parquet",
      id: (r) => (r === 25 || r === 31 ? `nowhere/${r}.jpg` : `photos/img-${r}.jpg`),
    });
    await expect(importEmbeddings(unknown, { collectionId, modelId: m })).rejects.toThrow(
      /metadata\/metadata_1\.parquet \(ids of img_emb\/img_emb_1\.npy\): 2 of 20 match no image of collection "leps" by path \(or source id\), e\.g\. "nowhere\/25\.jpg", "nowhere\/31\.jpg"/,
    );
    fs.rmSync(path.join(countMismatch, "metadata", "metadata_0.parquet"));
    await expect(importEmbeddings(countMismatch, { collectionId, modelId: m })).rejects.toThrow(
      /img_emb\/img_emb_0\.npy: no ids for it/,
    );
    expect(await countVectors(m)).toBe(0);
    const r = await importEmbeddings(unknown, { collectionId, modelId: m, allowUnknown: true });
    expect(r).toMatchObject({ vectors: 38, skippedUnknown: 2 });
  });
});

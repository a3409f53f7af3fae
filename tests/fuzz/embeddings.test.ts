import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importEmbeddings } from "@/lib/vectors/import-npy";
import { encodeNpy } from "@/lib/vectors/npy";
import { countVectors } from "@/lib/vectors/storage";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { createCollection, createModel, createTaxaAndImages } from "../search/fixture";
import { mutatedBytes } from "./mutate";

// Property-based test of the clip-retrieval import (PGlite): a damaged .npy shard or ids file either
// imports or ends in an error naming the file, never a TypeError/RangeError, and leaves the stored
// vectors as they were. Seeded for CI.

const N = 8;
const DIM = 4;
const IDS = Array.from({ length: N }, (_, r) => `photos/img-${r}.jpg`).join("\n") + "\n";
const NPY = encodeNpy(
  Float32Array.from({ length: N * DIM }, (_, i) => (i % 7) / 7),
  N,
  DIM,
  "f4",
);

let t: TestDatabase;
let collectionId: number;
let modelId: number;
let n = 0;
beforeAll(async () => {
  t = await createTestDatabase("pglite");
  collectionId = await createCollection("leps");
  await createTaxaAndImages(collectionId, N, 2);
  modelId = await createModel("clip", DIM);
});
afterAll(async () => {
  await t?.close();
});

function folder(npy: Buffer, ids: Buffer | string): string {
  const dir = path.join(t.filesDir, `emb-${++n}`);
  fs.mkdirSync(path.join(dir, "img_emb"), { recursive: true });
  fs.mkdirSync(path.join(dir, "metadata"));
  fs.writeFileSync(path.join(dir, "img_emb", "img_emb_0.npy"), npy);
  fs.writeFileSync(path.join(dir, "metadata", "metadata_0.txt"), ids);
  return dir;
}

async function importOrExplain(dir: string, names: string[]): Promise<void> {
  const before = await countVectors(modelId, collectionId);
  try {
    await importEmbeddings(dir, { collectionId, modelId, buildIndex: false });
  } catch (e) {
    if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw e;
    expect(
      names.some((name) => e.message.includes(name)),
      e.message,
    ).toBe(true);
    expect(await countVectors(modelId, collectionId)).toBe(before);
  }
}

describe("clip-retrieval embeddings", () => {
  it("an id with a NUL byte is refused naming the file and line (found by the property below)", async () => {
    const dir = folder(NPY, IDS.replace("photos/img-3", "photos/img\0-3"));
    await expect(importEmbeddings(dir, { collectionId, modelId, buildIndex: false })).rejects.toThrow(
      "metadata/metadata_0.txt line 4: the id contains a NUL byte",
    );
  });
  it("a damaged .npy shard", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBytes(NPY), (npy) => importOrExplain(folder(npy, IDS), ["img_emb_0.npy"])),
      { seed: 20261221, numRuns: 40 },
    );
  });
  it("a damaged ids file", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBytes(Buffer.from(IDS)), (ids) =>
        importOrExplain(folder(NPY, ids), ["metadata_0.txt", "img_emb_0.npy"]),
      ),
      { seed: 20261222, numRuns: 40 },
    );
  });
});

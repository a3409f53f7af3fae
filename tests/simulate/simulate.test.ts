import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { simulate } from "@/lib/simulate/simulate";
import { readTruth } from "@/lib/simulate/truth";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { syntheticVectors } from "../active-learning/synthetic";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { createCollection, createModel } from "../search/fixture";

// fieldmark simulate: the same seed gives the same report, the truth file is checked line by line,
// and the scratch rows go away.

describe("the simulator", () => {
  let t: TestDatabase;
  let collectionId: number;
  let modelId: number;
  let truthFile: string;

  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    collectionId = await createCollection("sim");
    const { vectors } = syntheticVectors({ count: 300, relevant: 20, spread: 0.3, seed: 11 });
    const ids = await db().query<{ id: string }>(
      `INSERT INTO images (collection_id, source_id, file_name)
       SELECT $1, 'i' || g, 'i' || g || '.jpg' FROM generate_series(0, 299) g ORDER BY g RETURNING id`,
      [collectionId],
    );
    modelId = await createModel("synthetic", 16);
    await ensureVectorStorage(modelId, 16);
    await upsertEmbeddings(
      modelId,
      ids.rows.map((r, i) => ({ imageId: Number(r.id), vector: vectors[i] })),
    );
    truthFile = path.join(t.filesDir, "truth.csv");
    const rows = Array.from({ length: 20 }, (_, g) => `a,i${g}`);
    fs.writeFileSync(truthFile, `query_id,image_id\n${rows.join("\n")}\n`);
  }, 120_000);
  afterAll(async () => t?.close());

  it("gives the same report for the same seed, and cleans up after itself", async () => {
    const truth = await readTruth(truthFile, collectionId);
    const run = () =>
      simulate({ collectionId, modelId, truth, seedPositives: 1, strategies: ["static", "cal"], randomSeed: 4 });
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.per_query.map((q) => q.strategy)).toEqual(["static", "cal"]);
    expect(first.strategies.cal!.recall).toBeGreaterThan(0.8);
    expect((await db().query("SELECT count(*)::int AS n FROM queries")).rows[0].n).toBe(0);
    expect((await db().query("SELECT count(*)::int AS n FROM users")).rows[0].n).toBe(0);
  }, 120_000);

  it("names the line of an unknown image or a repeated pair in the truth file", async () => {
    const bad = path.join(t.filesDir, "bad.csv");
    fs.writeFileSync(bad, "query_id,image_id\na,i1\na,nope\n");
    await expect(readTruth(bad, collectionId)).rejects.toThrow(/bad\.csv line 3, column image_id: no image "nope"/);
    fs.writeFileSync(bad, "query_id,image_id\na,i1\na,i1\n");
    await expect(readTruth(bad, collectionId)).rejects.toThrow(/line 3.*listed twice/);
  });
});

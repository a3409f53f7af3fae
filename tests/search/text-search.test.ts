import fs from "node:fs";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerSearchCommand } from "@/cli/commands/search";
import { registerModel } from "@/lib/models/registry";
import { findCollection } from "@/lib/browse/collections";
import { findModel } from "@/lib/search/lookup";
import { embedQueryText } from "@/lib/search/text-query";
import { searchByVector } from "@/lib/search/vector-search";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { tempDir, tinyClipFolder } from "../models/model-folders";
import { clipMergesFile, sharedFixturesAvailable } from "../models/shared-fixtures";
import { createCollection, createTaxaAndImages, randomUnitVector } from "./fixture";
import { rng } from "../helpers/random";

// Text to images through the whole path: the project's tiny CLIP test model registered from its folder,
// the CLI tokenizing and embedding the query with the text tower, then the vector search.

const haveTokenizer = sharedFixturesAvailable(clipMergesFile);

describe.runIf(haveTokenizer).each(dbKinds)("text search on %s", (kind) => {
  let t: TestDatabase;
  const dir = tempDir("fieldmark-text-search-");

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const c = await createCollection("text-moths");
    const { imageIds } = await createTaxaAndImages(c, 300, 5);
    const model = await registerModel({ folder: tinyClipFolder(dir), name: "tiny-clip" });
    const rand = rng(9);
    const rows = imageIds.map((imageId) => ({ imageId, vector: randomUnitVector(model.dim, rand) }));
    // image 42 is exactly what the text tower makes of the query: it must come first, with score 1
    rows[42].vector = await embedQueryText((await findModel("tiny-clip"))!, "a moth resting on lichen");
    await upsertEmbeddings(model.id, rows);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("fieldmark search --text embeds the query with the model's text tower and returns the nearest images", async () => {
    const program = new Command("fieldmark").exitOverride();
    registerSearchCommand(program);
    let out = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await program.parseAsync([
        "node",
        "fieldmark",
        "search",
        "--collection",
        "text-moths",
        "--model",
        "tiny-clip",
        "--text",
        "a moth resting on lichen",
        "--k",
        "5",
        "--json",
      ]);
    } finally {
      spy.mockRestore();
    }
    const rows: { image_id: string; score: number }[] = JSON.parse(out);
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ image_id: "img-42" });
    expect(rows[0].score).toBeCloseTo(1, 5);
    const model = (await findModel("tiny-clip"))!;
    const collection = (await findCollection("text-moths"))!;
    const direct = await searchByVector(model.id, await embedQueryText(model, "a moth resting on lichen"), {
      collectionId: collection.id,
      k: 5,
    });
    expect(rows.map((r) => r.image_id)).toEqual(direct.map((r) => r.sourceId));
  });
});

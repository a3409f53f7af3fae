import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPTH, surfaceCandidates } from "@/lib/candidates/surface";
import { importCollection } from "@/lib/collections";
import { db } from "@/lib/db/client";
import { embedImageIds } from "@/lib/embeddings/embed-images";
import { registerModel } from "@/lib/models/registry";
import { imagesWithoutVectors } from "@/lib/vectors/storage";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds, servicesRequired } from "../helpers/services";
import { tinyClipFolder } from "../models/model-folders";

const NATURAL_MIX = path.resolve(import.meta.dirname, "../../../shared/fixtures/natural-mix/train.json");
const haveShared = fs.existsSync(NATURAL_MIX);
if (!haveShared && servicesRequired) throw new Error(`${NATURAL_MIX} is missing`);

async function addQuery(
  collectionId: number,
  sourceId: string,
  text: string,
  extra: { iconicGroup?: string; scope?: object[] } = {},
): Promise<number> {
  const r = await db().query(
    "INSERT INTO queries (collection_id, source_id, text, iconic_group, taxon_scope) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    [collectionId, sourceId, text, extra.iconicGroup ?? null, JSON.stringify(extra.scope ?? [])],
  );
  return r.rows[0].id;
}

async function candidates(queryId: number, source: string) {
  return (
    await db().query(
      `SELECT c.rank, c.score, i.source_id, t.iconic_group, t.genus FROM candidates c
       JOIN images i ON i.id = c.image_id LEFT JOIN taxa t ON t.id = i.taxon_id
      WHERE c.query_id = $1 AND c.source = $2 ORDER BY c.rank`,
      [queryId, source],
    )
  ).rows;
}

describe.skipIf(!haveShared).each(dbKinds)("candidate surfacing on %s (needs ../shared)", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    process.env.FIELDMARK_DATA_DIR = t.dataDir;
    collectionId = (await importCollection({ source: NATURAL_MIX, collection: "natural-mix" })).collectionId;
    const model = await registerModel({ folder: tinyClipFolder(path.join(t.dataDir, "clip")), name: "tiny" });
    await embedImageIds(model, await imagesWithoutVectors(model.id, collectionId, { limit: 1000 }));
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it("ranks each source on its own, inside the query's iconic group, and finds the named taxon by metadata", async () => {
    const q = await addQuery(collectionId, "q1", "goldfish in a pond", { iconicGroup: "Fish" });
    const r = await surfaceCandidates(q);
    const text = await candidates(q, "text-image:tiny");
    const fish = (
      await db().query(
        "SELECT count(*)::int AS n FROM images i JOIN taxa t ON t.id = i.taxon_id WHERE t.iconic_group = 'Fish'",
      )
    ).rows[0].n;
    expect(fish).toBeGreaterThan(0);
    expect(text).toHaveLength(fish);
    expect(text.every((c) => c.iconic_group === "Fish")).toBe(true);
    expect(text.map((c) => c.rank)).toEqual(text.map((_, i) => i + 1));
    for (let i = 1; i < text.length; i++) expect(text[i - 1].score).toBeGreaterThanOrEqual(text[i].score);
    const meta = await candidates(q, "metadata");
    expect(meta[0].source_id).toBe("1"); // images/n01443537_goldfish.jpg
    expect(r.sources["text-image:tiny"]).toEqual({ surfaced: fish, added: fish });
  });

  it("keeps to a taxon scope, surfaces around example images, and goes deeper on each refill", async () => {
    const scoped = await addQuery(collectionId, "q2", "a fish", {
      scope: [
        { rank: "genus", name: "Carassius" },
        { rank: "genus", name: "Tinca" },
      ],
    });
    await surfaceCandidates(scoped);
    const inScope = await candidates(scoped, "text-image:tiny");
    expect(inScope.map((c) => c.genus).sort()).toEqual(["Carassius", "Tinca"]);

    const open = await addQuery(collectionId, "q3", "an animal in the wild");
    const example = (
      await db().query("SELECT id FROM images WHERE collection_id = $1 ORDER BY id LIMIT 1", [collectionId])
    ).rows[0].id;
    await db().query("INSERT INTO query_examples (query_id, image_id) VALUES ($1, $2)", [open, example]);
    const first = await surfaceCandidates(open);
    expect(first.sources["text-image:tiny"]).toEqual({ surfaced: DEPTH, added: DEPTH });
    const similar = await candidates(open, "similar:tiny");
    expect(similar).toHaveLength(DEPTH);
    const firstTop = await candidates(open, "text-image:tiny");
    const second = await surfaceCandidates(open);
    expect(second.sources["text-image:tiny"]).toEqual({ surfaced: 409, added: 409 - DEPTH });
    // a refill extends the ranking; it does not reorder what was there
    expect((await candidates(open, "text-image:tiny")).slice(0, DEPTH).map((c) => c.source_id)).toEqual(
      firstTop.map((c) => c.source_id),
    );
  });
});

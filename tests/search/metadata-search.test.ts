import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { searchMetadata } from "@/lib/search/metadata-search";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { createCollection } from "./fixture";

const TAXA = [
  // source id, name, common name, rank, class, order, family, genus, species, iconic group
  [
    "1",
    "Danaus plexippus",
    "Monarch",
    "species",
    "Insecta",
    "Lepidoptera",
    "Nymphalidae",
    "Danaus",
    "plexippus",
    "Insecta",
  ],
  [
    "2",
    "Danaus gilippus",
    "Queen",
    "species",
    "Insecta",
    "Lepidoptera",
    "Nymphalidae",
    "Danaus",
    "gilippus",
    "Insecta",
  ],
  [
    "3",
    "Papilio machaon",
    "Old World Swallowtail",
    "species",
    "Insecta",
    "Lepidoptera",
    "Papilionidae",
    "Papilio",
    "machaon",
    "Insecta",
  ],
  [
    "4",
    "Haliaeetus leucocephalus",
    "Bald Eagle",
    "species",
    "Aves",
    "Accipitriformes",
    "Accipitridae",
    "Haliaeetus",
    "leucocephalus",
    "Aves",
  ],
  [
    "5",
    "Aquila chrysaetos",
    "Golden Eagle",
    "species",
    "Aves",
    "Accipitriformes",
    "Accipitridae",
    "Aquila",
    "chrysaetos",
    "Aves",
  ],
  [
    "6",
    "Vanessa cardui",
    "Painted Lady butterfly",
    "species",
    "Insecta",
    "Lepidoptera",
    "Nymphalidae",
    "Vanessa",
    "cardui",
    "Insecta",
  ],
];
const PER_TAXON = 30;

describe.each(dbKinds)("metadata search on %s", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  let taxonOfImage: Map<number, string>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    collectionId = await createCollection("mixed");
    await db().query(
      `INSERT INTO taxa (collection_id, source_id, name, common_name, rank, kingdom, phylum, class, "order", family, genus, species, iconic_group)
       SELECT $1, a[1], a[2], a[3], a[4], 'Animalia', 'Chordata', a[5], a[6], a[7], a[8], a[9], a[10]
       FROM jsonb_array_elements($2::jsonb) AS j, LATERAL (SELECT ARRAY(SELECT jsonb_array_elements_text(j)) AS a) x`,
      [collectionId, JSON.stringify(TAXA)],
    );
    await db().query(
      `INSERT INTO images (collection_id, source_id, file_name, taxon_id, observed_at, latitude, longitude)
       SELECT $1, t.source_id || '-' || n, 'f' || t.source_id || '-' || n || '.jpg', t.id,
              make_timestamptz(2021, 1 + n % 12, 1, 0, 0, 0, 'UTC'), n, n
       FROM taxa t, generate_series(1, ${PER_TAXON}) n WHERE t.collection_id = $1`,
      [collectionId],
    );
    const r = await db().query("SELECT i.id, t.source_id FROM images i JOIN taxa t ON t.id = i.taxon_id");
    taxonOfImage = new Map(r.rows.map((row) => [Number(row.id), row.source_id]));
  });
  afterAll(async () => {
    await t?.close();
  });

  const taxaOf = (rows: { imageId: number }[]) => [...new Set(rows.map((r) => taxonOfImage.get(r.imageId)))];

  it("finds images by common name, scientific name, genus and higher ranks", async () => {
    expect(taxaOf(await searchMetadata(collectionId, "monarch"))).toEqual(["1"]);
    expect(taxaOf(await searchMetadata(collectionId, "Danaus plexippus"))[0]).toBe("1");
    expect(new Set(taxaOf(await searchMetadata(collectionId, "danaus")))).toEqual(new Set(["1", "2"]));
    expect(new Set(taxaOf(await searchMetadata(collectionId, "Accipitridae", { k: 1000 })))).toEqual(
      new Set(["4", "5"]),
    );
    expect(new Set(taxaOf(await searchMetadata(collectionId, "eagles", { k: 1000 })))).toEqual(new Set(["4", "5"])); // stemmed
  });

  it("ranks taxa matching every word first, then partial matches", async () => {
    const rows = await searchMetadata(collectionId, "bald eagle", { k: 1000 });
    expect(rows.slice(0, PER_TAXON).every((r) => taxonOfImage.get(r.imageId) === "4")).toBe(true);
    expect(taxaOf(rows)).toEqual(["4", "5"]);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].score).toBeGreaterThanOrEqual(rows[i].score);
  });

  it("applies filters in the query and returns exactly K when K match", async () => {
    const rows = await searchMetadata(collectionId, "Lepidoptera", {
      k: 10,
      filters: {
        taxon: "Nymphalidae",
        rank: "family",
        from: "2021-03-01",
        to: "2021-06-30",
      },
    });
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => ["1", "2", "6"].includes(taxonOfImage.get(r.imageId)!))).toBe(true);
    const inBox = await searchMetadata(collectionId, "eagle", {
      k: 1000,
      filters: { bbox: { minLon: 0, minLat: 0, maxLon: 10.5, maxLat: 10.5 }, iconicGroup: "Aves" },
    });
    expect(inBox).toHaveLength(20); // n = 1..10 for each of the two eagles
  });

  it("returns nothing for empty or unmatched text", async () => {
    expect(await searchMetadata(collectionId, "  !! ")).toEqual([]);
    expect(await searchMetadata(collectionId, "zebra")).toEqual([]);
  });

  it("uses the GIN index on taxa", async () => {
    await db().query("SET enable_seqscan = off");
    const plan = await db().query(
      `EXPLAIN SELECT id FROM taxa t WHERE taxon_search_document(t.name, t.common_name, t.rank, t.kingdom, t.phylum, t.class, t."order", t.family, t.genus, t.species, t.iconic_group) @@ to_tsquery('english', 'eagle')`,
    );
    await db().query("RESET enable_seqscan");
    expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/taxa_search_idx/);
  });
});

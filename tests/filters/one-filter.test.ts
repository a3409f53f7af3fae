import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listImages } from "@/lib/browse/images";
import { searchTaxa } from "@/lib/browse/taxa";
import { queryFilters } from "@/lib/candidates/surface";
import { db } from "@/lib/db/client";
import type { ImageFilter } from "@/lib/filters/filter";
import { createQuery } from "@/lib/queries/queries";
import { searchMetadata } from "@/lib/search/metadata-search";
import { searchByVector } from "@/lib/search/vector-search";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { rng } from "../helpers/random";
import { dbKinds } from "../helpers/services";
import { createCollection, createModel, randomUnitVector } from "../search/fixture";

// One meaning for a filter: for each filter of the table, the browse grid, vector search (an exact scan
// with K above the collection's size), metadata search (words every taxon has) and candidate surfacing
// (a query's scope and iconic group, through the filters surface.ts makes of them) select the same
// images, and that set is the one the rules in lib/filters/filter.ts describe, written out here by hand.

type SeedTaxon = {
  key: string;
  name: string;
  common?: string;
  rank: string | null;
  chain: Partial<Record<"kingdom" | "phylum" | "class" | "order" | "family" | "genus" | "species", string>>;
  iconic: string;
};

const INSECT = { kingdom: "Animalia", phylum: "Arthropoda", class: "Insecta", order: "Lepidoptera" };
const NYMPHALID = { ...INSECT, family: "Nymphalidae" };
const TAXA: SeedTaxon[] = [
  {
    key: "monarch",
    name: "Danaus plexippus",
    common: "Monarch",
    rank: "species",
    chain: { ...NYMPHALID, genus: "Danaus", species: "plexippus" },
    iconic: "Insecta",
  },
  // a subspecies with its chain filled, and one whose source gave only its name and rank
  {
    key: "northern",
    name: "Danaus plexippus plexippus",
    common: "Northern Monarch",
    rank: "subspecies",
    chain: { ...NYMPHALID, genus: "Danaus", species: "plexippus" },
    iconic: "Insecta",
  },
  {
    key: "megalippe",
    name: "Danaus plexippus megalippe",
    rank: "subspecies",
    chain: { ...NYMPHALID, genus: "Danaus" },
    iconic: "Insecta",
  },
  {
    key: "queen",
    name: "Danaus gilippus",
    common: "Queen",
    rank: "species",
    chain: { ...NYMPHALID, genus: "Danaus", species: "gilippus" },
    iconic: "Insecta",
  },
  { key: "danaini", name: "Danaini", rank: "tribe", chain: NYMPHALID, iconic: "Insecta" },
  {
    key: "swallowtail",
    name: "Papilio machaon",
    common: "Old World Swallowtail",
    rank: "species",
    chain: { ...INSECT, family: "Papilionidae", genus: "Papilio", species: "machaon" },
    iconic: "Insecta",
  },
  // a family-level category whose chain does not repeat its own name
  { key: "papilionidae", name: "Papilionidae", rank: "family", chain: INSECT, iconic: "Insecta" },
  // a class the source does not place in the taxonomy (iNat's "Adonis" under Lepidoptera)
  { key: "adonis", name: "Adonis", common: "Adonis", rank: null, chain: INSECT, iconic: "Insecta" },
  {
    key: "eagle",
    name: "Haliaeetus leucocephalus",
    common: "Bald Eagle",
    rank: "species",
    chain: {
      kingdom: "Animalia",
      phylum: "Chordata",
      class: "Aves",
      order: "Accipitriformes",
      family: "Accipitridae",
      genus: "Haliaeetus",
      species: "leucocephalus",
    },
    iconic: "Aves",
  },
  {
    key: "oak",
    name: "Quercus robur",
    common: "Pedunculate Oak",
    rank: "species",
    chain: {
      kingdom: "Plantae",
      phylum: "Tracheophyta",
      class: "Magnoliopsida",
      order: "Fagales",
      family: "Fagaceae",
      genus: "Quercus",
      species: "robur",
    },
    iconic: "Plantae",
  },
];

/** Where and when an image was taken: the edges of the day 2024-06-15 and of a box across 180°. */
type Spot = { key: string; at: string | null; lat: number | null; lon: number | null };
const SPOTS: Spot[] = [
  { key: "day-start", at: "2024-06-15T00:00:00Z", lat: 0, lon: 170 },
  { key: "day-2330", at: "2024-06-15T23:30:00Z", lat: 10, lon: 179.5 },
  { key: "day-before", at: "2024-06-14T23:59:59.999Z", lat: -10, lon: -179.5 },
  { key: "day-after", at: "2024-06-16T00:00:00Z", lat: 5, lon: -170 },
  { key: "europe", at: "2023-01-01T12:00:00Z", lat: 48, lon: 2 },
  { key: "nowhere", at: null, lat: null, lon: null },
  { key: "lat-out", at: "2024-12-31T23:30:00Z", lat: -10.0001, lon: 175 },
  { key: "west-out", at: "2024-06-15T12:00:00Z", lat: 0, lon: 169.9 },
  { key: "east-out", at: "2024-06-15T12:00:00Z", lat: 0, lon: -169.9 },
  { key: "at-180", at: "2024-06-15T12:00:00Z", lat: 0, lon: 180 },
  { key: "at-minus-180", at: "2024-06-15T12:00:00Z", lat: 0, lon: -180 },
];

type Seeded = { sourceId: string; taxon: string; spot: string };

/** Each taxon's images: every spot but one (a different one per taxon), so spots and taxa cross. */
function seedPlan(prefix: string): Seeded[] {
  return TAXA.flatMap((t, ti) =>
    SPOTS.filter((_, si) => si !== ti % SPOTS.length).map((s) => ({
      sourceId: `${prefix}${t.key}@${s.key}`,
      taxon: t.key,
      spot: s.key,
    })),
  );
}

async function seed(collectionId: number, prefix: string): Promise<{ ids: Map<string, number>; plan: Seeded[] }> {
  const taxonIds = new Map<string, number>();
  for (const t of TAXA) {
    const c = t.chain;
    const r = await db().query<{ id: number }>(
      `INSERT INTO taxa (collection_id, source_id, name, common_name, rank, kingdom, phylum, class, "order", family, genus, species, iconic_group)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        collectionId,
        t.key,
        t.name,
        t.common ?? null,
        t.rank,
        c.kingdom ?? null,
        c.phylum ?? null,
        c.class ?? null,
        c.order ?? null,
        c.family ?? null,
        c.genus ?? null,
        c.species ?? null,
        t.iconic,
      ],
    );
    taxonIds.set(t.key, r.rows[0].id);
  }
  const plan = seedPlan(prefix);
  const spot = new Map(SPOTS.map((s) => [s.key, s]));
  const ids = new Map<string, number>();
  for (const img of plan) {
    const s = spot.get(img.spot)!;
    const r = await db().query<{ id: number }>(
      `INSERT INTO images (collection_id, source_id, file_name, taxon_id, observed_at, latitude, longitude)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [collectionId, img.sourceId, `${img.sourceId}.jpg`, taxonIds.get(img.taxon), s.at, s.lat, s.lon],
    );
    ids.set(img.sourceId, Number(r.rows[0].id));
  }
  return { ids, plan };
}

const ALL_TAXA = TAXA.map((t) => t.key);
const ALL_SPOTS = SPOTS.map((s) => s.key);
const DANAUS = ["monarch", "northern", "megalippe", "queen"];
const PLEXIPPUS = ["monarch", "northern", "megalippe"];
const LEPIDOPTERA = ["monarch", "northern", "megalippe", "queen", "danaini", "swallowtail", "papilionidae", "adonis"];
const ANTIMERIDIAN_BOX = { minLon: 170, minLat: -10, maxLon: -170, maxLat: 10 };
const IN_BOX = ["day-start", "day-2330", "day-before", "day-after", "at-180", "at-minus-180"];
const ON_THE_15TH = ["day-start", "day-2330", "west-out", "east-out", "at-180", "at-minus-180"];

type Case = { name: string; filter: ImageFilter; taxa: string[]; spots?: string[] };

const CASES: Case[] = [
  { name: "no filter", filter: {}, taxa: ALL_TAXA },
  { name: "kingdom", filter: { taxon: "Animalia", rank: "kingdom" }, taxa: ALL_TAXA.filter((k) => k !== "oak") },
  { name: "phylum", filter: { taxon: "Arthropoda", rank: "phylum" }, taxa: LEPIDOPTERA },
  { name: "class, lower case", filter: { taxon: "aves", rank: "class" }, taxa: ["eagle"] },
  { name: "order", filter: { taxon: "Lepidoptera", rank: "order" }, taxa: LEPIDOPTERA },
  { name: "family: its subtree", filter: { taxon: "Nymphalidae", rank: "family" }, taxa: [...DANAUS, "danaini"] },
  {
    name: "family: the family's own row counts",
    filter: { taxon: "Papilionidae", rank: "family" },
    taxa: ["swallowtail", "papilionidae"],
  },
  { name: "genus", filter: { taxon: "Danaus", rank: "genus" }, taxa: DANAUS },
  { name: "genus, upper case", filter: { taxon: "DANAUS", rank: "genus" }, taxa: DANAUS },
  { name: "species and its subspecies", filter: { taxon: "Danaus plexippus", rank: "species" }, taxa: PLEXIPPUS },
  { name: "species, mixed case", filter: { taxon: "danaus PLEXIPPUS", rank: "species" }, taxa: PLEXIPPUS },
  { name: "species without subspecies", filter: { taxon: "Danaus gilippus", rank: "species" }, taxa: ["queen"] },
  { name: "an unranked category as a species", filter: { taxon: "Adonis", rank: "species" }, taxa: ["adonis"] },
  {
    name: "subspecies",
    filter: { taxon: "Danaus plexippus megalippe", rank: "subspecies" },
    taxa: ["megalippe"],
  },
  { name: "another rank (tribe)", filter: { taxon: "danaini", rank: "tribe" }, taxa: ["danaini"] },
  { name: "a name at the wrong rank", filter: { taxon: "Papilionidae", rank: "genus" }, taxa: [] },
  { name: "bare binomial: any rank", filter: { taxon: "Danaus plexippus" }, taxa: PLEXIPPUS },
  { name: "bare family name", filter: { taxon: "papilionidae" }, taxa: ["swallowtail", "papilionidae"] },
  { name: "bare genus name", filter: { taxon: "Danaus" }, taxa: DANAUS },
  { name: "common name", filter: { taxon: "Monarch" }, taxa: ["monarch"] },
  { name: "common name, lower case", filter: { taxon: "bald eagle" }, taxa: ["eagle"] },
  { name: "unknown name", filter: { taxon: "Nonexistentia" }, taxa: [] },
  { name: "SQL in a name is a name", filter: { taxon: "x' OR 1=1 --" }, taxa: [] },
  {
    name: "iconic group, lower case",
    filter: { iconicGroup: "insecta" },
    taxa: ALL_TAXA.filter((k) => !["eagle", "oak"].includes(k)),
  },
  { name: "iconic group with no taxa", filter: { iconicGroup: "Fungi" }, taxa: [] },
  {
    name: "one whole day (00:00 and 23:30 UTC in, the ms before and the midnight after out)",
    filter: { from: "2024-06-15", to: "2024-06-15" },
    taxa: ALL_TAXA,
    spots: ON_THE_15TH,
  },
  {
    name: "from only",
    filter: { from: "2024-06-16" },
    taxa: ALL_TAXA,
    spots: ["day-after", "lat-out"],
  },
  {
    name: "to only: the last day whole",
    filter: { to: "2024-06-14" },
    taxa: ALL_TAXA,
    spots: ["day-before", "europe"],
  },
  {
    name: "to on the last day of a year, 23:30 UTC",
    filter: { from: "2024-12-31", to: "2024-12-31" },
    taxa: ALL_TAXA,
    spots: ["lat-out"],
  },
  {
    name: "a box across the antimeridian, edges in",
    filter: { bbox: ANTIMERIDIAN_BOX },
    taxa: ALL_TAXA,
    spots: IN_BOX,
  },
  {
    name: "an ordinary box",
    filter: { bbox: { minLon: -10, minLat: 35, maxLon: 30, maxLat: 60 } },
    taxa: ALL_TAXA,
    spots: ["europe"],
  },
  {
    name: "the whole world has every placed image",
    filter: { bbox: { minLon: -180, minLat: -90, maxLon: 180, maxLat: 90 } },
    taxa: ALL_TAXA,
    spots: ALL_SPOTS.filter((s) => s !== "nowhere"),
  },
  {
    name: "species, day and antimeridian box together",
    filter: {
      taxon: "Danaus plexippus",
      rank: "species",
      from: "2024-06-15",
      to: "2024-06-15",
      bbox: ANTIMERIDIAN_BOX,
    },
    taxa: PLEXIPPUS,
    spots: ["day-start", "day-2330", "at-180", "at-minus-180"],
  },
  {
    name: "genus and iconic group",
    filter: { taxon: "Danaus", rank: "genus", iconicGroup: "INSECTA" },
    taxa: DANAUS,
  },
  {
    name: "taxon outside the iconic group",
    filter: { taxon: "Lepidoptera", rank: "order", iconicGroup: "Aves" },
    taxa: [],
  },
  {
    name: "common name and a date range",
    filter: { taxon: "queen", from: "2024-06-15", to: "2024-12-31" },
    taxa: ["queen"],
    spots: [...ON_THE_15TH, "day-after", "lat-out"],
  },
];

/** Words every seeded taxon's search document holds, so metadata search reaches every image. */
const EVERY_TAXON = "Animalia Plantae";
const K = 10_000;

describe.each(dbKinds)("one filter, one image set, on %s", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  let modelId: number;
  let plan: Seeded[];
  let sourceOf: Map<number, string>;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    collectionId = await createCollection("one-filter");
    const seeded = await seed(collectionId, "");
    plan = seeded.plan;
    // a second collection of the same taxa: none of its images may ever show
    const other = await createCollection("other");
    const others = await seed(other, "other:");
    modelId = await createModel("filter-model", 8);
    await ensureVectorStorage(modelId, 8);
    const rand = rng(7);
    const all = [...seeded.ids.values(), ...others.ids.values()];
    await upsertEmbeddings(
      modelId,
      all.map((imageId) => ({ imageId, vector: randomUnitVector(8, rand) })),
    );
    sourceOf = new Map([...seeded.ids].map(([source, id]) => [id, source]));
  });
  afterAll(async () => {
    await t?.close();
  });

  const sorted = (ids: Iterable<string>) => [...new Set(ids)].sort();
  const expected = (c: Case) =>
    sorted(
      plan.filter((i) => c.taxa.includes(i.taxon) && (!c.spots || c.spots.includes(i.spot))).map((i) => i.sourceId),
    );

  async function browse(filter: ImageFilter): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listImages(collectionId, filter, { cursor, limit: 50 });
      ids.push(...page.images.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return sorted(ids);
  }
  const query = Float32Array.from({ length: 8 }, (_, i) => (i === 0 ? 1 : 0));
  const vector = async (filter: ImageFilter) =>
    sorted(
      (await searchByVector(modelId, query, { collectionId, k: K, strategy: "exact", filters: filter })).map(
        (r) => r.sourceId,
      ),
    );
  const metadata = async (filter: ImageFilter) =>
    sorted((await searchMetadata(collectionId, EVERY_TAXON, { k: K, filters: filter })).map((r) => r.sourceId));
  /** What candidate surfacing searches among for a query with this scope and iconic group. */
  async function candidates(scope: { rank: string; name: string }[], iconicGroup: string | null): Promise<string[]> {
    const filters = await queryFilters({ collectionId, iconicGroup, taxonScope: scope });
    const found: string[] = [];
    for (const f of filters) found.push(...(await vector(f)));
    return sorted(found);
  }

  it("every path reaches every image of the collection, and only those, when nothing is filtered", async () => {
    const all = sorted(plan.map((i) => i.sourceId));
    expect(all).toHaveLength(TAXA.length * (SPOTS.length - 1));
    expect(await browse({})).toEqual(all);
    expect(await vector({})).toEqual(all);
    expect(await metadata({})).toEqual(all);
    expect(await candidates([], null)).toEqual(all);
  });

  it.each(CASES)("$name: browse, vector search and metadata search select the same images", async (c) => {
    const want = expected(c);
    expect(await browse(c.filter)).toEqual(want);
    expect(await vector(c.filter)).toEqual(want);
    expect(await metadata(c.filter)).toEqual(want);
  });

  // A query's scope is a list of (rank, name) and its iconic group; no dates or places.
  const scoped = CASES.filter(
    (c) => !c.filter.from && !c.filter.to && !c.filter.bbox && (c.filter.taxon ? c.filter.rank : c.filter.iconicGroup),
  );

  it.each(scoped)("$name: candidate surfacing searches the same images, and the query check agrees", async (c) => {
    const { taxon, rank, iconicGroup } = c.filter;
    const scope = taxon && rank ? [{ rank, name: taxon }] : [];
    const want = expected(c);
    // a query's iconic group that no taxon of the collection has is dropped (INQUIRE's groups are
    // metadata): then surfacing searches as if it were not there
    const groupKnown = !iconicGroup || TAXA.some((x) => x.iconic.toLowerCase() === iconicGroup.toLowerCase());
    const got = await candidates(scope, iconicGroup ?? null);
    if (groupKnown) expect(got).toEqual(want);
    else expect(got).toEqual(expected({ ...c, filter: { ...c.filter, iconicGroup: undefined }, taxa: ALL_TAXA }));
    if (!scope.length || iconicGroup) return;
    // saving a query with this scope is refused exactly when the scope selects nothing
    const save = createQuery(collectionId, { text: `scope ${c.name}`, taxonScope: scope }, null);
    if (want.length) await expect(save).resolves.toMatchObject({ taxonScope: scope });
    else await expect(save).rejects.toThrow(/Taxon scope: this collection has no/);
  });

  it("every taxon the typeahead offers selects images as a filter", async () => {
    for (const term of ["dan", "papil", "adonis", "monarch", "aves"]) {
      const suggestions = await searchTaxa(collectionId, term);
      expect(suggestions.length).toBeGreaterThan(0);
      for (const s of suggestions) {
        const ids = await browse({ taxon: s.name, rank: s.rank });
        expect(ids.length, `${s.rank} ${s.name}`).toBeGreaterThan(0);
        expect(await vector({ taxon: s.name, rank: s.rank })).toEqual(ids);
      }
    }
  });

  it("the same image ids come back in every path: the collection's own, never another's", async () => {
    const ids = (await searchByVector(modelId, query, { collectionId, k: K, strategy: "exact" })).map((r) => r.imageId);
    expect(ids.every((id) => sourceOf.has(id))).toBe(true);
  });
});

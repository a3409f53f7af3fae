import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCollection, listIconicGroups } from "@/lib/browse/collections";
import { listCollections } from "@/lib/collections/list";
import type { ImageFilter } from "@/lib/filters/filter";
import { BadCursorError, countImages, getImage, listImages } from "@/lib/browse/images";
import { searchTaxa } from "@/lib/browse/taxa";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import {
  CORRUPT_IMAGE_ID,
  seedCollection,
  SLASHED_IMAGE_ID,
  type SeededCollection,
  type SeededImage,
} from "../helpers/seed";
import { dbKinds } from "../helpers/services";

describe.each(dbKinds)("browsing on %s", (kind) => {
  let t: TestDatabase;
  let seeded: SeededCollection;
  let root: string;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-browse-"));
    seeded = await seedCollection(root);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Every image id matching `filter`, paging through the whole result 5 at a time. */
  async function allIds(filter: ImageFilter): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listImages(seeded.id, filter, { cursor, limit: 5 });
      ids.push(...page.images.map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  }
  const expected = (keep: (i: SeededImage) => boolean) => seeded.images.filter(keep).map((i) => i.sourceId);

  it("lists collections with image and taxon counts", async () => {
    expect(await listCollections()).toEqual([expect.objectContaining({ name: "garden-survey", images: 24, taxa: 6 })]);
    expect(await findCollection("garden-survey")).toMatchObject({ id: seeded.id, imagesRoot: root });
    expect(await findCollection("nope")).toBeNull();
    expect(await listIconicGroups(seeded.id)).toEqual([
      { group: "Aves", taxa: 2 },
      { group: "Insecta", taxa: 3 },
      { group: "Plantae", taxa: 1 },
    ]);
  });

  it("pages through every image once, in a stable order, with source ids", async () => {
    const ids = await allIds({});
    expect(ids).toEqual(seeded.images.map((i) => i.sourceId));
    const first = await listImages(seeded.id, {}, { limit: 100 });
    expect(first.nextCursor).toBeNull();
    expect(first.images[0]).toEqual({
      id: "1001",
      width: 320,
      height: 240,
      status: "ok",
      statusReason: null,
      taxon: { name: "Papilio machaon", commonName: "Old World Swallowtail" },
    });
    await expect(listImages(seeded.id, {}, { cursor: "not-a-cursor" })).rejects.toThrow(BadCursorError);
  });

  it("filters by taxon at any rank", async () => {
    expect(await allIds({ taxon: "Papilionidae", rank: "family" })).toEqual(
      expected((i) => i.taxon.family === "Papilionidae"),
    );
    expect(await allIds({ taxon: "Papilio machaon", rank: "species" })).toEqual(
      expected((i) => i.taxon.name === "Papilio machaon"),
    );
    expect(await allIds({ taxon: "papilio", rank: "genus" })).toHaveLength(9); // case-insensitive
    expect(await allIds({ taxon: "Lepidoptera", rank: "order" })).toHaveLength(12);
    expect(await allIds({ taxon: "Animalia", rank: "kingdom" })).toHaveLength(20);
    // without a rank: any rank, scientific or common name
    expect(await allIds({ taxon: "Monarch" })).toEqual(expected((i) => i.taxon.commonName === "Monarch"));
    expect(await allIds({ taxon: "Accipitridae" })).toHaveLength(6);
    // a name at the wrong rank matches nothing
    expect(await allIds({ taxon: "Papilionidae", rank: "genus" })).toEqual([]);
    expect(await allIds({ taxon: "x' OR 1=1 --" })).toEqual([]);
  });

  it("filters by iconic group, date range and bounding box, alone and together", async () => {
    expect(await allIds({ iconicGroup: "Aves" })).toEqual(expected((i) => i.taxon.iconicGroup === "Aves"));
    const in2023 = (i: SeededImage) => i.observedAt.getUTCFullYear() === 2023;
    expect(await allIds({ from: "2023-01-01", to: "2023-12-31" })).toEqual(expected(in2023));
    const europe = { minLon: -10, minLat: 35, maxLon: 30, maxLat: 60 };
    const inEurope = (i: SeededImage) => i.longitude > -10 && i.longitude < 30;
    expect(await allIds({ bbox: europe })).toEqual(expected(inEurope));
    // a box across the antimeridian (from 170°E eastwards to 70°W) holds America but not Europe
    expect(await allIds({ bbox: { minLon: 170, minLat: 35, maxLon: -70, maxLat: 60 } })).toEqual(
      expected((i) => i.longitude < -70),
    );
    const all = { iconicGroup: "Insecta", from: "2023-01-01", to: "2023-12-31", bbox: europe };
    expect(await allIds(all)).toEqual(expected((i) => i.taxon.iconicGroup === "Insecta" && in2023(i) && inEurope(i)));
    expect(await allIds({ iconicGroup: "Fungi" })).toEqual([]);
  });

  it("the to-date includes the whole day", async () => {
    const img = seeded.images[0];
    const day = img.observedAt.toISOString().slice(0, 10);
    expect(await allIds({ from: day, to: day })).toContain(img.sourceId);
  });

  it("counts matches, up to a cap", async () => {
    expect(await countImages(seeded.id, {})).toEqual({ count: 24, capped: false });
    expect(await countImages(seeded.id, { taxon: "Papilionidae", rank: "family" })).toEqual({
      count: 9,
      capped: false,
    });
    expect(await countImages(seeded.id, {}, 10)).toEqual({ count: 10, capped: true });
  });

  it("suggests taxa at every rank, best matches first", async () => {
    const papil = await searchTaxa(seeded.id, "papil");
    expect(papil.map((s) => [s.rank, s.name])).toEqual([
      ["family", "Papilionidae"],
      ["genus", "Papilio"],
      ["species", "Papilio glaucus"],
      ["species", "Papilio machaon"],
    ]);
    expect(papil[0]).toMatchObject({ parent: "Lepidoptera", taxa: 2 });
    // common names, and an exact match before prefix matches
    expect((await searchTaxa(seeded.id, "eagle"))[0]).toMatchObject({
      rank: "species",
      name: "Haliaeetus leucocephalus",
      commonName: "Bald Eagle",
    });
    expect((await searchTaxa(seeded.id, "Aves"))[0]).toMatchObject({ rank: "class", name: "Aves", taxa: 2 });
    // LIKE wildcards in the query are literal
    expect(await searchTaxa(seeded.id, "%")).toEqual([]);
    expect(await searchTaxa(seeded.id, "  ")).toEqual([]);
  });

  it("shows one image with its metadata and full taxonomy, by its source id", async () => {
    const image = await getImage(seeded.id, SLASHED_IMAGE_ID);
    expect(image).toMatchObject({
      id: SLASHED_IMAGE_ID,
      fileName: SLASHED_IMAGE_ID,
      width: 320,
      height: 240,
      license: "cc-by",
      status: "ok",
      taxon: {
        name: "Quercus robur",
        commonName: "Pedunculate Oak",
        rank: "species",
        iconicGroup: "Plantae",
        kingdom: "Plantae",
        phylum: "Tracheophyta",
        class: "Magnoliopsida",
        order: "Fagales",
        family: "Fagaceae",
        genus: "Quercus",
        species: "robur",
      },
    });
    expect(image?.observedAt).toBeInstanceOf(Date);
    expect(await getImage(seeded.id, CORRUPT_IMAGE_ID)).toMatchObject({ status: "ok" });
    expect(await getImage(seeded.id, "no-such-image")).toBeNull();
  });
});

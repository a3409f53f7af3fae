import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCollection, listCollections } from "@/lib/collections";
import { db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { counts, LEPIDOPTERA, NATURAL_MIX, sharedFixtures, tempDir } from "./helpers";

// The two real fixtures in ../shared, imported as iNat-style train.json files.

describe.skipIf(!sharedFixtures).each(dbKinds)("importing the shared fixtures on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("lepidoptera: exactly 4,950 images and 99 species, with the source's ids and paths", async () => {
    const phases: string[] = [];
    const r = await importCollection({
      source: LEPIDOPTERA,
      collection: "lepidoptera",
      batchSize: 2_000,
      onProgress: (p) => {
        if (phases.at(-1) !== p.phase) phases.push(p.phase);
      },
    });
    expect(phases).toEqual(["reading", "checking", "merging", "done"]);
    expect(r).toMatchObject({ alreadyImported: false, resumed: false, sourceKind: "inat-json", annotations: 4950 });
    expect(r.images).toEqual({ inSource: 4950, added: 4950 });
    expect(r.taxa).toEqual({ inSource: 99, added: 99 });
    expect(r.imagesRoot).toBe(path.dirname(fs.realpathSync(LEPIDOPTERA)));
    expect(await listCollections()).toEqual([{ name: "lepidoptera", images: 4950, taxa: 99 }]);

    const image = (
      await db().query(
        `SELECT i.source_id, i.file_name, i.width, t.name, t.common_name, t.rank, t.kingdom, t."order", t.iconic_group, t.image_dir_name
       FROM images i JOIN taxa t ON t.id = i.taxon_id WHERE i.source_id = '0'`,
      )
    ).rows[0];
    expect(image).toEqual({
      source_id: "0",
      file_name: "images/000_adonis/00.jpg",
      width: 224,
      name: "Adonis",
      common_name: "Adonis",
      rank: null,
      kingdom: "Animalia",
      order: "Lepidoptera",
      iconic_group: "Insects",
      image_dir_name: "000_adonis",
    });
    const perTaxon = await db().query("SELECT count(*)::int AS n FROM images GROUP BY taxon_id");
    expect(perTaxon.rows.every((row) => row.n === 50)).toBe(true);
    expect(perTaxon.rowCount).toBe(99);
    expect((await counts()).stageTables).toBe(0);
  });

  it("natural-mix: 409 images across the 10 iconic groups (plus iNat's catch-all Animalia)", async () => {
    const r = await importCollection({ source: NATURAL_MIX, collection: "natural-mix" });
    expect(r.images).toEqual({ inSource: 409, added: 409 });
    const groups = (
      await db().query(
        `SELECT t.iconic_group, count(*)::int AS n FROM images i JOIN taxa t ON t.id = i.taxon_id
       JOIN collections c ON c.id = i.collection_id WHERE c.name = 'natural-mix' GROUP BY 1 ORDER BY 1`,
      )
    ).rows;
    const named = [
      "Amphibians",
      "Arachnids",
      "Birds",
      "Fish",
      "Fungi",
      "Insects",
      "Mammals",
      "Mollusks",
      "Plants",
      "Reptiles",
    ];
    expect(groups.map((g) => g.iconic_group).filter((g) => g !== "Animalia")).toEqual(named);
    expect(groups.reduce((sum, g) => sum + g.n, 0)).toBe(409);
    // a binomial with genus and epithet is a species; a common-name class is not placed at a rank
    const tench = (await db().query(`SELECT name, rank, genus, species FROM taxa WHERE common_name = 'tench'`)).rows[0];
    expect(tench).toEqual({ name: "Tinca tinca", rank: "species", genus: "Tinca", species: "tinca" });
    expect(await listCollections()).toContainEqual({ name: "natural-mix", images: 409, taxa: 409 });
  });

  it("importing the same file again changes nothing", async () => {
    const before = await counts();
    const again = await importCollection({ source: LEPIDOPTERA, collection: "lepidoptera" });
    expect(again.alreadyImported).toBe(true);
    expect(again.images).toEqual({ inSource: 4950, added: 0 });
    expect(await counts()).toEqual(before);
  });

  it("a fresh copy of the file is read in full and still adds nothing", async () => {
    const dir = tempDir();
    try {
      const copy = path.join(dir, "train.json");
      fs.copyFileSync(LEPIDOPTERA, copy);
      const before = await counts();
      const r = await importCollection({
        source: copy,
        collection: "lepidoptera",
        imagesRoot: path.dirname(LEPIDOPTERA),
      });
      expect(r.alreadyImported).toBe(false);
      expect(r.images).toEqual({ inSource: 4950, added: 0 });
      expect(r.taxa).toEqual({ inSource: 99, added: 0 });
      expect(await counts()).toEqual(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

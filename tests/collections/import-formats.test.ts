import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCollection, listCollections } from "@/lib/collections";
import { db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { counts, LEPIDOPTERA, sharedFixtures, smallTrainJson, tempDir, writeFile } from "./helpers";

// The three kinds of source (train.json, CSV manifest, folder) and the shapes real files come in.

describe.each(dbKinds)("import formats on %s", (kind) => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    dir = tempDir();
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a train.json with its sections in any order, licence ids and full taxonomy", async () => {
    const small = smallTrainJson();
    const file = writeFile(dir, "reordered/train.json", {
      annotations: small.annotations,
      licenses: [{ id: 4, name: "CC BY-NC 4.0", url: "https://creativecommons.org/licenses/by-nc/4.0/" }],
      categories: [
        ...small.categories,
        {
          id: 12,
          name: "Nymphalidae",
          kingdom: "Animalia",
          phylum: "Arthropoda",
          class: "Insecta",
          order: "Lepidoptera",
          family: "Nymphalidae",
        },
      ],
      images: small.images.map((im) =>
        im.id === 2 ? { ...im, license: 4, rights_holder: "O'Brien\t& \\co\nsecond line \\N é 🦋" } : im,
      ),
      info: { year: 2021 },
    });
    const r = await importCollection({ source: file, collection: "reordered" });
    expect(r.images).toEqual({ inSource: 3, added: 3 });
    expect(r.taxa).toEqual({ inSource: 3, added: 3 });
    const rows = (
      await db().query(
        `SELECT i.source_id, i.file_name, i.license, i.observed_at, i.latitude, t.name, t.rank, t.genus, t.species
       FROM images i LEFT JOIN taxa t ON t.id = i.taxon_id ORDER BY i.source_id`,
      )
    ).rows;
    expect(rows[0]).toMatchObject({
      source_id: "1",
      file_name: "images/a.jpg",
      name: "Danaus plexippus",
      rank: "species",
      genus: "Danaus",
      species: "plexippus",
      latitude: 51.5,
    });
    expect(rows[0].observed_at.toISOString()).toBe("2021-05-06T14:30:00.000Z");
    expect(rows[1]).toMatchObject({ license: "CC BY-NC 4.0", name: "Papilio", rank: "genus" });
    // tabs, backslashes, newlines and the COPY null marker survive the trip through staging
    const holder = (await db().query("SELECT rights_holder FROM images WHERE source_id = '2'")).rows[0].rights_holder;
    expect(holder).toBe("O'Brien\t& \\co\nsecond line \\N é 🦋");
    expect(rows[2]).toMatchObject({ license: "CC BY 4.0" });
    const family = (await db().query(`SELECT rank FROM taxa WHERE source_id = '12'`)).rows[0];
    expect(family.rank).toBe("family");
    // species-level: the two that have images (the family has none and is not a species)
    expect(await listCollections()).toEqual([{ name: "reordered", images: 3, taxa: 2 }]);
  });

  it("a CSV manifest: file_name plus optional image and taxonomy columns", async () => {
    const csv = writeFile(
      dir,
      "csv/manifest.csv",
      [
        "file_name,date,latitude,longitude,name,common_name,supercategory,genus,specific_epithet",
        "photos/1.jpg,2020-07-01,48.1,11.5,Danaus plexippus,Monarch,Insects,,",
        'photos/2.jpg,,,,"Quercus robur","Pedunculate oak, English oak",Plants,Quercus,robur',
        "photos/3.jpg,,,,,,,,",
        "photos/4.jpg,2020-07-02,,,Danaus plexippus,Monarch,Insects,,",
        "",
      ].join("\n"),
    );
    const r = await importCollection({ source: csv, collection: "csv" });
    expect(r.sourceKind).toBe("csv");
    expect(r.images).toEqual({ inSource: 4, added: 4 });
    expect(r.taxa).toEqual({ inSource: 2, added: 2 });
    const rows = (
      await db().query(
        `SELECT i.source_id, i.file_name, t.name, t.common_name, t.rank, t.genus, t.iconic_group FROM images i
       JOIN collections c ON c.id = i.collection_id LEFT JOIN taxa t ON t.id = i.taxon_id
       WHERE c.name = 'csv' ORDER BY i.source_id`,
      )
    ).rows;
    expect(rows).toEqual([
      {
        source_id: "photos/1.jpg",
        file_name: "photos/1.jpg",
        name: "Danaus plexippus",
        common_name: "Monarch",
        rank: "species",
        genus: "Danaus",
        iconic_group: "Insects",
      },
      {
        source_id: "photos/2.jpg",
        file_name: "photos/2.jpg",
        name: "Quercus robur",
        common_name: "Pedunculate oak, English oak",
        rank: "species",
        genus: "Quercus",
        iconic_group: "Plants",
      },
      {
        source_id: "photos/3.jpg",
        file_name: "photos/3.jpg",
        name: null,
        common_name: null,
        rank: null,
        genus: null,
        iconic_group: null,
      },
      {
        source_id: "photos/4.jpg",
        file_name: "photos/4.jpg",
        name: "Danaus plexippus",
        common_name: "Monarch",
        rank: "species",
        genus: "Danaus",
        iconic_group: "Insects",
      },
    ]);
    const again = await importCollection({ source: csv, collection: "csv" });
    expect(again.alreadyImported).toBe(true);
  });

  it("a folder of images, recursively; ids are the relative paths", async () => {
    const folder = path.join(dir, "folder");
    for (const f of ["b/2.jpg", "a/1.JPG", "a/deep/3.png", "top.webp", "notes.txt", ".hidden/x.jpg"])
      writeFile(folder, f, "not really an image");
    const r = await importCollection({ source: folder, collection: "folder" });
    expect(r.sourceKind).toBe("folder");
    expect(r.imagesRoot).toBe(fs.realpathSync(folder));
    expect(r.images).toEqual({ inSource: 4, added: 4 });
    const ids = (
      await db().query(
        "SELECT i.source_id, i.file_name FROM images i JOIN collections c ON c.id = i.collection_id WHERE c.name = 'folder' ORDER BY 1",
      )
    ).rows;
    expect(ids).toEqual([
      { source_id: "a/1.JPG", file_name: "a/1.JPG" },
      { source_id: "a/deep/3.png", file_name: "a/deep/3.png" },
      { source_id: "b/2.jpg", file_name: "b/2.jpg" },
      { source_id: "top.webp", file_name: "top.webp" },
    ]);
    // a folder is always read again (its fingerprint cannot see deep changes); new files are added
    writeFile(folder, "b/5.jpg", "x");
    const again = await importCollection({ source: folder, collection: "folder" });
    expect(again.images).toEqual({ inSource: 5, added: 1 });
    expect((await counts("folder")).images).toBe(5);
  });

  it.skipIf(!sharedFixtures)("a real folder: the lepidoptera photos under an images root above them", async () => {
    const root = path.dirname(LEPIDOPTERA);
    const r = await importCollection({
      source: path.join(root, "images"),
      collection: "lepidoptera-folder",
      imagesRoot: root,
    });
    expect(r.images).toEqual({ inSource: 4950, added: 4950 });
    const one = (
      await db().query(
        "SELECT i.source_id, i.file_name FROM images i JOIN collections c ON c.id = i.collection_id WHERE c.name = 'lepidoptera-folder' ORDER BY 1 LIMIT 1",
      )
    ).rows[0];
    expect(one).toEqual({ source_id: "000_adonis/00.jpg", file_name: "images/000_adonis/00.jpg" });
  });

  it("keeps integrity: every image's taxon exists, and insert triggers of other features still fire", async () => {
    // the merge may skip the foreign-key triggers (see lib/collections/merge.ts) but never a real trigger
    await db().query("CREATE TABLE inserted_images (image_id bigint)");
    await db().query(`CREATE FUNCTION note_image() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO inserted_images VALUES (NEW.id); RETURN NULL; END $$`);
    await db().query("CREATE TRIGGER note_image AFTER INSERT ON images FOR EACH ROW EXECUTE FUNCTION note_image()");
    try {
      const file = writeFile(dir, "triggered/train.json", smallTrainJson());
      const r = await importCollection({ source: file, collection: "triggered" });
      expect(r.images.added).toBe(3);
      expect((await db().query("SELECT count(*)::int AS n FROM inserted_images")).rows[0].n).toBe(3);
    } finally {
      await db().query("DROP TRIGGER note_image ON images");
      await db().query("DROP FUNCTION note_image()");
      await db().query("DROP TABLE inserted_images");
    }
    const orphans = await db().query(
      "SELECT count(*)::int AS n FROM images i WHERE (i.taxon_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM taxa t WHERE t.id = i.taxon_id AND t.collection_id = i.collection_id)) OR NOT EXISTS (SELECT 1 FROM collections c WHERE c.id = i.collection_id)",
    );
    expect(orphans.rows[0].n).toBe(0);
  });

  it("an http(s) images root that answers", async () => {
    const http = await import("node:http");
    const server = http.createServer((_, res) => {
      res.statusCode = 403;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const file = writeFile(dir, "url/train.json", smallTrainJson());
      const r = await importCollection({
        source: file,
        collection: "on-a-bucket",
        imagesRoot: `http://127.0.0.1:${port}/bucket`,
      });
      expect(r.imagesRoot).toBe(`http://127.0.0.1:${port}/bucket/`);
      expect(r.images.added).toBe(3);
    } finally {
      server.close();
    }
  });
});

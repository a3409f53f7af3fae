import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { db } from "@/lib/db/client";

// A small, self-made collection for the browse and browser tests: six species in three iconic
// groups, real JPEG files (plain colour tiles made with sharp), one corrupt file, and one image whose
// id holds slashes the way a folder import's ids do. Written straight to the tables, so these tests
// depend on nothing but the schema.

type SeedTaxon = {
  sourceId: string;
  name: string;
  commonName: string;
  iconicGroup: string;
  kingdom: string;
  phylum: string;
  class: string;
  order: string;
  family: string;
  genus: string;
  species: string;
  images: number;
  colour: string;
};

const animal = { kingdom: "Animalia", phylum: "Chordata" };
const insect = {
  kingdom: "Animalia",
  phylum: "Arthropoda",
  class: "Insecta",
  order: "Lepidoptera",
  iconicGroup: "Insecta",
};
const bird = { ...animal, class: "Aves", iconicGroup: "Aves" };

export const SEED_TAXA: SeedTaxon[] = [
  {
    ...insect,
    sourceId: "1",
    name: "Papilio machaon",
    commonName: "Old World Swallowtail",
    family: "Papilionidae",
    genus: "Papilio",
    species: "machaon",
    images: 5,
    colour: "#e0b020",
  },
  {
    ...insect,
    sourceId: "2",
    name: "Papilio glaucus",
    commonName: "Eastern Tiger Swallowtail",
    family: "Papilionidae",
    genus: "Papilio",
    species: "glaucus",
    images: 4,
    colour: "#f0d040",
  },
  {
    ...insect,
    sourceId: "3",
    name: "Danaus plexippus",
    commonName: "Monarch",
    family: "Nymphalidae",
    genus: "Danaus",
    species: "plexippus",
    images: 3,
    colour: "#d06010",
  },
  {
    ...bird,
    sourceId: "4",
    name: "Haliaeetus leucocephalus",
    commonName: "Bald Eagle",
    order: "Accipitriformes",
    family: "Accipitridae",
    genus: "Haliaeetus",
    species: "leucocephalus",
    images: 6,
    colour: "#604030",
  },
  {
    ...bird,
    sourceId: "5",
    name: "Turdus migratorius",
    commonName: "American Robin",
    order: "Passeriformes",
    family: "Turdidae",
    genus: "Turdus",
    species: "migratorius",
    images: 2,
    colour: "#a04020",
  },
  {
    kingdom: "Plantae",
    phylum: "Tracheophyta",
    class: "Magnoliopsida",
    order: "Fagales",
    iconicGroup: "Plantae",
    sourceId: "6",
    name: "Quercus robur",
    commonName: "Pedunculate Oak",
    family: "Fagaceae",
    genus: "Quercus",
    species: "robur",
    images: 4,
    colour: "#407030",
  },
];

/** The image whose file is corrupt (an Oak), and the one whose id holds slashes (an Oak too). */
export const CORRUPT_IMAGE_ID = "oak/broken.jpg";
export const SLASHED_IMAGE_ID = "oak/field trip/01.jpg";

export type SeededImage = { sourceId: string; taxon: SeedTaxon; observedAt: Date; latitude: number; longitude: number };
export type SeededCollection = { name: string; id: number; imagesRoot: string; images: SeededImage[] };

export async function seedCollection(imagesRoot: string, name = "garden-survey"): Promise<SeededCollection> {
  fs.mkdirSync(imagesRoot, { recursive: true });
  const pool = db();
  const c = await pool.query<{ id: number }>(
    "INSERT INTO collections (name, description, images_root) VALUES ($1, $2, $3) RETURNING id",
    [name, "A small test collection: butterflies, birds and an oak", imagesRoot],
  );
  const collectionId = c.rows[0].id;
  const images: SeededImage[] = [];
  let imageNo = 0;
  for (const t of SEED_TAXA) {
    const taxon = await pool.query<{ id: number }>(
      `INSERT INTO taxa (collection_id, source_id, name, common_name, rank, kingdom, phylum, class, "order", family, genus, species, iconic_group)
       VALUES ($1, $2, $3, $4, 'species', $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        collectionId,
        t.sourceId,
        t.name,
        t.commonName,
        t.kingdom,
        t.phylum,
        t.class,
        t.order,
        t.family,
        t.genus,
        t.species,
        t.iconicGroup,
      ],
    );
    for (let k = 0; k < t.images; k++) {
      imageNo += 1;
      const oakSpecial =
        t.sourceId === "6" && k === 0 ? SLASHED_IMAGE_ID : t.sourceId === "6" && k === 1 ? CORRUPT_IMAGE_ID : null;
      const sourceId = oakSpecial ?? String(1000 + imageNo);
      const fileName = oakSpecial ?? `${t.genus.toLowerCase()}/${sourceId}.jpg`;
      const file = path.join(imagesRoot, fileName);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      if (sourceId === CORRUPT_IMAGE_ID) {
        fs.writeFileSync(file, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46])); // a JPEG cut short
      } else {
        const shade = Math.round((k / t.images) * 60);
        await sharp({ create: { width: 320, height: 240, channels: 3, background: t.colour } })
          .composite([
            {
              input: Buffer.from(
                `<svg width="320" height="240"><circle cx="${100 + shade * 2}" cy="120" r="60" fill="rgba(255,255,255,0.35)"/></svg>`,
              ),
            },
          ])
          .jpeg()
          .toFile(file);
      }
      // Spread over 2023-2024 and over two regions: Europe (lon > 0) and North America (lon < 0).
      const observed = new Date(Date.UTC(2023 + (imageNo % 2), imageNo % 12, 1 + (imageNo % 27), 10));
      const europe = imageNo % 3 !== 0;
      const latitude = europe ? 48 + (imageNo % 5) : 40 + (imageNo % 5);
      const longitude = europe ? 2 + (imageNo % 7) : -75 - (imageNo % 7);
      images.push({ sourceId, taxon: t, observedAt: observed, latitude, longitude });
      await pool.query(
        `INSERT INTO images (collection_id, source_id, file_name, width, height, taxon_id, observed_at, latitude, longitude,
                             location_uncertainty, license, rights_holder)
         VALUES ($1, $2, $3, 320, 240, $4, $5, $6, $7, 25, 'cc-by', 'Test Photographer')`,
        [collectionId, sourceId, fileName, taxon.rows[0].id, observed, latitude, longitude],
      );
    }
  }
  return { name, id: collectionId, imagesRoot, images };
}

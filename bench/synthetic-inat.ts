import fs from "node:fs";
import { once } from "node:events";

// Writes an iNat21/iNat24-shaped train.json of any size, streamed so that a million images take no
// memory. Deterministic (seeded), so benchmark runs are comparable.

export type SyntheticOptions = {
  images: number;
  categories: number;
  /** order of the top-level sections; iNat ships images, categories, annotations */
  order?: Array<"images" | "categories" | "annotations">;
};

const KINGDOMS = [
  { kingdom: "Animalia", phylum: "Chordata", class: "Aves", iconic: "Birds" },
  { kingdom: "Animalia", phylum: "Arthropoda", class: "Insecta", iconic: "Insects" },
  { kingdom: "Plantae", phylum: "Tracheophyta", class: "Magnoliopsida", iconic: "Plants" },
  { kingdom: "Fungi", phylum: "Basidiomycota", class: "Agaricomycetes", iconic: "Fungi" },
  { kingdom: "Animalia", phylum: "Chordata", class: "Mammalia", iconic: "Mammals" },
];

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function category(id: number) {
  const k = KINGDOMS[id % KINGDOMS.length];
  const genus = `Genus${Math.floor(id / 4)}`;
  const epithet = `epithet${id}`;
  return {
    id,
    name: `${genus} ${epithet}`,
    common_name: `Common species ${id}`,
    supercategory: k.iconic,
    kingdom: k.kingdom,
    phylum: k.phylum,
    class: k.class,
    order: `Order${id % 97}`,
    family: `Family${id % 997}`,
    genus,
    specific_epithet: epithet,
    image_dir_name: `${String(id).padStart(5, "0")}_${k.kingdom}_${genus}_${epithet}`,
  };
}

export async function writeSyntheticTrainJson(file: string, opts: SyntheticOptions): Promise<{ bytes: number }> {
  const out = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
  const rand = mulberry32(42);
  let buf = "";
  const write = async (s: string) => {
    buf += s;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, "drain");
      buf = "";
    }
  };
  const sections = {
    images: async () => {
      for (let i = 0; i < opts.images; i++) {
        const c = i % opts.categories;
        const day = 1 + Math.floor(rand() * 28);
        const image = {
          id: i,
          file_name: `train/${String(c).padStart(5, "0")}_x/${i.toString(16).padStart(8, "0")}.jpg`,
          width: 500,
          height: 300 + Math.floor(rand() * 200),
          date: `2019-0${1 + (i % 9)}-${String(day).padStart(2, "0")} 12:34:56+00:00`,
          latitude: Math.round((rand() * 180 - 90) * 1e5) / 1e5,
          longitude: Math.round((rand() * 360 - 180) * 1e5) / 1e5,
          location_uncertainty: rand() < 0.2 ? null : Math.floor(rand() * 500),
          license: "CC BY-NC 4.0",
          rights_holder: `observer${i % 5000}`,
        };
        await write((i ? ",\n" : "\n") + JSON.stringify(image));
      }
    },
    categories: async () => {
      for (let i = 0; i < opts.categories; i++) await write((i ? ",\n" : "\n") + JSON.stringify(category(i)));
    },
    annotations: async () => {
      for (let i = 0; i < opts.images; i++) {
        await write((i ? ",\n" : "\n") + JSON.stringify({ id: i, image_id: i, category_id: i % opts.categories }));
      }
    },
  };
  const order = opts.order ?? ["images", "categories", "annotations"];
  await write(`{"info": {"description": "synthetic iNat-style train.json", "year": 2024},\n`);
  for (const [n, name] of order.entries()) {
    await write(`${n ? ",\n" : ""}"${name}": [`);
    await sections[name]();
    await write("\n]");
  }
  await write(`,\n"licenses": [{"id": 1, "name": "CC BY-NC 4.0"}]}\n`);
  out.write(buf);
  out.end();
  await once(out, "finish");
  return { bytes: fs.statSync(file).size };
}

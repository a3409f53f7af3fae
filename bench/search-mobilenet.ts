// The real-vector set for bench/search: MobileNetV2 (int8, pooled 1280-d layer) embeddings of the
// lepidoptera fixture's 4,950 photos of 99 species, so one species is a 1% filter. Needs ../shared.
import fs from "node:fs";
import path from "node:path";
import { db } from "@/lib/db/client";
import { closeEncoder, embedImagesSettled, loadEncoder } from "@/lib/models/encoder";
import { registerModel } from "@/lib/models/registry";
import { upsertEmbeddings } from "@/lib/vectors/upsert";

const SHARED = path.resolve(import.meta.dirname, "../../shared");
export const MOBILENET_DIR = path.join(SHARED, "models/mobilenetv2-int8");
export const LEPIDOPTERA_DIR = path.join(SHARED, "fixtures/lepidoptera");

type TrainJson = {
  images: { id: number; file_name: string }[];
  categories: {
    id: number;
    name: string;
    common_name?: string;
    kingdom?: string;
    phylum?: string;
    class?: string;
    order?: string;
  }[];
  annotations: { image_id: number; category_id: number }[];
};

export function mobilenetAvailable(): boolean {
  return fs.existsSync(MOBILENET_DIR) && fs.existsSync(path.join(LEPIDOPTERA_DIR, "train.json"));
}

/** Imports the fixture as a collection, embeds every photo and stores the vectors; returns what search needs. */
export async function loadMobileNetSet(log: (s: string) => void): Promise<{
  collectionId: number;
  modelId: number;
  imageIds: number[];
  speciesNames: string[];
  speciesOf: number[];
  embedSeconds: number;
}> {
  const train = JSON.parse(fs.readFileSync(path.join(LEPIDOPTERA_DIR, "train.json"), "utf8")) as TrainJson;
  const collectionId = (
    await db().query("INSERT INTO collections (name, images_root) VALUES ('lepidoptera', $1) RETURNING id", [
      LEPIDOPTERA_DIR,
    ])
  ).rows[0].id;
  const cats = train.categories;
  const taxa = await db().query<{ id: number; source_id: string }>(
    `INSERT INTO taxa (collection_id, source_id, name, common_name, rank, kingdom, phylum, class, "order", iconic_group)
     SELECT $1, c->>'id', c->>'name', c->>'common_name', 'species', c->>'kingdom', c->>'phylum', c->>'class', c->>'order', 'Insecta'
     FROM jsonb_array_elements($2::jsonb) c RETURNING id, source_id`,
    [collectionId, JSON.stringify(cats)],
  );
  const taxonId = new Map(taxa.rows.map((r) => [r.source_id, r.id]));
  const categoryOf = new Map(train.annotations.map((a) => [a.image_id, a.category_id]));
  const imgs = train.images;
  const inserted = await db().query<{ id: number }>(
    `INSERT INTO images (collection_id, source_id, file_name, taxon_id)
     SELECT $1, u.s, u.f, u.t FROM unnest($2::text[], $3::text[], $4::int[]) WITH ORDINALITY AS u(s, f, t, o) ORDER BY u.o RETURNING id`,
    [
      collectionId,
      imgs.map((i) => String(i.id)),
      imgs.map((i) => i.file_name),
      imgs.map((i) => taxonId.get(String(categoryOf.get(i.id))) ?? null),
    ],
  );
  const imageIds = inserted.rows.map((r) => Number(r.id));
  const model = await registerModel({ folder: MOBILENET_DIR, name: "mobilenetv2-int8" });
  const encoder = await loadEncoder(MOBILENET_DIR, { batchSize: 32 });
  const start = performance.now();
  for (let at = 0; at < imgs.length; at += 320) {
    const part = imgs.slice(at, at + 320);
    const results = await embedImagesSettled(
      encoder,
      part.map((i) => path.join(LEPIDOPTERA_DIR, i.file_name)),
    );
    const rows = results.flatMap((r, j) => ("vector" in r ? [{ imageId: imageIds[at + j], vector: r.vector }] : []));
    await upsertEmbeddings(model.id, rows);
    log(`mobilenet: embedded ${Math.min(at + 320, imgs.length)} / ${imgs.length}`);
  }
  await closeEncoder(encoder);
  const speciesIndex = new Map(cats.map((c, i) => [c.id, i]));
  return {
    collectionId,
    modelId: model.id,
    imageIds,
    speciesNames: cats.map((c) => c.name),
    speciesOf: imgs.map((i) => speciesIndex.get(categoryOf.get(i.id)!)!),
    embedSeconds: (performance.now() - start) / 1000,
  };
}

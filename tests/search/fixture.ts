import { db } from "@/lib/db/client";
import { rng } from "../helpers/random";

// A synthetic collection for search tests: taxa with a full rank chain, images with dates and places,
// and clustered unit vectors (images of one genus lie near each other, as real embeddings do).

export type Fixture = {
  collectionId: number;
  modelId: number;
  imageIds: number[];
  genusOf: number[];
  vectors: Float32Array[];
};

export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

export async function createModel(name: string, dim: number): Promise<number> {
  const r = await db().query(
    "INSERT INTO models (name, kind, folder, dim) VALUES ($1, 'image', '/nowhere', $2) RETURNING id",
    [name, dim],
  );
  return r.rows[0].id;
}

export async function createCollection(name: string): Promise<number> {
  return (await db().query("INSERT INTO collections (name) VALUES ($1) RETURNING id", [name])).rows[0].id;
}

/**
 * `genera` genera of 2 species each across 4 families and 2 iconic groups (Insecta for even genera,
 * Aves for odd); `n` images spread evenly over species, dated through 2020 and placed on a grid.
 */
export async function createTaxaAndImages(
  collectionId: number,
  n: number,
  genera: number,
): Promise<{ imageIds: number[]; genusOf: number[] }> {
  const taxa: { sourceId: string; genus: string; species: string; family: string; iconic: string }[] = [];
  for (let g = 0; g < genera; g++) {
    for (let s = 0; s < 2; s++) {
      taxa.push({
        sourceId: `t${g}-${s}`,
        genus: `Genus${g}`,
        species: `epithet${s}`,
        family: `Family${g % 4}`,
        iconic: g % 2 ? "Aves" : "Insecta",
      });
    }
  }
  const t = await db().query<{ id: number; source_id: string }>(
    `INSERT INTO taxa (collection_id, source_id, name, common_name, rank, kingdom, phylum, class, "order", family, genus, species, iconic_group)
     SELECT $1, s, g || ' ' || e, 'common ' || g, 'species', 'Animalia', 'Arthropoda', ic, 'Order' || f, f, g, e, ic
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(s, g, e, f, ic) RETURNING id, source_id`,
    [
      collectionId,
      taxa.map((x) => x.sourceId),
      taxa.map((x) => x.genus),
      taxa.map((x) => x.species),
      taxa.map((x) => x.family),
      taxa.map((x) => x.iconic),
    ],
  );
  const taxonId = new Map(t.rows.map((r) => [r.source_id, r.id]));
  const genusOf = Array.from({ length: n }, (_, i) => i % genera);
  const species = Array.from({ length: n }, (_, i) => Math.floor(i / genera) % 2);
  const start = Date.UTC(2020, 0, 1);
  const r = await db().query<{ id: number }>(
    `INSERT INTO images (collection_id, source_id, file_name, taxon_id, observed_at, latitude, longitude)
     SELECT $1, 'img-' || i, 'photos/img-' || i || '.jpg', tx, to_timestamp(ts / 1000.0), lat, lon
     FROM unnest($2::int[], $3::int[], $4::float8[], $5::float8[], $6::float8[]) WITH ORDINALITY AS u(i, tx, ts, lat, lon, ord)
     ORDER BY ord RETURNING id`,
    [
      collectionId,
      genusOf.map((_, i) => i),
      genusOf.map((g, i) => taxonId.get(`t${g}-${species[i]}`)),
      genusOf.map((_, i) => start + (i % 366) * 86_400_000),
      genusOf.map((_, i) => -60 + (i % 120)),
      genusOf.map((_, i) => -180 + ((i * 7) % 360)),
    ],
  );
  return { imageIds: r.rows.map((row) => Number(row.id)), genusOf };
}

/** Unit vectors clustered by genus: a genus centre plus noise. */
export function clusteredVectors(genusOf: number[], dim: number, seed = 1, noise = 0.5): Float32Array[] {
  const rand = rng(seed);
  const genera = Math.max(...genusOf) + 1;
  const centres = Array.from({ length: genera }, () =>
    normalise(Float32Array.from({ length: dim }, () => gaussian(rand))),
  );
  return genusOf.map((g) =>
    normalise(Float32Array.from(centres[g], (c) => c + (noise * gaussian(rand)) / Math.sqrt(dim))),
  );
}

export function randomUnitVector(dim: number, rand: () => number): Float32Array {
  return normalise(Float32Array.from({ length: dim }, () => gaussian(rand)));
}

/** Cosine similarity of unit vectors. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Top-k image indexes by cosine similarity among those `keep` accepts, computed in JS. */
export function bruteForce(
  vectors: Float32Array[],
  query: Float32Array,
  k: number,
  keep: (i: number) => boolean = () => true,
): number[] {
  return vectors
    .map((v, i) => ({ i, s: dot(v, query) }))
    .filter((x) => keep(x.i))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.i);
}

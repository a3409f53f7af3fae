// Synthetic vectors for bench/search. Real image embeddings have a low intrinsic dimension (MobileNetV2
// features of the lepidoptera photos measure ~17 by the two-nearest-neighbour estimator), so the
// realistic set is a Gaussian mixture in 32 latent dimensions (genus centres, species around them,
// images around their species) mapped linearly into `dim`, plus a little isotropic noise, normalised.
// The worst case is uniformly random unit vectors, where every point is about equally far from all.

import { rng } from "../tests/helpers/random";

export const LATENT = 32;
export const SPECIES = 1000;
export const GENERA = 100; // a genus filter keeps 1% of the rows

/** Standard normal numbers, two per Box-Muller draw. */
export function normals(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(rand() + 1e-300));
    const th = 2 * Math.PI * rand();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

export function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  const s = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let i = 0; i < v.length; i++) v[i] *= s;
  return v;
}

export type Mixture = { dim: number; map: Float32Array; species: Float32Array; spread: number; noise: number };

/** The mixture: species centres (grouped in genera) in the latent space and the linear map to `dim`. */
export function makeMixture(dim: number, seed = 1, opts: { spread?: number; noise?: number } = {}): Mixture {
  const g = normals(rng(seed));
  const map = Float32Array.from({ length: LATENT * dim }, () => g() / Math.sqrt(LATENT));
  const genera = Array.from({ length: GENERA }, () => Float32Array.from({ length: LATENT }, () => g()));
  const species = new Float32Array(SPECIES * LATENT);
  for (let s = 0; s < SPECIES; s++) {
    const centre = genera[genusOfSpecies(s)];
    for (let l = 0; l < LATENT; l++) species[s * LATENT + l] = centre[l] + 0.6 * g();
  }
  return { dim, map, species, spread: opts.spread ?? 0.45, noise: opts.noise ?? 0.15 };
}

export function genusOfSpecies(s: number): number {
  return s % GENERA;
}

/** Row g's species: the same rule bench/search.ts gives the database (g % SPECIES). */
export function speciesOfRow(g: number): number {
  return g % SPECIES;
}

/** One image of a species: latent sample, mapped, plus isotropic noise of about `noise` of its length. */
export function sampleImage(
  m: Mixture,
  species: number,
  gauss: () => number,
  out = new Float32Array(m.dim),
): Float32Array {
  const z = new Float32Array(LATENT);
  for (let l = 0; l < LATENT; l++) z[l] = m.species[species * LATENT + l] + m.spread * gauss();
  out.fill(0);
  for (let l = 0; l < LATENT; l++) {
    const zl = z[l];
    const row = l * m.dim;
    for (let j = 0; j < m.dim; j++) out[j] += zl * m.map[row + j];
  }
  normalise(out);
  const sd = m.noise / Math.sqrt(m.dim);
  for (let j = 0; j < m.dim; j++) out[j] += sd * gauss();
  return normalise(out);
}

export function sampleUniform(dim: number, gauss: () => number): Float32Array {
  return normalise(Float32Array.from({ length: dim }, () => gauss()));
}

function distance2(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

/**
 * Intrinsic dimension by the two-nearest-neighbour estimator (Facco et al. 2017, maximum likelihood
 * form): d = n / sum(log(r2 / r1)), for `probes` points against a sample of `pool` points.
 */
export function twoNearestNeighbourDimension(points: Float32Array[], probes = 400): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < Math.min(probes, points.length); p++) {
    let r1 = Infinity;
    let r2 = Infinity;
    for (let q = 0; q < points.length; q++) {
      if (q === p) continue;
      const d = distance2(points[p], points[q]);
      if (d < r1) {
        r2 = r1;
        r1 = d;
      } else if (d < r2) r2 = d;
    }
    if (r1 > 0) {
      sum += Math.log(Math.sqrt(r2 / r1));
      n++;
    }
  }
  return n / sum;
}

// The audit's sampling design over one query's unjudged pool, ranked by the current model score (position 0 =
// highest). Strata narrow at the top and doubling in width below, since relevant images thin out with rank;
// every stratum is sampled, or nothing could bound how many relevant images hide in the tail.

import { rng } from "@/lib/random";

export type Stratum = {
  /** 1-based inclusive positions, for a screen: "1-155" */
  stratum: string;
  from: number;
  /** exclusive */
  to: number;
  population: number;
  sample: number;
};

export type AuditDraw = { stratum: string; positions: number[] };

/** The narrowest top stratum worth having: narrower strata would cost samples and gain little. */
const MIN_TOP_WIDTH = 50;
/**
 * Audit judgments per stratum at the least. Thinner strata barely move their posteriors, and in tests/recall's
 * simulations 20 gave narrower intervals than 8 or 12 at the same coverage.
 */
const DEFAULT_MIN_PER_STRATUM = 20;

/**
 * Strata over positions [0, poolSize) and how many of `sampleSize` audit images each gets. There are at
 * most ⌊sampleSize / minPerStratum⌋ strata (minPerStratum 20 unless given), each twice as wide as the one
 * above it and the top one at least 50 wide. Every stratum gets minPerStratum (or all of it, when smaller);
 * the rest is shared in proportion to population / √(mid-position), Neyman's allocation if prevalence falls
 * like 1/rank, which samples the top at a much higher rate while still giving the wide tail strata enough to
 * bound them. Deterministic.
 */
export function planStrata(poolSize: number, opts: { sampleSize: number; minPerStratum?: number }): Stratum[] {
  const { sampleSize } = opts;
  const minPerStratum = opts.minPerStratum ?? DEFAULT_MIN_PER_STRATUM;
  for (const [name, value] of [
    ["poolSize", poolSize],
    ["sampleSize", sampleSize],
    ["minPerStratum", minPerStratum],
  ] as const)
    if (!Number.isInteger(value) || value < (name === "minPerStratum" ? 1 : 0))
      throw new RangeError(`${name} must be a whole number`);
  if (poolSize === 0) return [];

  const byWidth = Math.max(1, Math.floor(Math.log2(poolSize / MIN_TOP_WIDTH + 1)));
  const count = Math.min(byWidth, Math.max(1, Math.floor(sampleSize / minPerStratum)));
  const bounds = [0];
  for (let j = 1; j < count; j++) bounds.push(Math.round((poolSize * (2 ** j - 1)) / (2 ** count - 1)));
  bounds.push(poolSize);

  const strata: Stratum[] = [];
  for (let j = 0; j < count; j++) {
    const from = bounds[j];
    const to = bounds[j + 1];
    strata.push({ stratum: `${from + 1}-${to}`, from, to, population: to - from, sample: 0 });
  }
  allocate(strata, Math.min(sampleSize, poolSize), minPerStratum);
  return strata;
}

/** Fills in `sample`: the floor first, then the rest by weight (largest remainders), capped by population. */
function allocate(strata: Stratum[], total: number, minPerStratum: number): void {
  let left = total;
  for (const s of strata) {
    s.sample = Math.min(s.population, minPerStratum, left);
    left -= s.sample;
  }
  const weight = strata.map((s) => s.population / Math.sqrt((s.from + s.to) / 2 + 1));
  while (left > 0) {
    const open = strata.map((s, i) => i).filter((i) => strata[i].sample < strata[i].population);
    if (open.length === 0) return;
    const sum = open.reduce((a, i) => a + weight[i], 0);
    const shares = open.map((i) => ({ i, share: (left * weight[i]) / sum }));
    let given = 0;
    for (const { i, share } of shares) {
      const add = Math.min(Math.floor(share), strata[i].population - strata[i].sample);
      strata[i].sample += add;
      given += add;
    }
    if (given === 0) {
      // fewer left than open strata can share whole: one each by largest remainder, ties to the top
      shares.sort((a, b) => b.share - Math.floor(b.share) - (a.share - Math.floor(a.share)) || a.i - b.i);
      for (const { i } of shares.slice(0, left)) strata[i].sample++;
      given = Math.min(left, shares.length);
    }
    left -= given;
  }
}

/**
 * For each stratum, `sample` distinct positions uniformly without replacement within [from, to), sorted.
 * A partial Fisher–Yates shuffle over a sparse map, so a stratum of millions costs only its sample.
 */
export function drawAudit(strata: readonly Stratum[], seed: number): AuditDraw[] {
  const random = rng(seed);
  return strata.map((s) => {
    if (s.sample > s.population) throw new RangeError(`stratum ${s.stratum}: sample exceeds population`);
    const swapped = new Map<number, number>();
    const positions: number[] = [];
    for (let i = 0; i < s.sample; i++) {
      const j = i + Math.floor(random() * (s.population - i));
      const picked = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      positions.push(s.from + picked);
    }
    return { stratum: s.stratum, positions: positions.sort((a, b) => a - b) };
  });
}

// Random variates for the recall estimate's Monte Carlo, all from one seeded uniform stream (lib/random), so
// the same seed gives the same interval.

/** A standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
export function normalSampler(random: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const u = 1 - random(); // (0, 1], so the log is finite
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * random();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/** A Gamma(shape, 1) draw: Marsaglia and Tsang (2000), boosted by U^(1/shape) for shape < 1. */
export function gammaDraw(shape: number, random: () => number, normal: () => number): number {
  if (shape < 1) return gammaDraw(shape + 1, random, normal) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal();
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(a, b) draw as G_a / (G_a + G_b). */
export function betaDraw(a: number, b: number, random: () => number, normal: () => number): number {
  const x = gammaDraw(a, random, normal);
  const y = gammaDraw(b, random, normal);
  return x / (x + y);
}

/**
 * A Binomial(trials, p) draw. Exact (inversion) while the smaller of the expected successes and failures is
 * under 30; beyond that the normal approximation, whose error is far below the spread of the Beta draw of p
 * that feeds it (the estimate's uncertainty is in p, not in the binomial given p).
 */
export function binomialDraw(trials: number, p: number, random: () => number, normal: () => number): number {
  if (trials === 0 || p <= 0) return 0;
  if (p >= 1) return trials;
  if (p > 0.5) return trials - binomialDraw(trials, 1 - p, random, normal);
  const mean = trials * p;
  if (mean >= 30) {
    const x = Math.round(mean + Math.sqrt(mean * (1 - p)) * normal());
    return Math.min(trials, Math.max(0, x));
  }
  const odds = p / (1 - p);
  let prob = Math.exp(trials * Math.log1p(-p));
  let cumulative = prob;
  const u = random();
  let k = 0;
  while (u >= cumulative && k < trials) {
    prob *= (odds * (trials - k)) / (k + 1);
    k++;
    cumulative += prob;
    if (prob < 1e-300) break; // the rest of the tail cannot hold u's remaining mass
  }
  return k;
}

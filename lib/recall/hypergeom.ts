// The hypergeometric distribution's lower tail, as scipy.stats.hypergeom.cdf(k, M, K, n) computes it, written
// out so the recall-target test needs no Python (tests/recall checks it against scipy).

const LOG_FACTORIAL_TABLE: number[] = [0];
for (let i = 1; i < 256; i++) LOG_FACTORIAL_TABLE.push(LOG_FACTORIAL_TABLE[i - 1] + Math.log(i));

/** ln(n!) for a whole n ≥ 0: a table below 256, Stirling's series above (error far below 1e-15 relative there). */
export function logFactorial(n: number): number {
  if (n < 256) return LOG_FACTORIAL_TABLE[n];
  const x = n + 1;
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (
    (x - 0.5) * Math.log(x) -
    x +
    0.5 * Math.log(2 * Math.PI) +
    inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
  );
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/**
 * P(X ≤ k) for X the number of marked items in `draws` items drawn without replacement from `population`
 * items of which `marked` are marked (scipy's hypergeom.cdf(k, M=population, n=marked, N=draws)).
 * Summed in log space from k downwards: the terms below the mode shrink, so the sum stops once they no
 * longer change it, and a tiny first term cannot underflow to zero.
 */
export function hypergeomCdf(k: number, population: number, marked: number, draws: number): number {
  const low = Math.max(0, draws - (population - marked));
  const high = Math.min(marked, draws);
  if (k < low) return 0;
  if (k >= high) return 1;
  const logTotal = logChoose(population, draws);
  let logTerm = logChoose(marked, k) + logChoose(population - marked, draws - k) - logTotal;
  let max = logTerm;
  let scaled = 1; // the sum so far divided by exp(max)
  for (let i = k; i > low; i--) {
    // term(i - 1) / term(i) = i (population - marked - draws + i) / ((marked - i + 1) (draws - i + 1))
    logTerm +=
      Math.log(i) + Math.log(population - marked - draws + i) - Math.log(marked - i + 1) - Math.log(draws - i + 1);
    if (logTerm > max) {
      scaled = scaled * Math.exp(max - logTerm) + 1;
      max = logTerm;
    } else {
      const add = Math.exp(logTerm - max);
      scaled += add;
      if (add < 1e-17 * scaled) break; // below the mode every further term is smaller still
    }
  }
  return Math.min(1, Math.exp(max + Math.log(scaled)));
}

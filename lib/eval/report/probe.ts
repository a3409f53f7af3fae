import { scoreOf, trainLinearScorer, type TrainingExample } from "@/lib/active-learning/learner";
import { rng, shuffled } from "@/lib/random";
import { averagePrecision, type Scored } from "../metrics";

// Would retraining pay? A linear probe (active learning's learner: logistic regression regularised
// towards the zero-shot direction) trained on a few labels per query, against the zero-shot ranking,
// cross-validated: each query's labeled images are dealt into folds; for each fold the probe learns from
// `labelsPerClass` relevant and as many not-relevant images of the other folds and both rank the held-out
// fold. The gain is AP(probe) - AP(zero-shot) on the held-out images, averaged per category per fold; the
// interval is the 95% t-interval of the fold means. A category with fewer than two usable folds gets no
// number, only the reason.

export type ProbeQuery = {
  queryId: string;
  category: string | null;
  /** the query's zero-shot probe: text embedding or example vectors; an image scores its best cosine */
  probe: readonly ArrayLike<number>[];
  labeled: readonly TrainingExample[];
};

export type ProbeOptions = { folds?: number; labelsPerClass?: number; seed?: number };

export type CategoryGain =
  | {
      category: string;
      queries: number;
      folds: number;
      zeroShotAp: number;
      probeAp: number;
      gain: number;
      low: number;
      high: number;
    }
  | { category: string; queries: number; untrusted: string };

export type ProbeReport = { folds: number; labelsPerQuery: number; categories: CategoryGain[] };

// two-sided 95% t quantiles by degrees of freedom
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

function cosineMax(probe: readonly ArrayLike<number>[], v: ArrayLike<number>): number {
  let best = -Infinity;
  let vn = 0;
  for (let j = 0; j < v.length; j++) vn += v[j] * v[j];
  for (const p of probe) {
    let d = 0;
    let pn = 0;
    for (let j = 0; j < v.length; j++) {
      d += p[j] * v[j];
      pn += p[j] * p[j];
    }
    best = Math.max(best, d / Math.sqrt(pn * vn || 1));
  }
  return best;
}

function apOf(examples: readonly TrainingExample[], score: (v: ArrayLike<number>) => number): number {
  const ranked: Scored[] = examples
    .map((e) => ({ relevant: e.relevant, score: score(e.vector) }))
    .sort((a, b) => b.score - a.score);
  return averagePrecision(ranked);
}

function meanDirection(probe: readonly ArrayLike<number>[]): Float64Array | undefined {
  if (!probe.length) return undefined;
  const out = new Float64Array(probe[0].length);
  for (const p of probe) for (let j = 0; j < out.length; j++) out[j] += p[j] / probe.length;
  return out;
}

/** Per query and fold: [zero-shot AP, probe AP] on the held-out fold, or null when the fold cannot say. */
function queryFolds(q: ProbeQuery, folds: number, perClass: number, seed: number): ([number, number] | null)[] {
  const random = rng(seed);
  const pos = shuffled(
    q.labeled.filter((e) => e.relevant),
    random,
  );
  const neg = shuffled(
    q.labeled.filter((e) => !e.relevant),
    random,
  );
  const foldOf = (i: number) => i % folds;
  const prior = meanDirection(q.probe);
  return Array.from({ length: folds }, (_, f) => {
    const test = [...pos.filter((_, i) => foldOf(i) === f), ...neg.filter((_, i) => foldOf(i) === f)];
    const trainPos = pos.filter((_, i) => foldOf(i) !== f).slice(0, perClass);
    const trainNeg = neg.filter((_, i) => foldOf(i) !== f).slice(0, perClass);
    if (!trainPos.length || !trainNeg.length || !test.some((e) => e.relevant) || !q.probe.length) return null;
    const scorer = trainLinearScorer([...trainPos, ...trainNeg], { prior });
    return [apOf(test, (v) => cosineMax(q.probe, v)), apOf(test, (v) => scoreOf(scorer, v))];
  });
}

export function probeVsZeroShot(queries: readonly ProbeQuery[], opts: ProbeOptions = {}): ProbeReport {
  const folds = opts.folds ?? 5;
  const perClass = opts.labelsPerClass ?? 5;
  const byCategory = new Map<string, ProbeQuery[]>();
  for (const q of queries) {
    const key = q.category ?? "(none)";
    const list = byCategory.get(key);
    if (list) list.push(q);
    else byCategory.set(key, [q]);
  }
  const categories: CategoryGain[] = [];
  for (const category of [...byCategory.keys()].sort()) {
    const list = byCategory.get(category)!;
    const results = list.map((q, i) => queryFolds(q, folds, perClass, (opts.seed ?? 1) * 7919 + i));
    const foldMeans: { zero: number; probe: number }[] = [];
    for (let f = 0; f < folds; f++) {
      const usable = results.map((r) => r[f]).filter((x): x is [number, number] => x !== null);
      if (!usable.length) continue;
      foldMeans.push({
        zero: usable.reduce((s, x) => s + x[0], 0) / usable.length,
        probe: usable.reduce((s, x) => s + x[1], 0) / usable.length,
      });
    }
    if (foldMeans.length < 2) {
      categories.push({
        category,
        queries: list.length,
        untrusted: `too few labels: a probe needs at least ${folds} relevant and some not-relevant labeled images per query (${foldMeans.length} usable fold${foldMeans.length === 1 ? "" : "s"})`,
      });
      continue;
    }
    const gains = foldMeans.map((m) => m.probe - m.zero);
    const n = gains.length;
    const mean = gains.reduce((s, g) => s + g, 0) / n;
    const sd = Math.sqrt(gains.reduce((s, g) => s + (g - mean) ** 2, 0) / (n - 1));
    const half = (T95[Math.min(n - 1, T95.length - 1)] * sd) / Math.sqrt(n);
    categories.push({
      category,
      queries: list.length,
      folds: n,
      zeroShotAp: foldMeans.reduce((s, m) => s + m.zero, 0) / n,
      probeAp: foldMeans.reduce((s, m) => s + m.probe, 0) / n,
      gain: mean,
      low: mean - half,
      high: mean + half,
    });
  }
  return { folds, labelsPerQuery: 2 * perClass, categories };
}

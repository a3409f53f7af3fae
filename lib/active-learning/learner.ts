// The per-query learner of continuous active learning: L2-regularised logistic regression over unit
// image embeddings, as BMI trains it (Cormack and Grossman; HiCAL's bmi.cc), fitted by L-BFGS so a
// round takes tens of milliseconds at a few thousand judgments. Classes are weighted to count equally
// (BMI's Pegasos samples positive/negative pairs to the same effect). A prior direction (the query's
// text embedding, where a CLIP model has vectors) pulls the weights towards it while few judgments exist.
// Pure: the worker's round (lib/active-learning/round.ts) and the simulator call this same function.

export type TrainingExample = { vector: ArrayLike<number>; relevant: boolean };

export type LinearScorer = {
  /** weights over the unit-normalised embedding */
  weights: Float32Array;
  bias: number;
  /** iterations L-BFGS ran */
  iterations: number;
};

export type TrainOptions = {
  /** L2 strength (the objective's loss terms are weighted means); default 1e-3 */
  l2?: number;
  /** a direction the weights are regularised towards (unit-normalised here), scaled by priorScale */
  prior?: ArrayLike<number>;
  /** default 10: a cosine of 0.3 with the prior then means a logit of 3 */
  priorScale?: number;
  maxIterations?: number;
};

export const DEFAULT_L2 = 1e-3;

function unit(v: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  const s = n > 0 ? 1 / Math.sqrt(n) : 0;
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * s;
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** log(1 + exp(z)) without overflow */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Trains the scorer; needs at least one example of each class. */
export function trainLinearScorer(examples: readonly TrainingExample[], opts: TrainOptions = {}): LinearScorer {
  const pos = examples.filter((e) => e.relevant).length;
  const neg = examples.length - pos;
  if (!pos || !neg) throw new Error(`training needs relevant and not-relevant examples (have ${pos} and ${neg})`);
  const dim = examples[0].vector.length;
  const xs = examples.map((e) => {
    if (e.vector.length !== dim) throw new Error(`examples have ${dim} and ${e.vector.length} dimensions`);
    return unit(e.vector);
  });
  const ys = examples.map((e) => (e.relevant ? 1 : -1));
  const cw = examples.map((e) => (e.relevant ? 0.5 / pos : 0.5 / neg));
  const l2 = opts.l2 ?? DEFAULT_L2;
  const anchor = new Float64Array(dim + 1);
  if (opts.prior) anchor.set(unit(opts.prior).map((v) => v * (opts.priorScale ?? 10)));

  // parameters: dim weights then the bias (not regularised)
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let f = 0;
    const b = theta[dim];
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i];
      let z = b;
      for (let j = 0; j < dim; j++) z += theta[j] * x[j];
      const m = ys[i] * z;
      f += cw[i] * softplus(-m);
      const g = -cw[i] * ys[i] * sigmoid(-m);
      for (let j = 0; j < dim; j++) grad[j] += g * x[j];
      grad[dim] += g;
    }
    for (let j = 0; j < dim; j++) {
      const d = theta[j] - anchor[j];
      f += 0.5 * l2 * d * d;
      grad[j] += l2 * d;
    }
    return f;
  };

  const { theta, iterations } = minimizeLbfgs(objective, anchor.slice(), opts.maxIterations ?? 200);
  return { weights: Float32Array.from(theta.subarray(0, dim)), bias: theta[dim], iterations };
}

/** The scorer's logit for one embedding (normalised first, as in training). */
export function scoreOf(scorer: LinearScorer, vector: ArrayLike<number>): number {
  const x = unit(vector);
  let z = scorer.bias;
  for (let j = 0; j < x.length; j++) z += scorer.weights[j] * x[j];
  return z;
}

/**
 * The direction to search with: over unit vectors, w·x ranks exactly as cosine(x, w / |w|), so a
 * cosine search (the HNSW index) with this vector returns the top of the scorer's ranking.
 */
export function searchDirection(scorer: LinearScorer): { direction: Float32Array; norm: number } {
  let n = 0;
  for (const v of scorer.weights) n += v * v;
  const norm = Math.sqrt(n);
  return { direction: norm > 0 ? scorer.weights.map((v) => v / norm) : scorer.weights.slice(), norm };
}

/** The scorer's probability from a cosine similarity to its search direction: σ(|w|·cos + b). */
export function probabilityFromCosine(scorer: LinearScorer, norm: number, cosine: number): number {
  return sigmoid(norm * cosine + scorer.bias);
}

type Objective = (theta: Float64Array, grad: Float64Array) => number;

/** L-BFGS (two-loop recursion, 10 pairs) with a backtracking Armijo line search. */
function minimizeLbfgs(f: Objective, theta: Float64Array, maxIterations: number) {
  const n = theta.length;
  const m = 10;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  let grad = new Float64Array(n);
  let fx = f(theta, grad);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const gnorm = Math.sqrt(dot(grad, grad));
    if (gnorm < 1e-6) break;
    // direction = -H·grad
    const q = grad.slice();
    const alpha: number[] = [];
    for (let i = s.length - 1; i >= 0; i--) {
      const a = dot(s[i], q) / dot(y[i], s[i]);
      alpha[i] = a;
      for (let j = 0; j < n; j++) q[j] -= a * y[i][j];
    }
    const gamma = s.length ? dot(s[s.length - 1], y[y.length - 1]) / dot(y[y.length - 1], y[y.length - 1]) : 1 / gnorm;
    for (let j = 0; j < n; j++) q[j] *= gamma;
    for (let i = 0; i < s.length; i++) {
      const b = dot(y[i], q) / dot(y[i], s[i]);
      for (let j = 0; j < n; j++) q[j] += s[i][j] * (alpha[i] - b);
    }
    for (let j = 0; j < n; j++) q[j] = -q[j];
    const slope = dot(grad, q);
    if (slope >= 0) break;
    let step = 1;
    const next = new Float64Array(n);
    const nextGrad = new Float64Array(n);
    let fnext = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let j = 0; j < n; j++) next[j] = theta[j] + step * q[j];
      fnext = f(next, nextGrad);
      if (fnext <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fnext < fx)) break;
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      sk[j] = next[j] - theta[j];
      yk[j] = nextGrad[j] - grad[j];
    }
    if (dot(sk, yk) > 1e-12) {
      s.push(sk);
      y.push(yk);
      if (s.length > m) {
        s.shift();
        y.shift();
      }
    }
    const improvement = fx - fnext;
    theta = next;
    grad = nextGrad;
    fx = fnext;
    // the ranking settles long before the objective does: a relative gain under 1e-6 changes no order worth having
    if (improvement < 1e-6 * Math.max(1e-3, Math.abs(fx))) break;
  }
  return { theta, iterations };
}

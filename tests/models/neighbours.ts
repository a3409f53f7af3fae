// Exact k-nearest neighbours by brute force in plain JS (cosine on unit vectors): every pair's dot
// product is computed once and offered to both rows' top-k lists; rows go four at a time so each
// candidate vector is read once per four dot products.

class TopK {
  readonly score: Float64Array;
  readonly index: Int32Array;
  constructor(
    n: number,
    readonly k: number,
  ) {
    this.score = new Float64Array(n * k).fill(-Infinity);
    this.index = new Int32Array(n * k).fill(-1);
  }

  offer(row: number, candidate: number, dot: number): void {
    const base = row * this.k;
    let p = this.k - 1;
    if (dot <= this.score[base + p]) return;
    while (p > 0 && this.score[base + p - 1] < dot) {
      this.score[base + p] = this.score[base + p - 1];
      this.index[base + p] = this.index[base + p - 1];
      p--;
    }
    this.score[base + p] = dot;
    this.index[base + p] = candidate;
  }
}

function dot(flat: Float32Array, a: number, b: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += flat[a + d] * flat[b + d];
  return s;
}

/** The k nearest neighbours of every vector (itself excluded), as indices, best first. */
export function exactNeighbours(vectors: Float32Array[], k: number): Int32Array {
  const n = vectors.length;
  const dim = vectors[0].length;
  const flat = new Float32Array(n * dim);
  vectors.forEach((v, i) => flat.set(v, i * dim));
  const top = new TopK(n, k);
  for (let i0 = 0; i0 < n; i0 += 4) {
    const rows = Math.min(4, n - i0);
    for (let a = 0; a < rows; a++) {
      for (let b = a + 1; b < rows; b++) {
        const s = dot(flat, (i0 + a) * dim, (i0 + b) * dim, dim);
        top.offer(i0 + a, i0 + b, s);
        top.offer(i0 + b, i0 + a, s);
      }
    }
    if (rows < 4) {
      for (let a = 0; a < rows; a++)
        for (let j = i0 + rows; j < n; j++) {
          const s = dot(flat, (i0 + a) * dim, j * dim, dim);
          top.offer(i0 + a, j, s);
          top.offer(j, i0 + a, s);
        }
      continue;
    }
    const q0 = i0 * dim,
      q1 = q0 + dim,
      q2 = q1 + dim,
      q3 = q2 + dim;
    for (let j = i0 + 4; j < n; j++) {
      const c = j * dim;
      let d0 = 0,
        d1 = 0,
        d2 = 0,
        d3 = 0;
      for (let d = 0; d < dim; d++) {
        const x = flat[c + d];
        d0 += flat[q0 + d] * x;
        d1 += flat[q1 + d] * x;
        d2 += flat[q2 + d] * x;
        d3 += flat[q3 + d] * x;
      }
      top.offer(i0, j, d0);
      top.offer(j, i0, d0);
      top.offer(i0 + 1, j, d1);
      top.offer(j, i0 + 1, d1);
      top.offer(i0 + 2, j, d2);
      top.offer(j, i0 + 2, d2);
      top.offer(i0 + 3, j, d3);
      top.offer(j, i0 + 3, d3);
    }
  }
  return top.index;
}

/** The mean, over all vectors, of the share of each one's k nearest neighbours that have its label. */
export function meanSameClassShare(vectors: Float32Array[], labels: number[], k: number): number {
  const neighbours = exactNeighbours(vectors, k);
  let total = 0;
  for (let i = 0; i < vectors.length; i++) {
    let same = 0;
    for (let p = 0; p < k; p++) if (labels[neighbours[i * k + p]] === labels[i]) same++;
    total += same / k;
  }
  return total / vectors.length;
}

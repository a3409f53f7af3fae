import { describe, expect, it } from "vitest";
import { exactNeighbours, meanSameClassShare } from "./neighbours";

function naiveNeighbours(vectors: Float32Array[], k: number): number[][] {
  return vectors.map((q, i) =>
    vectors
      .map((v, j) => ({ j, s: j === i ? -Infinity : q.reduce((acc, x, d) => acc + x * v[d], 0) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, k)
      .map((x) => x.j),
  );
}

describe("exact nearest neighbours", () => {
  it("matches a naive search, for sizes that are and are not multiples of 4", () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5;
    for (const n of [9, 10, 12, 37]) {
      const vectors = Array.from({ length: n }, () => Float32Array.from({ length: 16 }, rand));
      const fast = exactNeighbours(vectors, 3);
      const naive = naiveNeighbours(vectors, 3);
      naive.forEach((row, i) => expect(Array.from(fast.subarray(i * 3, i * 3 + 3))).toEqual(row));
    }
  });

  it("measures the same-label share", () => {
    const v = (x: number, y: number) => Float32Array.from([x, y]);
    // two tight clusters: every neighbour within a cluster
    const vectors = [v(1, 0), v(0.99, 0.1), v(0.98, 0.2), v(0, 1), v(0.1, 0.99), v(0.2, 0.98)];
    expect(meanSameClassShare(vectors, [0, 0, 0, 1, 1, 1], 2)).toBe(1);
    expect(meanSameClassShare(vectors, [0, 1, 0, 1, 0, 1], 2)).toBeCloseTo(1 / 3);
  });
});

import { rng } from "../helpers/random";

// Vectors a learner can separate: `relevant` of them near one direction, the rest spread around
// another few, all unit length, in a small dimension so the database tests stay quick.

export function syntheticVectors(opts: {
  count: number;
  relevant: number;
  dim?: number;
  seed?: number;
  spread?: number;
}) {
  const dim = opts.dim ?? 16;
  const random = rng(opts.seed ?? 7);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centre = (k: number) => Array.from({ length: dim }, (_, j) => (j === k % dim ? 1 : 0));
  const vectors: Float32Array[] = [];
  for (let i = 0; i < opts.count; i++) {
    const c = i < opts.relevant ? centre(0) : centre(1 + (i % 3));
    const v = c.map((x) => x + (opts.spread ?? 0.45) * gauss());
    const n = Math.hypot(...v);
    vectors.push(Float32Array.from(v, (x) => x / n));
  }
  return { vectors, isRelevant: (i: number) => i < opts.relevant };
}

import { DataType, floatTensor, int64Tensor, node, type NodeProto, type TensorProto } from "@/lib/models/onnx-file";

// A small helper for writing ONNX graphs by hand: named ops, random weights from a seeded generator
// (so a given seed always builds the same model), and the few layers a CLIP tower needs.

/** mulberry32: a tiny deterministic PRNG; normals by Box-Muller. */
export function seededNormal(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = Math.max(uniform(), 1e-12);
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private counter = 0;

  constructor(private readonly normal: () => number) {}

  /** Adds a node and returns its (first) output name. */
  op(
    opType: string,
    inputs: string[],
    attrs: Record<string, number | number[] | string> = {},
    outputName?: string,
  ): string {
    const out = outputName ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push(node(opType, inputs, [out], attrs));
    return out;
  }

  /** A float initializer of normal(0, std) values (std 0 gives zeros; `fill` overrides). */
  weight(name: string, dims: number[], std: number, fill?: number): string {
    const size = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (fill !== undefined) data.fill(fill);
    else if (std > 0) for (let i = 0; i < size; i++) data[i] = this.normal() * std;
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  constFloat(name: string, dims: number[], values: Float32Array | number[]): string {
    this.initializers.push(
      floatTensor(name, dims, values instanceof Float32Array ? values : Float32Array.from(values)),
    );
    return name;
  }

  constInt64(name: string, values: number[]): string {
    this.initializers.push(int64Tensor(name, [values.length], values));
    return name;
  }

  /** x @ W (+ b): W stored [in, out] as PyTorch's export of nn.Linear does. */
  linear(prefix: string, x: string, inDim: number, outDim: number, std: number, bias = true): string {
    const y = this.op("MatMul", [x, this.weight(`${prefix}.weight`, [inDim, outDim], std)]);
    return bias ? this.op("Add", [y, this.weight(`${prefix}.bias`, [outDim], 0.02)]) : y;
  }

  layerNorm(prefix: string, x: string, dim: number): string {
    const gamma = this.weight(`${prefix}.weight`, [dim], 0, 1);
    const beta = this.weight(`${prefix}.bias`, [dim], 0);
    return this.op("LayerNormalization", [x, gamma, beta], { axis: -1, epsilon: 1e-5 });
  }

  /** QuickGELU, as OpenAI CLIP uses: x * sigmoid(1.702 x). */
  quickGelu(x: string): string {
    const k = this.initializers.some((t) => t.name === "quick_gelu_k")
      ? "quick_gelu_k"
      : this.constFloat("quick_gelu_k", [], [1.702]);
    return this.op("Mul", [x, this.op("Sigmoid", [this.op("Mul", [x, k])])]);
  }

  /**
   * A pre-norm transformer block on x [N, S, width]: multi-head self-attention (with an additive
   * bias [.., S, S] when given, e.g. a causal mask) and a 4x MLP, each with a residual.
   */
  residualBlock(
    prefix: string,
    x: string,
    width: number,
    heads: number,
    layers: number,
    attnBias: string | null,
  ): string {
    const headDim = width / heads;
    const attnStd = width ** -0.5;
    const projStd = width ** -0.5 * (2 * layers) ** -0.5;
    const splitHeads = this.constInt64(`${prefix}.split_heads`, [0, 0, heads, headDim]);
    const mergeHeads = this.constInt64(`${prefix}.merge_heads`, [0, 0, width]);
    const h = this.layerNorm(`${prefix}.ln_1`, x, width);
    const heads4 = (name: string, perm: number[]) =>
      this.op(
        "Transpose",
        [this.op("Reshape", [this.linear(`${prefix}.attn.${name}`, h, width, width, attnStd), splitHeads])],
        { perm },
      );
    const q = heads4("q_proj", [0, 2, 1, 3]); // [N, H, S, d]
    const k = heads4("k_proj", [0, 2, 3, 1]); // [N, H, d, S]
    const v = heads4("v_proj", [0, 2, 1, 3]);
    let scores = this.op("Mul", [
      this.op("MatMul", [q, k]),
      this.constFloat(`${prefix}.attn.scale`, [], [headDim ** -0.5]),
    ]);
    if (attnBias) scores = this.op("Add", [scores, attnBias]);
    const attn = this.op("MatMul", [this.op("Softmax", [scores], { axis: -1 }), v]);
    const merged = this.op("Reshape", [this.op("Transpose", [attn], { perm: [0, 2, 1, 3] }), mergeHeads]);
    const x1 = this.op("Add", [x, this.linear(`${prefix}.attn.out_proj`, merged, width, width, projStd)]);
    const h2 = this.layerNorm(`${prefix}.ln_2`, x1, width);
    const fc = this.quickGelu(this.linear(`${prefix}.mlp.c_fc`, h2, width, 4 * width, (2 * width) ** -0.5));
    return this.op("Add", [x1, this.linear(`${prefix}.mlp.c_proj`, fc, 4 * width, width, projStd)]);
  }
}

export const FLOAT = DataType.FLOAT;
export const INT64 = DataType.INT64;

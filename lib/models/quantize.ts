import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  DataType,
  int8Tensor,
  node,
  readFloatTensor,
  readOnnxModel,
  sha256File,
  tensorDims,
  toNumber,
  writeOnnxModel,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from "./onnx-file";

// Int8 dynamic quantization of MatMul/Gemm weights, with the ONNX protobuf alone (no onnxruntime
// Python tooling). Each float MatMul against a constant weight W [K, N] becomes the pattern
// onnxruntime's own quantize_dynamic writes, which its graph optimizer fuses into one
// DynamicQuantizeMatMul kernel:
//   DynamicQuantizeLinear(x) -> x_q (uint8), x_scale, x_zero_point   (once per activation tensor)
//   MatMulInteger(x_q, W_q int8, x_zero_point, W_zero_point) -> int32
//   Cast(to float) ; Mul(x_scale, W_scale) ; Mul -> y   (+ Add(bias) for Gemm)
// Weights are symmetric int8, one scale per output column by default (better accuracy, same speed).

export interface QuantizeOptions {
  /** One scale per output column (default) or one per weight matrix. */
  perChannel?: boolean;
  /**
   * Weights in [-63, 63] instead of [-127, 127]: for x86 CPUs without VNNI, where u8 x s8 products
   * can saturate in 16-bit intermediate sums. By default on exactly those (`reducedRangeByDefault`).
   */
  reduceRange?: boolean;
  /** Leave weights with fewer elements than this in float (default 0: quantize all). */
  minWeightElements?: number;
}

export interface QuantizeSummary {
  quantized: number;
  /** Nodes left in float, and why. */
  skipped: { node: string; reason: string }[];
}

/**
 * Whether int8 weights need the reduced range on this machine: an x86 CPU whose flags (Linux's
 * /proc/cpuinfo) show no VNNI, or whose flags cannot be read. onnxruntime's u8 x s8 kernels without
 * VNNI add pairs of products in 16 bits, which full-range weights overflow (seen: the tiny CLIP text
 * tower's int8 cosine 0.987 against float on an AVX2 EPYC, 0.99+ with VNNI). ARM's kernels do not.
 */
export function reducedRangeByDefault(cpuinfo: () => string = () => fs.readFileSync("/proc/cpuinfo", "utf8")): boolean {
  if (process.arch !== "x64" && process.arch !== "ia32") return false;
  try {
    return !/\b(avx512_vnni|avx_vnni|amx_int8)\b/.test(cpuinfo());
  } catch {
    return true;
  }
}

/** Symmetric int8 weights [K, N] with per-column (or one) scale. */
export function quantizeWeight(
  w: Float32Array,
  K: number,
  N: number,
  perChannel: boolean,
  reduceRange: boolean,
): { q: Int8Array; scale: Float32Array } {
  const qmax = reduceRange ? 63 : 127;
  const absMax = new Float32Array(perChannel ? N : 1);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const a = Math.abs(w[k * N + n]);
      const c = perChannel ? n : 0;
      if (a > absMax[c]) absMax[c] = a;
    }
  }
  const scale = absMax.map((m) => (m > 0 ? m / qmax : 1));
  const q = new Int8Array(K * N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      const s = scale[perChannel ? n : 0];
      q[k * N + n] = Math.max(-qmax, Math.min(qmax, Math.round(w[k * N + n] / s)));
    }
  }
  return { q, scale };
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

function attr(n: NodeProto, name: string, fallback: number): number {
  const a = n.attribute?.find((x) => x.name === name);
  if (!a) return fallback;
  return a.type === 1 ? (a.f ?? fallback) : toNumber(a.i ?? fallback);
}

/** Quantizes a model's MatMul/Gemm weights in place of the float ones; returns the new model and what was done. */
export function quantizeDynamicInt8(
  model: ModelProto,
  options: QuantizeOptions = {},
): { model: ModelProto; summary: QuantizeSummary } {
  const perChannel = options.perChannel ?? true;
  const reduceRange = options.reduceRange ?? reducedRangeByDefault();
  const graph = model.graph!;
  const inits = new Map<string, TensorProto>((graph.initializer ?? []).map((t) => [t.name!, t]));
  const activationQuant = new Map<string, [string, string, string]>(); // x -> x_q, x_scale, x_zp
  const nodes: NodeProto[] = [];
  const newInits: TensorProto[] = [];
  const summary: QuantizeSummary = { quantized: 0, skipped: [] };
  let counter = 0;

  for (const n of graph.node ?? []) {
    const op = n.opType;
    if (op !== "MatMul" && op !== "Gemm") {
      nodes.push(n);
      continue;
    }
    const label = n.name || n.output![0];
    const [x, wName, bias] = n.input!;
    const w = inits.get(wName);
    const skip = (reason: string) => {
      summary.skipped.push({ node: label, reason });
      nodes.push(n);
    };
    if (!w) {
      skip("weight is not a constant");
      continue;
    }
    if (w.dataType !== DataType.FLOAT) {
      skip("weight is not float32");
      continue;
    }
    const dims = tensorDims(w);
    if (dims.length !== 2) {
      skip(`weight has ${dims.length} dimensions`);
      continue;
    }
    if (dims[0] * dims[1] < (options.minWeightElements ?? 0)) {
      skip("weight is small");
      continue;
    }
    if (op === "Gemm" && (attr(n, "alpha", 1) !== 1 || attr(n, "beta", 1) !== 1 || attr(n, "transA", 0) !== 0)) {
      skip("Gemm with alpha, beta or transA");
      continue;
    }

    let values = readFloatTensor(w);
    let [K, N] = dims;
    if (op === "Gemm" && attr(n, "transB", 0) === 1) {
      values = transpose(values, K, N);
      [K, N] = [N, K];
    }
    const { q, scale } = quantizeWeight(values, K, N, perChannel, reduceRange);
    const id = `${wName}_fieldmark_int8_${counter++}`;
    const zeroPoint = new Int8Array(scale.length);
    newInits.push(int8Tensor(`${id}_quantized`, [K, N], q));
    newInits.push({
      name: `${id}_scale`,
      dims: perChannel ? [N] : [],
      dataType: DataType.FLOAT,
      rawData: new Uint8Array(scale.buffer),
    });
    newInits.push(int8Tensor(`${id}_zero_point`, perChannel ? [N] : [], zeroPoint));

    let xq = activationQuant.get(x);
    if (!xq) {
      xq = [`${x}_quantized`, `${x}_scale`, `${x}_zero_point`].map((s) => `${s}_${counter}`) as [
        string,
        string,
        string,
      ];
      nodes.push(node("DynamicQuantizeLinear", [x], xq, {}, { name: `${xq[0]}_DynamicQuantizeLinear` }));
      activationQuant.set(x, xq);
    }
    const y = n.output![0];
    const yInt = `${id}_matmul_int32`;
    const yFloat = `${id}_matmul_float`;
    const yScale = `${id}_output_scale`;
    const scaled = op === "Gemm" && bias ? `${id}_scaled` : y;
    nodes.push(node("MatMulInteger", [xq[0], `${id}_quantized`, xq[2], `${id}_zero_point`], [yInt]));
    nodes.push(node("Cast", [yInt], [yFloat], { to: DataType.FLOAT }));
    nodes.push(node("Mul", [xq[1], `${id}_scale`], [yScale]));
    nodes.push(node("Mul", [yFloat, yScale], [scaled]));
    if (scaled !== y) nodes.push(node("Add", [scaled, bias], [y]));
    summary.quantized++;
  }

  // Float weights nothing uses any more are dropped.
  const used = new Set(nodes.flatMap((n) => n.input ?? []));
  const initializer = [...(graph.initializer ?? []).filter((t) => used.has(t.name!)), ...newInits];
  const input = (graph.input ?? []).filter((i) => !inits.has(i.name!) || used.has(i.name!));
  const quantized = { ...model, graph: { ...graph, node: nodes, initializer, input } } as ModelProto;
  return { model: quantized, summary };
}

/**
 * The int8 version of `modelPath`, built once into `cacheDir`. A model with nothing to quantize
 * (e.g. one already int8) is returned as it is.
 */
export function int8ModelPath(
  modelPath: string,
  cacheDir: string,
  options: QuantizeOptions = {},
): { path: string; summary: QuantizeSummary } {
  // the range this machine needs is part of the key: a data folder moved to another CPU quantizes again
  options = { ...options, reduceRange: options.reduceRange ?? reducedRangeByDefault() };
  const key = crypto
    .createHash("sha256")
    .update(`${sha256File(modelPath)}:${JSON.stringify(options)}:int8-v1`)
    .digest("hex")
    .slice(0, 16);
  const out = path.join(cacheDir, `${path.basename(modelPath, ".onnx")}-int8-${key}.onnx`);
  const marker = `${out}.json`;
  if (fs.existsSync(marker)) {
    const summary: QuantizeSummary = JSON.parse(fs.readFileSync(marker, "utf8"));
    if (summary.quantized === 0) return { path: modelPath, summary };
    if (fs.existsSync(out)) return { path: out, summary };
  }
  const { model, summary } = quantizeDynamicInt8(readOnnxModel(modelPath), options);
  if (summary.quantized > 0) writeOnnxModel(model, out);
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(marker, JSON.stringify(summary));
  return { path: summary.quantized > 0 ? out : modelPath, summary };
}

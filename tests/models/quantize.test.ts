import fs from "node:fs";
import path from "node:path";
import ort from "onnxruntime-node";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeEncoder, embedImages, embedTokenIds, loadEncoder } from "@/lib/models/encoder";
import { DataType, floatTensor, makeModel, node, valueInfo, writeOnnxModel } from "@/lib/models/onnx-file";
import { int8ModelPath, quantizeDynamicInt8, quantizeWeight, reducedRangeByDefault } from "@/lib/models/quantize";
import { seededNormal } from "@/scripts/models/graph-builder";
import { tempDir, tinyClipFolder } from "./model-folders";
import { mobilenetDir, sharedFixturesAvailable } from "./shared-fixtures";

// Int8 dynamic quantization by the project's own tooling: weights round-trip within half a step,
// Gemm and MatMul both handled, and the quantized towers' embeddings stay close to float's.

function meanCosine(a: Float32Array[], b: Float32Array[]): number {
  return a.reduce((sum, v, i) => sum + v.reduce((s, x, d) => s + x * b[i][d], 0), 0) / a.length;
}

async function photo(seed: number): Promise<Buffer> {
  const normal = seededNormal(seed);
  // smooth-ish colour fields rather than pure noise, so images are unlike each other in a structured way
  const w = 64;
  const pixels = Buffer.alloc(w * w * 3);
  const [a, b, c] = [normal(), normal(), normal()];
  for (let y = 0; y < w; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < 3; ch++) {
        pixels[(y * w + x) * 3 + ch] = 128 + 100 * Math.sin((a * x) / 8 + (b * y) / 8 + c * ch + seed);
      }
  return sharp(pixels, { raw: { width: w, height: w, channels: 3 } })
    .png()
    .toBuffer();
}

describe("int8 dynamic quantization", () => {
  let root: string;
  beforeAll(() => {
    root = tempDir();
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("takes the reduced weight range by default on x86 without VNNI (or flags it cannot read), not with it", () => {
    const x86 = process.arch === "x64" || process.arch === "ia32";
    expect(reducedRangeByDefault(() => "flags\t\t: fpu sse2 avx2 fma")).toBe(x86);
    expect(reducedRangeByDefault(() => "flags\t\t: fpu avx2 avx512f avx512_vnni")).toBe(false);
    expect(reducedRangeByDefault(() => "flags\t\t: fpu avx2 avx_vnni")).toBe(false);
    expect(
      reducedRangeByDefault(() => {
        throw new Error("no /proc");
      }),
    ).toBe(x86);
  });

  it("quantizes weights symmetrically, per output column, within half a step", () => {
    const normal = seededNormal(3);
    const K = 16,
      N = 8;
    const w = Float32Array.from({ length: K * N }, (_, i) => normal() * (1 + (i % N))); // columns of different ranges
    const { q, scale } = quantizeWeight(w, K, N, true, false);
    expect(scale.length).toBe(N);
    for (let i = 0; i < w.length; i++)
      expect(Math.abs(q[i] * scale[i % N] - w[i])).toBeLessThanOrEqual(scale[i % N] / 2 + 1e-7);
    expect(Math.max(...Array.from(q, Math.abs))).toBe(127);
    expect(Math.max(...Array.from(quantizeWeight(w, K, N, true, true).q, Math.abs))).toBe(63);
  });

  it("quantizes Gemm (transposed weight, bias) and MatMul into the fused pattern, close to float", async () => {
    const normal = seededNormal(5);
    const w1 = Float32Array.from({ length: 32 * 64 }, () => normal() * 0.2); // Gemm weight stored [out, in], transB=1
    const w2 = Float32Array.from({ length: 32 * 16 }, () => normal() * 0.2);
    const model = makeModel(
      {
        name: "g",
        node: [
          node("Gemm", ["x", "w1", "b1"], ["h"], { transB: 1 }),
          node("Relu", ["h"], ["r"]),
          node("MatMul", ["r", "w2"], ["y"]),
        ],
        initializer: [
          floatTensor("w1", [32, 64], w1),
          floatTensor(
            "b1",
            [32],
            Float32Array.from({ length: 32 }, () => normal()),
          ),
          floatTensor("w2", [32, 16], w2),
        ],
        input: [valueInfo("x", DataType.FLOAT, ["n", 64])],
        output: [valueInfo("y", DataType.FLOAT, ["n", 16])],
      },
      17,
    );
    const { model: q, summary } = quantizeDynamicInt8(model);
    expect(summary).toEqual({ quantized: 2, skipped: [] });
    expect(q.graph!.node!.map((n) => n.opType)).toEqual([
      "DynamicQuantizeLinear",
      "MatMulInteger",
      "Cast",
      "Mul",
      "Mul",
      "Add",
      "Relu",
      "DynamicQuantizeLinear",
      "MatMulInteger",
      "Cast",
      "Mul",
      "Mul",
    ]);
    expect(q.graph!.initializer!.map((t) => t.name)).not.toContain("w1"); // float weights dropped
    writeOnnxModel(model, path.join(root, "g.onnx"));
    writeOnnxModel(q, path.join(root, "g-int8.onnx"));
    const x = new ort.Tensor(
      "float32",
      Float32Array.from({ length: 4 * 64 }, () => normal()),
      [4, 64],
    );
    const run = async (f: string) =>
      ((await (await ort.InferenceSession.create(path.join(root, f))).run({ x })).y as ort.Tensor).data as Float32Array;
    const [fp, i8] = [await run("g.onnx"), await run("g-int8.onnx")];
    const rows = (d: Float32Array) =>
      [0, 1, 2, 3].map((r) => {
        const v = d.slice(r * 16, r * 16 + 16);
        const n = Math.hypot(...v);
        return v.map((e) => e / n);
      });
    expect(meanCosine(rows(fp), rows(i8))).toBeGreaterThan(0.999);
  });

  it("keeps the tiny CLIP towers' embeddings close to float (cosine >= 0.99)", async () => {
    const dir = tinyClipFolder(path.join(root, "clip"));
    const cacheDir = path.join(root, "cache");
    const fp32 = await loadEncoder(dir, { cacheDir });
    const int8 = await loadEncoder(dir, { cacheDir, precision: "int8" });
    expect(int8.vision.session).not.toBe(fp32.vision.session);
    const photos = await Promise.all(Array.from({ length: 8 }, (_, i) => photo(i + 1)));
    const texts = Array.from({ length: 8 }, (_, i) => {
      const inputIds = new Array<number>(77).fill(0);
      const ids = [49406, 320 + i, 1125 + 3 * i, 539, 49407];
      ids.forEach((id, p) => (inputIds[p] = id));
      return { inputIds, attentionMask: inputIds.map((v) => (v ? 1 : 0)) };
    });
    const imageCos = meanCosine(await embedImages(fp32, photos), await embedImages(int8, photos));
    const textCos = meanCosine(await embedTokenIds(fp32, texts), await embedTokenIds(int8, texts));
    console.log(
      `tiny CLIP towers, int8 vs fp32 mean cosine: images ${imageCos.toFixed(5)}, texts ${textCos.toFixed(5)}`,
    );
    expect(imageCos).toBeGreaterThanOrEqual(0.99);
    expect(textCos).toBeGreaterThanOrEqual(0.99);
    await closeEncoder(fp32);
    await closeEncoder(int8);
    const summary = int8ModelPath(path.join(dir, "onnx", "vision_model.onnx"), cacheDir).summary;
    expect(summary.quantized).toBe(13); // 6 weight matrices per layer x 2 layers + the projection
    expect(summary.skipped.every((s) => s.reason === "weight is not a constant")).toBe(true); // attention's activation x activation
  });

  it.skipIf(!sharedFixturesAvailable(mobilenetDir))("leaves an already-int8 model as it is", () => {
    const file = path.join(mobilenetDir, "mobilenetv2-12-int8.onnx");
    const r = int8ModelPath(file, path.join(root, "cache"));
    expect(r.path).toBe(file);
    expect(r.summary.quantized).toBe(0);
  });
});

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  DataType,
  node,
  readOnnxModel,
  sha256File,
  valueInfo,
  writeOnnxModel,
  type ModelProto,
  type NodeProto,
} from "./onnx-file";

// Image-only classifiers hold their best embedding inside the graph (e.g. MobileNetV2's pooled 1280-d
// layer before the classifier). This adds that tensor as an extra float [N, D] output, dequantizing it
// when the graph is int8, and writes the edited model into a cache folder (never beside the original).

export const EXPOSED_EMBEDDING_OUTPUT = "fieldmark_embedding";
// Bump when the edit changes, so cached derived models are rebuilt.
const EDIT_VERSION = 1;

const GLOBAL_POOL_OPS = new Set(["GlobalAveragePool", "QLinearGlobalAveragePool"]);

// For quantized (QLinear*) producers: input positions of the output's scale and zero point.
const QUANTIZED_OUTPUT_PARAMS: Record<string, [number, number]> = {
  QuantizeLinear: [1, 2],
  QLinearConv: [6, 7],
  QLinearMatMul: [6, 7],
  QLinearAdd: [6, 7],
  QLinearMul: [6, 7],
  QLinearGlobalAveragePool: [3, 4],
  QLinearAveragePool: [3, 4],
  QLinearLeakyRelu: [3, 4],
  QLinearSigmoid: [3, 4],
};

/** The output tensor of the graph's last global average pool, or null when it has none. */
export function lastGlobalPoolTensor(model: ModelProto): string | null {
  const nodes = model.graph?.node ?? [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (GLOBAL_POOL_OPS.has(nodes[i].opType ?? "")) return nodes[i].output![0];
  }
  return null;
}

function producerOf(model: ModelProto, tensor: string): NodeProto | undefined {
  return model.graph?.node?.find((n) => n.output?.includes(tensor));
}

/** Adds `tensor` (dequantized if int8, flattened to [N, D]) as the output EXPOSED_EMBEDDING_OUTPUT. */
export function exposeTensorAsEmbedding(model: ModelProto, tensor: string): ModelProto {
  const graph = model.graph!;
  const producer = producerOf(model, tensor);
  if (!producer) {
    const inner = (graph.node ?? []).flatMap((n) => n.output ?? []);
    throw new Error(`the model has no tensor named ${tensor} (some of its tensors: ${inner.slice(-8).join(", ")})`);
  }
  let floatTensor = tensor;
  const nodes = [...(graph.node ?? [])];
  if (producer.opType?.startsWith("QLinear") || producer.opType === "QuantizeLinear") {
    const params = QUANTIZED_OUTPUT_PARAMS[producer.opType];
    if (!params) throw new Error(`cannot dequantize the output of a ${producer.opType} node`);
    floatTensor = `${tensor}_fieldmark_dequantized`;
    nodes.push(
      node("DequantizeLinear", [tensor, producer.input![params[0]], producer.input![params[1]]], [floatTensor]),
    );
  }
  nodes.push(node("Flatten", [floatTensor], [EXPOSED_EMBEDDING_OUTPUT], { axis: 1 }));
  const output = [
    ...(graph.output ?? []),
    valueInfo(EXPOSED_EMBEDDING_OUTPUT, DataType.FLOAT, ["batch", "embedding_dim"]),
  ];
  return { ...model, graph: { ...graph, node: nodes, output } } as ModelProto;
}

/**
 * The path of `modelPath` with `tensor` (or, for "auto", the last global average pool) exposed as
 * an embedding output, built once into `cacheDir` and reused while the source file is unchanged.
 */
export function derivedEmbeddingModel(
  modelPath: string,
  tensor: string | "auto",
  cacheDir: string,
): { path: string; output: string; tensor: string } {
  const key = crypto
    .createHash("sha256")
    .update(`${sha256File(modelPath)}:${tensor}:${EDIT_VERSION}`)
    .digest("hex")
    .slice(0, 16);
  const out = path.join(cacheDir, `${path.basename(modelPath, ".onnx")}-embedding-${key}.onnx`);
  const marker = `${out}.tensor`;
  if (fs.existsSync(out) && fs.existsSync(marker))
    return { path: out, output: EXPOSED_EMBEDDING_OUTPUT, tensor: fs.readFileSync(marker, "utf8") };
  const model = readOnnxModel(modelPath);
  const chosen = tensor === "auto" ? lastGlobalPoolTensor(model) : tensor;
  if (!chosen)
    throw new Error(
      `${path.basename(modelPath)} has no global average pool to take an embedding from: name an inner tensor as vision.embeddingFrom in fieldmark.json`,
    );
  writeOnnxModel(exposeTensorAsEmbedding(model, chosen), out);
  fs.writeFileSync(marker, chosen);
  return { path: out, output: EXPOSED_EMBEDDING_OUTPUT, tensor: chosen };
}

import { makeModel, valueInfo } from "@/lib/models/onnx-file";
import { FLOAT, GraphBuilder, INT64, seededNormal } from "./graph-builder";

// CLIP towers (OpenAI CLIP's ViT architecture) with random weights, with exactly the inputs and
// outputs of a Hugging Face ONNX export: vision pixel_values [N,3,H,W] -> image_embeds [N,D];
// text input_ids + attention_mask [N,77] int64 -> text_embeds [N,D].

export interface ClipArchitecture {
  imageSize: number;
  patchSize: number;
  visionWidth: number;
  visionLayers: number;
  visionHeads: number;
  textWidth: number;
  textLayers: number;
  textHeads: number;
  vocabSize: number;
  contextLength: number;
  embedDim: number;
}

/** The real ViT-B/32 sizes (openai/clip-vit-base-patch32). */
export const VIT_B32: ClipArchitecture = {
  imageSize: 224,
  patchSize: 32,
  visionWidth: 768,
  visionLayers: 12,
  visionHeads: 12,
  textWidth: 512,
  textLayers: 12,
  textHeads: 8,
  vocabSize: 49408,
  contextLength: 77,
  embedDim: 512,
};

/** Small enough to build in a test, same inputs and outputs (the full CLIP vocabulary, so real token ids fit). */
export const TINY_CLIP: ClipArchitecture = {
  imageSize: 224,
  patchSize: 32,
  visionWidth: 64,
  visionLayers: 2,
  visionHeads: 2,
  textWidth: 64,
  textLayers: 2,
  textHeads: 2,
  vocabSize: 49408,
  contextLength: 77,
  embedDim: 64,
};

// LayerNormalization needs opset 17; onnxruntime 1.30 runs it natively.
const OPSET = 17;

export function buildVisionTower(a: ClipArchitecture, seed: number) {
  const g = new GraphBuilder(seededNormal(seed));
  const W = a.visionWidth;
  const grid = a.imageSize / a.patchSize;
  const scale = W ** -0.5;
  const patches = g.op(
    "Conv",
    ["pixel_values", g.weight("conv1.weight", [W, 3, a.patchSize, a.patchSize], (3 * a.patchSize ** 2) ** -0.5)],
    {
      kernel_shape: [a.patchSize, a.patchSize],
      strides: [a.patchSize, a.patchSize],
    },
  );
  const tokens = g.op("Transpose", [g.op("Reshape", [patches, g.constInt64("patch_shape", [0, W, -1])])], {
    perm: [0, 2, 1],
  });
  // The class token, broadcast to the batch: Expand to [N, 1, W].
  const batch = g.op("Shape", ["pixel_values"], { start: 0, end: 1 });
  const clsShape = g.op("Concat", [batch, g.constInt64("cls_tail", [1, W])], { axis: 0 });
  const cls = g.op("Expand", [g.weight("class_embedding", [1, 1, W], scale), clsShape]);
  let x = g.op("Add", [
    g.op("Concat", [cls, tokens], { axis: 1 }),
    g.weight("positional_embedding", [grid * grid + 1, W], scale),
  ]);
  x = g.layerNorm("ln_pre", x, W);
  for (let l = 0; l < a.visionLayers; l++)
    x = g.residualBlock(`transformer.resblocks.${l}`, x, W, a.visionHeads, a.visionLayers, null);
  const pooled = g.layerNorm("ln_post", g.op("Gather", [x, g.constInt64("cls_index", [0])], { axis: 1 }), W);
  const flat = g.op("Reshape", [pooled, g.constInt64("pooled_shape", [0, W])]);
  g.op("MatMul", [flat, g.weight("proj", [W, a.embedDim], scale)], {}, "image_embeds");
  return makeModel(
    {
      name: "vision_model",
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo("pixel_values", FLOAT, ["batch_size", 3, a.imageSize, a.imageSize])],
      output: [valueInfo("image_embeds", FLOAT, ["batch_size", a.embedDim])],
    },
    OPSET,
  );
}

export function buildTextTower(a: ClipArchitecture, seed: number) {
  const g = new GraphBuilder(seededNormal(seed));
  const W = a.textWidth;
  const L = a.contextLength;
  let x = g.op("Gather", [g.weight("token_embedding.weight", [a.vocabSize, W], 0.02), "input_ids"], { axis: 0 });
  x = g.op("Add", [x, g.weight("positional_embedding", [L, W], 0.01)]);
  // Attention bias: causal (no looking ahead) plus padding (no attending to masked tokens), [N, 1, L, L].
  const causal = new Float32Array(L * L);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) causal[i * L + j] = -1e9;
  const padding = g.op("Mul", [
    g.op("Sub", [g.constFloat("one", [], [1]), g.op("Cast", ["attention_mask"], { to: FLOAT })]),
    g.constFloat("masked_value", [], [-1e9]),
  ]);
  const paddingBias = g.op("Unsqueeze", [padding, g.constInt64("pad_axes", [1, 2])]);
  const bias = g.op("Add", [g.constFloat("causal_mask", [L, L], causal), paddingBias]);
  for (let l = 0; l < a.textLayers; l++)
    x = g.residualBlock(`transformer.resblocks.${l}`, x, W, a.textHeads, a.textLayers, bias);
  x = g.layerNorm("ln_final", x, W);
  // Features at the end token, which has the highest id in each row (as CLIP pools).
  const eot = g.op("Unsqueeze", [
    g.op("ArgMax", ["input_ids"], { axis: -1, keepdims: 0 }),
    g.constInt64("eot_axes", [1]),
  ]);
  const pooled = g.op("GatherND", [x, eot], { batch_dims: 1 });
  g.op("MatMul", [pooled, g.weight("text_projection", [W, a.embedDim], W ** -0.5)], {}, "text_embeds");
  return makeModel(
    {
      name: "text_model",
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo("input_ids", INT64, ["batch_size", L]), valueInfo("attention_mask", INT64, ["batch_size", L])],
      output: [valueInfo("text_embeds", FLOAT, ["batch_size", a.embedDim])],
    },
    OPSET,
  );
}

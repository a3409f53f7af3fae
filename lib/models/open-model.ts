import path from "node:path";
import ort from "onnxruntime-node";
import { readConfig } from "@/lib/config";
import { derivedEmbeddingModel } from "./expose-embedding";
import { int8ModelPath } from "./quantize";
import {
  ModelFolderError,
  readModelFolder,
  type ModelFolder,
  type VisionTowerSpec,
  type TextTowerSpec,
} from "./folder";
import { outputSize, type PreprocessConfig } from "./preprocess-config";

// Opens a model folder's towers in onnxruntime and checks them against what the folder promises:
// input/output names (listing what the model really has), input shapes against the preprocessing,
// and the embedding size of each tower (found by running one dummy input), which must agree.

export interface SessionSettings {
  /** onnxruntime intra-op threads (default 2: these machines have 2 cores). */
  threads?: number;
  /** Where derived models (an inner layer exposed as output, int8 versions) are written. */
  cacheDir?: string;
  /** "int8": MatMul/Gemm weights dynamically quantized by the project's own tooling (see quantize.ts). */
  precision?: "fp32" | "int8";
  /**
   * Let onnxruntime's idle threads spin-wait (default false). Spinning steals the cores that sharp
   * decodes the next batch on: on 2 cores, embedding from files ran ~1.5x faster with it off.
   */
  spinning?: boolean;
}

export interface VisionTower {
  session: ort.InferenceSession;
  modelPath: string;
  input: string;
  embeddingOutput: string;
  logitsOutput: string | null;
  preprocess: PreprocessConfig;
  preprocessSource: string;
  width: number;
  height: number;
  dim: number;
}

export interface TextTower {
  session: ort.InferenceSession;
  inputIds: string;
  attentionMask: string | null;
  /** int64 in every export seen; int32 accepted too. */
  idsType: "int64" | "int32";
  output: string;
  contextLength: number;
  tokenizerPath: string;
  dim: number;
}

export interface OpenedModel {
  folder: ModelFolder;
  vision: VisionTower;
  text: TextTower | null;
  /** The embedding size (both towers agree). */
  dim: number;
}

// Output names an image-only model's embedding output may already have.
const EMBEDDING_OUTPUT_NAMES = ["image_embeds", "embedding", "embeddings", "image_features", "features"];

export function defaultModelCacheDir(): string {
  return path.join(readConfig().dataDir, "models", "derived");
}

function sessionOptions(threads: number, spinning: boolean): ort.InferenceSession.SessionOptions {
  const spin = spinning ? "1" : "0";
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    executionMode: "sequential",
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

function tensorMeta(
  session: ort.InferenceSession,
  name: string,
  io: "input" | "output",
): ort.InferenceSession.TensorValueMetadata | null {
  const list = io === "input" ? session.inputMetadata : session.outputMetadata;
  const m = list.find((x) => x.name === name);
  return m && m.isTensor ? m : null;
}

function names(list: readonly string[]): string {
  return list.length ? list.join(", ") : "(none)";
}

async function createSession(
  file: string,
  s: Required<SessionSettings>,
  what: string,
  problems: string[],
): Promise<ort.InferenceSession | null> {
  try {
    const actual = s.precision === "int8" ? int8ModelPath(file, s.cacheDir).path : file;
    return await ort.InferenceSession.create(actual, sessionOptions(s.threads, s.spinning));
  } catch (e) {
    problems.push(
      `${what} ${path.basename(file)} cannot be loaded by onnxruntime: ${(e as Error).message.split("\n")[0]}`,
    );
    return null;
  }
}

async function openVision(
  spec: VisionTowerSpec,
  kind: string,
  s: Required<SessionSettings>,
  problems: string[],
): Promise<Omit<VisionTower, "dim"> | null> {
  const what = kind === "clip" ? "vision tower" : "image model";
  let modelPath = spec.modelPath;
  let session = await createSession(modelPath, s, what, problems);
  if (!session) return null;
  const originalOutputs = [...session.outputNames];
  let embeddingOutput: string;
  let logitsOutput = spec.logitsOutput;
  const em = spec.embedding;
  if ("output" in em) {
    embeddingOutput = em.output;
  } else {
    const existing = "auto" in em ? EMBEDDING_OUTPUT_NAMES.find((n) => originalOutputs.includes(n)) : undefined;
    if (existing) {
      embeddingOutput = existing;
    } else {
      try {
        const derived = derivedEmbeddingModel(spec.modelPath, "auto" in em ? "auto" : em.innerTensor, s.cacheDir);
        await session.release();
        modelPath = derived.path;
        session = await createSession(modelPath, s, what, problems);
        if (!session) return null;
        embeddingOutput = derived.output;
        // A classifier's one original output is its logits: kept for classify().
        if (logitsOutput === null && originalOutputs.length === 1) logitsOutput = originalOutputs[0];
      } catch (e) {
        problems.push(`${what}: ${(e as Error).message}`);
        return null;
      }
    }
  }
  const outputs = session.outputNames;
  if (!outputs.includes(embeddingOutput))
    problems.push(`${what} has no output ${embeddingOutput}; its outputs are: ${names(outputs)}`);
  if (logitsOutput && !outputs.includes(logitsOutput))
    problems.push(`${what} has no logits output ${logitsOutput}; its outputs are: ${names(outputs)}`);

  const inputs = session.inputNames;
  const input = spec.input ?? (inputs.length === 1 ? inputs[0] : null);
  if (input === null)
    problems.push(
      `${what} has several inputs (${names(inputs)}): name the image input as vision.input in fieldmark.json`,
    );
  else if (!inputs.includes(input)) problems.push(`${what} has no input ${input}; its inputs are: ${names(inputs)}`);
  const unfed = inputs.filter((n) => n !== input);
  if (input && inputs.includes(input) && unfed.length)
    problems.push(`${what} has inputs Fieldmark does not feed: ${names(unfed)}`);

  const { width, height } = outputSize(spec.preprocess);
  const meta = input ? tensorMeta(session, input, "input") : null;
  if (meta) {
    const [, c, h, w] = meta.shape;
    if (meta.type !== "float32") problems.push(`${what} input ${input} is ${meta.type}, expected float32`);
    if (meta.shape.length !== 4)
      problems.push(`${what} input ${input} has shape [${meta.shape.join(", ")}], expected [N, 3, height, width]`);
    else if (
      (typeof c === "number" && c !== 3) ||
      (typeof h === "number" && h !== height) ||
      (typeof w === "number" && w !== width)
    ) {
      problems.push(
        `${what} input ${input} takes [${meta.shape.join(", ")}] but the preprocessing (${spec.preprocessSource}) makes [N, 3, ${height}, ${width}]`,
      );
    }
  }
  return {
    session,
    modelPath,
    input: input ?? "",
    embeddingOutput,
    logitsOutput,
    preprocess: spec.preprocess,
    preprocessSource: spec.preprocessSource,
    width,
    height,
  };
}

async function openText(
  spec: TextTowerSpec,
  s: Required<SessionSettings>,
  problems: string[],
): Promise<Omit<TextTower, "dim"> | null> {
  const session = await createSession(spec.modelPath, s, "text tower", problems);
  if (!session) return null;
  const inputs = session.inputNames;
  const outputs = session.outputNames;
  if (!inputs.includes(spec.inputIds))
    problems.push(`text tower has no input ${spec.inputIds}; its inputs are: ${names(inputs)}`);
  let mask: string | null = null;
  if (spec.attentionMask) {
    if (inputs.includes(spec.attentionMask.name)) mask = spec.attentionMask.name;
    else if (spec.attentionMask.required)
      problems.push(`text tower has no input ${spec.attentionMask.name}; its inputs are: ${names(inputs)}`);
  }
  const unfed = inputs.filter((n) => n !== spec.inputIds && n !== mask);
  if (inputs.includes(spec.inputIds) && unfed.length)
    problems.push(`text tower has inputs Fieldmark does not feed: ${names(unfed)}`);
  if (!outputs.includes(spec.output))
    problems.push(`text tower has no output ${spec.output}; its outputs are: ${names(outputs)}`);

  const meta = tensorMeta(session, spec.inputIds, "input");
  let idsType: "int64" | "int32" = "int64";
  if (meta) {
    if (meta.type === "int32" || meta.type === "int64") idsType = meta.type;
    else problems.push(`text tower input ${spec.inputIds} is ${meta.type}, expected int64 token ids`);
    const seq = meta.shape[1];
    if (typeof seq === "number" && seq !== spec.contextLength) {
      problems.push(
        `text tower input ${spec.inputIds} takes ${seq} tokens but the context length is ${spec.contextLength} (set text.contextLength in fieldmark.json)`,
      );
    }
  }
  return {
    session,
    inputIds: spec.inputIds,
    attentionMask: mask,
    idsType,
    output: spec.output,
    contextLength: spec.contextLength,
    tokenizerPath: spec.tokenizerPath,
  };
}

/** Token-id tensors for a batch of already tokenized texts (each exactly contextLength ids). */
export function textFeeds(
  t: Omit<TextTower, "dim">,
  batch: { inputIds: ArrayLike<number>; attentionMask?: ArrayLike<number> }[],
): Record<string, ort.Tensor> {
  const n = batch.length;
  const L = t.contextLength;
  const ids = t.idsType === "int64" ? new BigInt64Array(n * L) : new Int32Array(n * L);
  const mask = t.idsType === "int64" ? new BigInt64Array(n * L) : new Int32Array(n * L);
  batch.forEach((b, row) => {
    if (b.inputIds.length !== L)
      throw new Error(`text ${row} has ${b.inputIds.length} token ids, the tower takes exactly ${L}`);
    for (let i = 0; i < L; i++) {
      const m = b.attentionMask ? b.attentionMask[i] : 1;
      if (ids instanceof BigInt64Array) {
        ids[row * L + i] = BigInt(b.inputIds[i]);
        (mask as BigInt64Array)[row * L + i] = BigInt(m);
      } else {
        ids[row * L + i] = b.inputIds[i];
        (mask as Int32Array)[row * L + i] = m;
      }
    }
  });
  const feeds: Record<string, ort.Tensor> = { [t.inputIds]: new ort.Tensor(t.idsType, ids, [n, L]) };
  if (t.attentionMask) feeds[t.attentionMask] = new ort.Tensor(t.idsType, mask, [n, L]);
  return feeds;
}

/** The embedding size a tower produces, from one dummy input; a problem is recorded if it fails. */
async function probeDim(
  what: string,
  run: () => Promise<ort.InferenceSession.OnnxValueMapType>,
  output: string,
  problems: string[],
): Promise<number> {
  try {
    const out = (await run())[output] as ort.Tensor;
    if (out.dims.length !== 2)
      problems.push(`${what} output ${output} has shape [${out.dims.join(", ")}] for one input, expected [1, D]`);
    return out.dims[out.dims.length - 1];
  } catch (e) {
    problems.push(`${what} fails on a dummy input: ${(e as Error).message.split("\n")[0]}`);
    return 0;
  }
}

/** Opens and checks a model folder; throws ModelFolderError listing every problem found. */
export async function openModel(
  dirOrFolder: string | ModelFolder,
  settings: SessionSettings = {},
): Promise<OpenedModel> {
  const folder = typeof dirOrFolder === "string" ? readModelFolder(dirOrFolder) : dirOrFolder;
  const s = {
    threads: settings.threads ?? 2,
    cacheDir: settings.cacheDir ?? defaultModelCacheDir(),
    precision: settings.precision ?? "fp32",
    spinning: settings.spinning ?? false,
  } as const;
  const problems: string[] = [];
  const vision = await openVision(folder.vision, folder.kind, s, problems);
  const text = folder.text ? await openText(folder.text, s, problems) : null;
  const release = async () => {
    await vision?.session.release();
    await text?.session.release();
  };
  if (problems.length || !vision || (folder.text && !text)) {
    await release();
    throw new ModelFolderError(folder.dir, problems);
  }
  const what = folder.kind === "clip" ? "vision tower" : "image model";
  const pixels = new ort.Tensor("float32", new Float32Array(3 * vision.width * vision.height), [
    1,
    3,
    vision.height,
    vision.width,
  ]);
  const visionDim = await probeDim(
    what,
    () => vision.session.run({ [vision.input]: pixels }),
    vision.embeddingOutput,
    problems,
  );
  let textDim = 0;
  if (text) {
    const ids = new Array<number>(text.contextLength).fill(0);
    const mask = new Array<number>(text.contextLength).fill(0);
    [ids[0], ids[1], mask[0], mask[1]] = [49406, 49407, 1, 1];
    textDim = await probeDim(
      "text tower",
      () => text.session.run(textFeeds(text, [{ inputIds: ids, attentionMask: mask }])),
      text.output,
      problems,
    );
    if (visionDim && textDim && visionDim !== textDim) {
      problems.push(
        `the towers' embedding sizes differ: vision tower ${vision.embeddingOutput} is ${visionDim}-d, text tower ${text.output} is ${textDim}-d`,
      );
    }
  }
  if (problems.length) {
    await release();
    throw new ModelFolderError(folder.dir, problems);
  }
  return {
    folder,
    vision: { ...vision, dim: visionDim },
    text: text ? { ...text, dim: textDim } : null,
    dim: visionDim,
  };
}

export async function closeModel(model: OpenedModel): Promise<void> {
  await model.vision.session.release();
  await model.text?.session.release();
}

/** What registration records about an opened model: plain JSON, no sessions. */
export interface ModelDescription {
  kind: "clip" | "image";
  dim: number;
  vision: {
    modelPath: string;
    input: string;
    embeddingOutput: string;
    logitsOutput: string | null;
    preprocess: PreprocessConfig;
    preprocessSource: string;
  };
  text: {
    modelPath: string;
    inputIds: string;
    attentionMask: string | null;
    output: string;
    contextLength: number;
    tokenizerPath: string;
  } | null;
}

export function describeModel(model: OpenedModel): ModelDescription {
  const v = model.vision;
  const t = model.text;
  return {
    kind: model.folder.kind,
    dim: model.dim,
    // the folder's own files: derived models in the cache are rebuilt from them when needed
    vision: {
      modelPath: model.folder.vision.modelPath,
      input: v.input,
      embeddingOutput: v.embeddingOutput,
      logitsOutput: v.logitsOutput,
      preprocess: v.preprocess,
      preprocessSource: v.preprocessSource,
    },
    text:
      t && model.folder.text
        ? {
            modelPath: model.folder.text.modelPath,
            inputIds: t.inputIds,
            attentionMask: t.attentionMask,
            output: t.output,
            contextLength: t.contextLength,
            tokenizerPath: t.tokenizerPath,
          }
        : null,
  };
}

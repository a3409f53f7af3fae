import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { z } from "zod";
import {
  IMAGENET_PREPROCESS,
  parsePreprocessorConfig,
  PreprocessConfigError,
  type PreprocessConfig,
} from "./preprocess-config";

// A model folder, read and checked at the file level (no model is loaded here):
// - CLIP family in the Hugging Face ONNX export layout: onnx/text_model.onnx, onnx/vision_model.onnx,
//   tokenizer.json or bpe_simple_vocab_16e6.txt(.gz), preprocessor_config.json;
// - image-only encoders: one .onnx file (its embedding output may be an inner layer, see expose-embedding);
// - anything else (OpenCLIP exports, other tensor names) mapped by a `fieldmark.json` in the folder.

export const FOLDER_CONFIG_FILE = "fieldmark.json";
export const TOKENIZER_FILES = ["tokenizer.json", "bpe_simple_vocab_16e6.txt.gz", "bpe_simple_vocab_16e6.txt"];

/**
 * Where the image embedding comes from: an existing output, an inner tensor exposed as an extra output,
 * or (image-only models with no config) decided when the model is opened: an output named like an
 * embedding if there is one, else the last global average pool.
 */
export type EmbeddingSource = { output: string } | { innerTensor: string } | { auto: true };

export interface VisionTowerSpec {
  modelPath: string;
  /** null: the model's only input. */
  input: string | null;
  /** An existing graph output, or an inner tensor the loader exposes as an extra output. */
  embedding: EmbeddingSource;
  /** A class-logits output, when the model has one (used by classify). */
  logitsOutput: string | null;
  preprocess: PreprocessConfig;
  /** Where the preprocessing came from, for messages and reports. */
  preprocessSource: string;
}

export interface TextTowerSpec {
  modelPath: string;
  inputIds: string;
  /** null: the model takes no mask; "optional": feed it only if the model has an input of that name. */
  attentionMask: { name: string; required: boolean } | null;
  output: string;
  contextLength: number;
  tokenizerPath: string;
}

export interface ModelFolder {
  dir: string;
  kind: "clip" | "image";
  vision: VisionTowerSpec;
  text: TextTowerSpec | null;
}

export class ModelFolderError extends Error {
  constructor(
    readonly dir: string,
    readonly problems: string[],
  ) {
    super(`model folder ${dir} is not usable:\n${problems.map((p) => `- ${p}`).join("\n")}`);
  }
}

const towerFile = z.string().min(1);
const folderConfigSchema = z.strictObject({
  kind: z.enum(["clip", "image"]).optional(),
  vision: z
    .strictObject({
      file: towerFile.optional(),
      input: z.string().min(1).optional(),
      output: z.string().min(1).optional(),
      embeddingFrom: z.string().min(1).optional(),
      logits: z.string().min(1).nullable().optional(),
    })
    .optional(),
  text: z
    .strictObject({
      file: towerFile.optional(),
      inputIds: z.string().min(1).optional(),
      attentionMask: z.union([z.string().min(1), z.literal(false)]).optional(),
      output: z.string().min(1).optional(),
      contextLength: z.number().int().positive().optional(),
    })
    .optional(),
  tokenizer: z.string().min(1).optional(),
  preprocessor: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
});
export type FolderConfig = z.infer<typeof folderConfigSchema>;

function readJson(file: string, problems: string[]): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    problems.push(`${path.basename(file)} is not valid JSON: ${(e as Error).message}`);
    return undefined;
  }
}

function readFolderConfig(dir: string, problems: string[]): FolderConfig {
  const file = path.join(dir, FOLDER_CONFIG_FILE);
  if (!fs.existsSync(file)) return {};
  const json = readJson(file, problems);
  if (json === undefined) return {};
  const parsed = folderConfigSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    problems.push(`${FOLDER_CONFIG_FILE}: ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  return {};
}

/** .onnx files anywhere in the folder (relative paths), for guessing image-only models and for messages. */
function onnxFilesIn(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".onnx")).sort();
}

function requireFile(dir: string, rel: string, what: string, problems: string[]): string {
  const full = path.resolve(dir, rel);
  if (!fs.existsSync(full)) problems.push(`missing ${what}: ${rel}`);
  return full;
}

function readPreprocess(
  dir: string,
  cfg: FolderConfig,
  kind: "clip" | "image",
  problems: string[],
): { preprocess: PreprocessConfig; source: string } {
  const inline = cfg.preprocessor && typeof cfg.preprocessor === "object" ? cfg.preprocessor : null;
  const rel = typeof cfg.preprocessor === "string" ? cfg.preprocessor : "preprocessor_config.json";
  const file = path.join(dir, rel);
  if (!inline && !fs.existsSync(file)) {
    // Image-only models rarely ship one; they are nearly all trained with ImageNet's preprocessing.
    if (kind === "image" && !cfg.preprocessor)
      return { preprocess: IMAGENET_PREPROCESS, source: "ImageNet defaults (no preprocessor_config.json)" };
    problems.push(`missing preprocessing config: ${rel}`);
    return { preprocess: IMAGENET_PREPROCESS, source: "" };
  }
  const json = inline ?? readJson(file, problems);
  if (json === undefined) return { preprocess: IMAGENET_PREPROCESS, source: "" };
  try {
    return {
      preprocess: parsePreprocessorConfig(json, inline ? `${FOLDER_CONFIG_FILE} preprocessor` : rel),
      source: inline ? FOLDER_CONFIG_FILE : rel,
    };
  } catch (e) {
    if (!(e instanceof PreprocessConfigError)) throw e;
    problems.push(...e.problems.map((p) => `${inline ? `${FOLDER_CONFIG_FILE} preprocessor` : rel}: ${p}`));
    return { preprocess: IMAGENET_PREPROCESS, source: "" };
  }
}

function checkTokenizerFile(file: string, problems: string[]): void {
  try {
    if (file.endsWith(".gz")) zlib.gunzipSync(fs.readFileSync(file));
    else if (file.endsWith(".json")) JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    problems.push(`tokenizer ${path.basename(file)} is unreadable: ${(e as Error).message}`);
  }
}

function findTokenizer(dir: string, cfg: FolderConfig, problems: string[]): string {
  if (cfg.tokenizer) {
    const file = requireFile(dir, cfg.tokenizer, "tokenizer", problems);
    if (fs.existsSync(file)) checkTokenizerFile(file, problems);
    return file;
  }
  const found = TOKENIZER_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!found) {
    problems.push(`missing tokenizer: one of ${TOKENIZER_FILES.join(", ")}`);
    return "";
  }
  checkTokenizerFile(found, problems);
  return found;
}

function guessKind(dir: string, cfg: FolderConfig): "clip" | "image" {
  if (cfg.kind) return cfg.kind;
  if (cfg.text || fs.existsSync(path.join(dir, "onnx", "text_model.onnx"))) return "clip";
  if (fs.existsSync(path.join(dir, "onnx", "vision_model.onnx"))) return "clip"; // half a CLIP export: say what is missing
  return "image";
}

function imageModelFile(dir: string, cfg: FolderConfig, problems: string[]): string {
  if (cfg.vision?.file) return cfg.vision.file;
  const files = onnxFilesIn(dir);
  if (files.length === 1) return files[0];
  if (files.length === 0)
    problems.push(
      "missing model: no .onnx file in the folder (a CLIP export has onnx/text_model.onnx and onnx/vision_model.onnx)",
    );
  else
    problems.push(
      `several .onnx files (${files.join(", ")}): name the image model in ${FOLDER_CONFIG_FILE} as {"kind": "image", "vision": {"file": ...}}`,
    );
  return "";
}

/** Reads and checks a model folder's files and configs. Throws ModelFolderError listing every problem. */
export function readModelFolder(dirArg: string): ModelFolder {
  const dir = path.resolve(dirArg);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new ModelFolderError(dir, ["the folder does not exist"]);
  const problems: string[] = [];
  const cfg = readFolderConfig(dir, problems);
  const kind = guessKind(dir, cfg);
  const v = cfg.vision ?? {};

  const visionRel = kind === "clip" ? (v.file ?? "onnx/vision_model.onnx") : imageModelFile(dir, cfg, problems);
  const visionPath = visionRel
    ? requireFile(dir, visionRel, kind === "clip" ? "vision tower" : "image model", problems)
    : "";
  const { preprocess, source } = readPreprocess(dir, cfg, kind, problems);
  if (v.output && v.embeddingFrom)
    problems.push(`${FOLDER_CONFIG_FILE}: vision.output and vision.embeddingFrom exclude each other`);
  const embedding: EmbeddingSource = v.embeddingFrom
    ? { innerTensor: v.embeddingFrom }
    : v.output || kind === "clip"
      ? { output: v.output ?? "image_embeds" }
      : { auto: true };
  const vision: VisionTowerSpec = {
    modelPath: visionPath,
    input: v.input ?? (kind === "clip" ? "pixel_values" : null),
    embedding,
    logitsOutput: v.logits ?? null,
    preprocess,
    preprocessSource: source,
  };

  let text: TextTowerSpec | null = null;
  if (kind === "clip") {
    const t = cfg.text ?? {};
    const textRel = t.file ?? "onnx/text_model.onnx";
    text = {
      modelPath: requireFile(dir, textRel, "text tower", problems),
      inputIds: t.inputIds ?? "input_ids",
      attentionMask:
        t.attentionMask === false
          ? null
          : { name: t.attentionMask ?? "attention_mask", required: t.attentionMask !== undefined },
      output: t.output ?? "text_embeds",
      contextLength: t.contextLength ?? 77,
      tokenizerPath: findTokenizer(dir, cfg, problems),
    };
  } else if (cfg.text) {
    problems.push(`${FOLDER_CONFIG_FILE}: kind "image" has no text tower, but "text" is given`);
  }
  if (problems.length) throw new ModelFolderError(dir, problems);
  return { dir, kind, vision, text };
}

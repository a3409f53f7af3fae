import fs from "node:fs";
import path from "node:path";
import { writeOnnxModel } from "@/lib/models/onnx-file";
import { buildTextTower, buildVisionTower, TINY_CLIP, VIT_B32, type ClipArchitecture } from "./clip-towers";

// Writes a CLIP test model as a Hugging Face ONNX export folder lays it out, so tests load it through
// the same folder-loading path as a real export.

export const ARCHITECTURES: Record<string, ClipArchitecture> = { tiny: TINY_CLIP, "vit-b32": VIT_B32 };

/** openai/clip-vit-base-patch32's preprocessor_config.json. */
export const CLIP_PREPROCESSOR_CONFIG = {
  crop_size: { height: 224, width: 224 },
  do_center_crop: true,
  do_convert_rgb: true,
  do_normalize: true,
  do_rescale: true,
  do_resize: true,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_processor_type: "CLIPImageProcessor",
  image_std: [0.26862954, 0.26130258, 0.27577711],
  resample: 3,
  rescale_factor: 1 / 255,
  size: { shortest_edge: 224 },
};

export interface ClipTestFolderOptions {
  architecture?: ClipArchitecture | keyof typeof ARCHITECTURES;
  seed?: number;
  /** A CLIP merges file or tokenizer.json to copy in (the project does not ship one). */
  tokenizerFile?: string;
}

export function writeClipTestFolder(dir: string, options: ClipTestFolderOptions = {}): string {
  const arch =
    typeof options.architecture === "string"
      ? ARCHITECTURES[options.architecture]
      : (options.architecture ?? TINY_CLIP);
  if (!arch)
    throw new Error(`unknown architecture ${options.architecture}; known: ${Object.keys(ARCHITECTURES).join(", ")}`);
  const seed = options.seed ?? 1;
  fs.mkdirSync(path.join(dir, "onnx"), { recursive: true });
  // Built and written one at a time: a ViT-B/32 tower is hundreds of MB.
  writeOnnxModel(buildVisionTower(arch, seed), path.join(dir, "onnx", "vision_model.onnx"));
  writeOnnxModel(buildTextTower(arch, seed + 1), path.join(dir, "onnx", "text_model.onnx"));
  fs.writeFileSync(
    path.join(dir, "preprocessor_config.json"),
    `${JSON.stringify(CLIP_PREPROCESSOR_CONFIG, null, 2)}\n`,
  );
  if (options.tokenizerFile) {
    const base = path.basename(options.tokenizerFile);
    const name = base.endsWith(".json")
      ? "tokenizer.json"
      : base.endsWith(".gz")
        ? "bpe_simple_vocab_16e6.txt.gz"
        : "bpe_simple_vocab_16e6.txt";
    fs.writeFileSync(path.join(dir, name), fs.readFileSync(options.tokenizerFile)); // not copyFile: keep it writable
  }
  fs.writeFileSync(
    path.join(dir, "config.json"),
    `${JSON.stringify({ fieldmark_test_model: true, seed, architecture: arch }, null, 2)}\n`,
  );
  return dir;
}

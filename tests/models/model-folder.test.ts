import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeEncoder, loadEncoder } from "@/lib/models/encoder";
import { ModelFolderError, readModelFolder } from "@/lib/models/folder";
import { writeOnnxModel } from "@/lib/models/onnx-file";
import { buildTextTower, buildVisionTower, TINY_CLIP } from "@/scripts/models/clip-towers";
import { copyFolder, editModelFile, renameTensors, tempDir, tinyClipFolder } from "./model-folders";

// A model folder is checked before use, and every problem is said exactly: which file is missing,
// which names the model really has, which sizes disagree, which config field is bad.

async function problemsOf(dir: string, cacheDir: string): Promise<string[]> {
  try {
    const encoder = await loadEncoder(dir, { cacheDir });
    await closeEncoder(encoder);
  } catch (e) {
    if (e instanceof ModelFolderError) return e.problems;
    throw e;
  }
  return [];
}

describe("model folders", () => {
  let root: string;
  let good: string;
  let cacheDir: string;
  beforeAll(() => {
    root = tempDir();
    cacheDir = path.join(root, "cache");
    good = tinyClipFolder(path.join(root, "good"));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const variant = (name: string) => copyFolder(good, path.join(root, name));

  it("reads a Hugging Face CLIP export layout", async () => {
    const folder = readModelFolder(good);
    expect(folder.kind).toBe("clip");
    expect(folder.vision).toMatchObject({
      input: "pixel_values",
      embedding: { output: "image_embeds" },
      preprocessSource: "preprocessor_config.json",
    });
    expect(folder.text).toMatchObject({ inputIds: "input_ids", output: "text_embeds", contextLength: 77 });
    expect(await problemsOf(good, cacheDir)).toEqual([]);
  });

  it("names each missing file", () => {
    const dir = variant("missing");
    fs.rmSync(path.join(dir, "onnx", "text_model.onnx"));
    fs.rmSync(path.join(dir, "bpe_simple_vocab_16e6.txt.gz"));
    fs.rmSync(path.join(dir, "preprocessor_config.json"));
    expect(() => readModelFolder(dir)).toThrow(ModelFolderError);
    try {
      readModelFolder(dir);
    } catch (e) {
      expect((e as ModelFolderError).problems).toEqual([
        "missing preprocessing config: preprocessor_config.json",
        "missing text tower: onnx/text_model.onnx",
        "missing tokenizer: one of tokenizer.json, bpe_simple_vocab_16e6.txt.gz, bpe_simple_vocab_16e6.txt",
      ]);
    }
    expect(() => readModelFolder(path.join(root, "nowhere"))).toThrow(/the folder does not exist/);
  });

  it("lists the names a model really has when they do not fit, and takes a fieldmark.json mapping instead of code changes", async () => {
    const dir = variant("openclip-names");
    editModelFile(path.join(dir, "onnx", "vision_model.onnx"), (m) =>
      renameTensors(m, { pixel_values: "image", image_embeds: "image_features" }),
    );
    editModelFile(path.join(dir, "onnx", "text_model.onnx"), (m) =>
      renameTensors(m, { input_ids: "text", attention_mask: "mask", text_embeds: "text_features" }),
    );
    expect(await problemsOf(dir, cacheDir)).toEqual([
      "vision tower has no output image_embeds; its outputs are: image_features",
      "vision tower has no input pixel_values; its inputs are: image",
      "text tower has no input input_ids; its inputs are: text, mask",
      "text tower has no output text_embeds; its outputs are: text_features",
    ]);
    fs.writeFileSync(
      path.join(dir, "fieldmark.json"),
      JSON.stringify({
        vision: { input: "image", output: "image_features" },
        text: { inputIds: "text", attentionMask: "mask", output: "text_features" },
      }),
    );
    const encoder = await loadEncoder(dir, { cacheDir });
    expect([encoder.dim, encoder.text?.attentionMask]).toEqual([64, "mask"]);
    await closeEncoder(encoder);
  });

  it("says when the towers' embedding sizes differ", async () => {
    const dir = variant("sizes");
    writeOnnxModel(buildTextTower({ ...TINY_CLIP, embedDim: 32 }, 5), path.join(dir, "onnx", "text_model.onnx"));
    expect(await problemsOf(dir, cacheDir)).toEqual([
      "the towers' embedding sizes differ: vision tower image_embeds is 64-d, text tower text_embeds is 32-d",
    ]);
  });

  it("says when the preprocessing does not make what the model takes", async () => {
    const dir = variant("input-size");
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, "preprocessor_config.json"), "utf8"));
    fs.writeFileSync(
      path.join(dir, "preprocessor_config.json"),
      JSON.stringify({ ...cfg, size: { shortest_edge: 256 }, crop_size: 256 }),
    );
    expect(await problemsOf(dir, cacheDir)).toEqual([
      "vision tower input pixel_values takes [batch_size, 3, 224, 224] but the preprocessing (preprocessor_config.json) makes [N, 3, 256, 256]",
    ]);
  });

  it("names bad preprocessor and fieldmark.json fields", () => {
    const dir = variant("bad-configs");
    fs.writeFileSync(
      path.join(dir, "preprocessor_config.json"),
      JSON.stringify({ size: 224, crop_size: 224, resample: 9, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0, 0.5] }),
    );
    fs.writeFileSync(
      path.join(dir, "fieldmark.json"),
      JSON.stringify({ vision: { inputs: "x" }, text: { contextLength: -1 } }),
    );
    try {
      readModelFolder(dir);
      expect.unreachable();
    } catch (e) {
      const problems = (e as ModelFolderError).problems.join("\n");
      expect(problems).toMatch(/fieldmark.json: vision: Unrecognized key:? "inputs"/);
      expect(problems).toMatch(/fieldmark.json: text.contextLength: /);
      expect(problems).toContain(
        "preprocessor_config.json: resample must be a PIL filter code: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic (got 9)",
      );
      expect(problems).toContain(
        "preprocessor_config.json: image_std must be 3 positive numbers, one per RGB channel (got [0.5,0,0.5])",
      );
    }
  });

  it("reads an image-only folder: one .onnx file, ImageNet preprocessing unless configured", async () => {
    const dir = path.join(root, "image-only");
    writeOnnxModel(buildVisionTower(TINY_CLIP, 3), path.join(dir, "encoder.onnx"));
    const folder = readModelFolder(dir);
    expect(folder).toMatchObject({
      kind: "image",
      text: null,
      vision: {
        input: null,
        embedding: { auto: true },
        preprocessSource: "ImageNet defaults (no preprocessor_config.json)",
      },
    });
    const encoder = await loadEncoder(dir, { cacheDir });
    expect([encoder.dim, encoder.vision.input, encoder.vision.embeddingOutput]).toEqual([
      64,
      "pixel_values",
      "image_embeds",
    ]);
    await closeEncoder(encoder);

    writeOnnxModel(buildVisionTower(TINY_CLIP, 4), path.join(dir, "other.onnx"));
    expect(() => readModelFolder(dir)).toThrow(
      "several .onnx files (encoder.onnx, other.onnx): name the image model in fieldmark.json",
    );
    expect(() => readModelFolder(tempDir())).toThrow("missing model: no .onnx file in the folder");
  });

  it("says when an image-only model has no embedding output and no pooling layer to expose", async () => {
    const dir = path.join(root, "no-pool");
    writeOnnxModel(
      renameTensors(buildVisionTower(TINY_CLIP, 3), { image_embeds: "logits" }),
      path.join(dir, "model.onnx"),
    );
    expect(await problemsOf(dir, cacheDir)).toEqual([
      "image model: model.onnx has no global average pool to take an embedding from: name an inner tensor as vision.embeddingFrom in fieldmark.json",
    ]);
  });
});

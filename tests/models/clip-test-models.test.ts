import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeEncoder,
  embedImages,
  embedImagesSettled,
  embedTexts,
  embedTokenIds,
  loadEncoder,
  type Encoder,
} from "@/lib/models/encoder";
import { tempDir, tinyClipFolder } from "./model-folders";
import { clipMergesFile } from "./shared-fixtures";

// The CLIP path, folder to tokenizer to vectors, on the project's own tiny random-weight towers.

const START = 49406;
const END = 49407;

function padded(ids: number[], pad: number) {
  const inputIds = new Array<number>(77).fill(pad);
  const attentionMask = new Array<number>(77).fill(0);
  ids.forEach((id, i) => ((inputIds[i] = id), (attentionMask[i] = 1)));
  return { inputIds, attentionMask };
}

function cosine(a: Float32Array, b: Float32Array): number {
  return a.reduce((s, x, i) => s + x * b[i], 0);
}

function norm(a: Float32Array): number {
  return Math.sqrt(cosine(a, a));
}

async function photo(seed: number): Promise<Buffer> {
  // Noise images, different per seed, at a size that needs resizing and cropping.
  const pixels = Buffer.alloc(300 * 200 * 3);
  let s = seed;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (s = (s * 1103515245 + 12345) % 2 ** 31) >> 23;
  return sharp(pixels, { raw: { width: 300, height: 200, channels: 3 } })
    .jpeg()
    .toBuffer();
}

describe("tiny CLIP test models", () => {
  let root: string;
  let encoder: Encoder;
  beforeAll(async () => {
    root = tempDir();
    tinyClipFolder(path.join(root, "clip"));
    encoder = await loadEncoder(path.join(root, "clip"), { cacheDir: path.join(root, "cache"), batchSize: 2 });
  });
  afterAll(async () => {
    if (encoder) await closeEncoder(encoder);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("are built deterministically from a seed", () => {
    tinyClipFolder(path.join(root, "again"));
    tinyClipFolder(path.join(root, "other-seed"), { seed: 9 });
    const bytes = (dir: string, f: string) => fs.readFileSync(path.join(root, dir, "onnx", f));
    for (const f of ["vision_model.onnx", "text_model.onnx"]) {
      expect(bytes("again", f).equals(bytes("clip", f))).toBe(true);
      expect(bytes("other-seed", f).equals(bytes("clip", f))).toBe(false);
    }
  });

  it("embed images to unit vectors, the same whatever the batch they are in", async () => {
    const photos = await Promise.all([1, 2, 3, 4, 5].map(photo));
    const together = await embedImages(encoder, photos); // batches of 2, 2, 1
    const alone = await embedImages(encoder, [photos[4]]);
    expect(together.map((v) => v.length)).toEqual([64, 64, 64, 64, 64]);
    together.forEach((v) => expect(norm(v)).toBeCloseTo(1, 5));
    expect(cosine(together[4], alone[0])).toBeCloseTo(1, 5);
    expect(cosine(together[0], together[1])).toBeLessThan(0.9999);
  });

  it("skip unreadable images with a reason, or throw naming them", async () => {
    const results = await embedImagesSettled(encoder, [await photo(1), "/nonexistent/a.jpg", await photo(2)]);
    expect(results.map((r) => ("vector" in r ? "ok" : "error"))).toEqual(["ok", "error", "ok"]);
    await expect(embedImages(encoder, [await photo(1), "/nonexistent/a.jpg"])).rejects.toThrow(
      "image /nonexistent/a.jpg is unreadable",
    );
  });

  it("embed token ids; padding does not change the embedding, the text does", async () => {
    const hello = [START, 3306, 1002, END];
    const [zeroPad, endPad, other] = await embedTokenIds(encoder, [
      padded(hello, 0),
      padded(hello, END),
      padded([START, 3306, END], 0),
    ]);
    expect(norm(zeroPad)).toBeCloseTo(1, 5);
    expect(cosine(zeroPad, endPad)).toBeCloseTo(1, 5);
    expect(cosine(zeroPad, other)).toBeLessThan(0.9999);
    await expect(embedTokenIds(encoder, [{ inputIds: hello }])).rejects.toThrow(
      "text 0 has 4 token ids, the tower takes exactly 77",
    );
  });

  it.skipIf(!fs.existsSync(clipMergesFile))(
    "embed texts through the folder's CLIP tokenizer, truncating long ones to 77 tokens",
    async () => {
      const [hello, long] = await embedTexts(encoder, ["hello world", "a very long query ".repeat(40)]);
      const [byIds] = await embedTokenIds(encoder, [padded([START, 3306, 1002, END], 0)]);
      expect(cosine(hello, byIds)).toBeCloseTo(1, 5);
      expect(norm(long)).toBeCloseTo(1, 5);
    },
  );
});

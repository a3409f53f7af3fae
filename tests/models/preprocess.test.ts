import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { preprocessBatch, preprocessImage, resizedSize } from "@/lib/models/preprocess";
import { IMAGENET_PREPROCESS, parsePreprocessorConfig, type PreprocessConfig } from "@/lib/models/preprocess-config";
import { CLIP_PREPROCESSOR_CONFIG } from "@/scripts/models/clip-test-folder";

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

async function solid(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}

describe("preprocessor_config.json", () => {
  it("reads a CLIP config", () => {
    expect(parsePreprocessorConfig(CLIP_PREPROCESSOR_CONFIG)).toEqual({
      resize: { shortestEdge: 224 },
      resample: "bicubic",
      crop: { width: 224, height: 224 },
      rescaleFactor: 1 / 255,
      mean: CLIP_MEAN,
      std: CLIP_STD,
    });
  });

  it("reads the older feature-extractor form and exact-size resizes (SigLIP)", () => {
    expect(
      parsePreprocessorConfig({
        size: 224,
        crop_size: 224,
        do_center_crop: true,
        resample: 2,
        image_mean: [0.5, 0.5, 0.5],
        image_std: [0.5, 0.5, 0.5],
      }),
    ).toMatchObject({ resize: { shortestEdge: 224 }, crop: { width: 224, height: 224 }, resample: "bilinear" });
    expect(
      parsePreprocessorConfig({
        size: { height: 384, width: 384 },
        do_center_crop: false,
        image_mean: [0.5, 0.5, 0.5],
        image_std: [0.5, 0.5, 0.5],
      }),
    ).toMatchObject({ resize: { width: 384, height: 384 }, crop: null });
  });

  it("names every bad field", () => {
    let message = "";
    try {
      parsePreprocessorConfig({
        size: { shortest_edge: -3 },
        crop_size: { height: 0 },
        resample: 4,
        image_mean: [0.5, 0.5],
        image_std: [0.2, 0, 0.3],
        rescale_factor: "x",
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("size.shortest_edge must be a positive integer (got -3)");
    expect(message).toContain("crop_size must be a positive integer or");
    expect(message).toContain("resample 4 (box) is not supported");
    expect(message).toContain("image_mean must be 3 numbers");
    expect(message).toContain("image_std must be 3 positive numbers");
    expect(message).toContain("rescale_factor must be a positive number");
  });
});

describe("preprocessing", () => {
  it("resizes the shorter side, flooring the longer one as Hugging Face does", () => {
    expect(resizedSize(500, 375, IMAGENET_PREPROCESS)).toEqual({ width: 341, height: 256 });
    expect(resizedSize(375, 500, IMAGENET_PREPROCESS)).toEqual({ width: 256, height: 341 });
    expect(resizedSize(224, 224, IMAGENET_PREPROCESS)).toEqual({ width: 256, height: 256 });
  });

  it("writes RGB planes (NCHW) rescaled and normalised with the config's mean and std", async () => {
    const cfg = parsePreprocessorConfig(CLIP_PREPROCESSOR_CONFIG);
    const data = await preprocessImage(await solid(300, 200, [255, 0, 51]), cfg);
    expect(data.length).toBe(3 * 224 * 224);
    const plane = 224 * 224;
    const expected = [1, 0, 0.2].map((v, c) => (v - CLIP_MEAN[c]) / CLIP_STD[c]);
    for (const i of [0, 1000, plane - 1]) {
      expect(data[i]).toBeCloseTo(expected[0], 5);
      expect(data[plane + i]).toBeCloseTo(expected[1], 5);
      expect(data[2 * plane + i]).toBeCloseTo(expected[2], 5);
    }
  });

  it("turns greyscale into three equal channels", async () => {
    const grey = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#808080" } })
      .greyscale()
      .toColourspace("b-w")
      .png()
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const data = await preprocessImage(grey, IMAGENET_PREPROCESS);
    const plane = 224 * 224;
    const v = 128 / 255;
    [0, 1, 2].forEach((c) =>
      expect(data[c * plane + 500]).toBeCloseTo((v - IMAGENET_PREPROCESS.mean[c]) / IMAGENET_PREPROCESS.std[c], 5),
    );
  });

  it("applies EXIF orientation before resizing and cropping", async () => {
    // Stored 80 wide x 40 high, left half red, right half green, orientation 6 (rotate 90° clockwise):
    // seen upright it is 40 wide x 80 high, red on top, green below.
    const stored = await sharp({ create: { width: 80, height: 40, channels: 3, background: "#00ff00" } })
      .composite([{ input: await solid(40, 40, [255, 0, 0]), left: 0, top: 0 }])
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const cfg: PreprocessConfig = {
      ...IMAGENET_PREPROCESS,
      resize: { width: 40, height: 80 },
      crop: null,
      resample: "nearest",
      mean: [0, 0, 0],
      std: [1, 1, 1],
    };
    const data = await preprocessImage(stored, cfg);
    const plane = 40 * 80;
    const at = (c: number, x: number, y: number) => data[c * plane + y * 40 + x];
    expect(at(0, 20, 10)).toBeGreaterThan(0.9); // top: red
    expect(at(1, 20, 10)).toBeLessThan(0.1);
    expect(at(0, 20, 70)).toBeLessThan(0.1); // bottom: green
    expect(at(1, 20, 70)).toBeGreaterThan(0.9);
  });

  it("gives each of many images failing at once its own reason", async () => {
    const good = await solid(64, 64, [0, 128, 0]);
    const jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: "#a53" } })
      .jpeg()
      .toBuffer();
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 3));
    const inputs = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0 ? truncated : i % 3 === 1 ? Buffer.from(`text ${i}`) : good,
    );
    const batch = await preprocessBatch(inputs, IMAGENET_PREPROCESS);
    expect(batch.ok).toEqual(inputs.map((_, i) => i).filter((i) => i % 3 === 2));
    for (const f of batch.failed) {
      // libvips's one error log would otherwise hand one image's message to another
      expect(f.error).toMatch(f.index % 3 === 0 ? /premature end|truncated|corrupt/i : /unsupported image format/i);
      expect(f.error).not.toMatch(f.index % 3 === 0 ? /unsupported image format/i : /premature end|truncated|corrupt/i);
    }
  });

  it("batches N images into one buffer and reports unreadable ones instead of failing the batch", async () => {
    const red = await solid(50, 40, [255, 0, 0]);
    const blue = await solid(40, 50, [0, 0, 255]);
    const batch = await preprocessBatch(
      [red, "/nonexistent/photo.jpg", Buffer.from("not an image"), blue],
      IMAGENET_PREPROCESS,
    );
    expect(batch.ok).toEqual([0, 3]);
    expect(batch.failed.map((f) => f.index)).toEqual([1, 2]);
    expect(batch.failed[0].error).toMatch(/missing|not found/i);
    expect(batch.failed[1].error).toMatch(/unsupported image format/i);
    const size = 3 * 224 * 224;
    expect(batch.data.length).toBe(2 * size);
    expect(batch.data[0]).toBeGreaterThan(2); // red channel of the red image
    expect(batch.data[size + 2 * 224 * 224]).toBeGreaterThan(2); // blue channel of the blue image
  });
});

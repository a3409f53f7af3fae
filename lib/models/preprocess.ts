import fs from "node:fs/promises";
import sharp, { type KernelEnum } from "sharp";
import { decodeWithOwnError } from "@/lib/images/decode-alone";
import { outputSize, type PreprocessConfig, type Resample } from "./preprocess-config";

// Image bytes -> the float tensor a model expects, exactly as its preprocessing config says:
// EXIF orientation applied, resize (shorter side or exact size), centre crop, RGB, rescale,
// mean/std normalisation, NCHW float32. Follows Hugging Face's image processors: the resized
// longer side is floored, and the crop's offset is floored.

/** A file path or the image's bytes. */
export type ImageInput = string | Buffer;

// libvips kernels that match PIL's filters (both widen the kernel when shrinking, i.e. antialias).
const SHARP_KERNEL: Record<Resample, keyof KernelEnum> = {
  nearest: "nearest",
  bilinear: "linear",
  bicubic: "cubic",
  lanczos: "lanczos3",
};

/** Where the resized image ends up, before cropping. */
export function resizedSize(width: number, height: number, cfg: PreprocessConfig): { width: number; height: number } {
  if (!cfg.resize) return { width, height };
  if ("width" in cfg.resize) return { width: cfg.resize.width, height: cfg.resize.height };
  const edge = cfg.resize.shortestEdge;
  return width <= height
    ? { width: edge, height: Math.floor((edge * height) / width) }
    : { width: Math.floor((edge * width) / height), height: edge };
}

/** RGB pixels (HWC, uint8) of the resized and cropped image. */
export async function preprocessedPixels(
  image: ImageInput,
  cfg: PreprocessConfig,
): Promise<{ pixels: Buffer; width: number; height: number }> {
  // A path is read here, once: Node names a missing file plainly, and sharp decodes from memory. A
  // failed decode is tried again alone, so its error is its own (lib/images/decode-alone.ts).
  const input = typeof image === "string" ? await fs.readFile(image) : image;
  return decodeWithOwnError(() => decodePixels(input, cfg));
}

async function decodePixels(
  input: Buffer,
  cfg: PreprocessConfig,
): Promise<{ pixels: Buffer; width: number; height: number }> {
  const meta = await sharp(input).metadata();
  const oriented = meta.autoOrient ?? { width: meta.width, height: meta.height };
  if (!oriented.width || !oriented.height) throw new Error("image has no size");
  const resized = resizedSize(oriented.width, oriented.height, cfg);
  const out = outputSize(cfg);
  let pipeline = sharp(input).autoOrient();
  if (cfg.resize) {
    pipeline = pipeline.resize(resized.width, resized.height, {
      fit: "fill",
      kernel: SHARP_KERNEL[cfg.resample],
      fastShrinkOnLoad: false,
    });
  }
  if (cfg.crop) {
    if (cfg.crop.width > resized.width || cfg.crop.height > resized.height) {
      throw new Error(
        `image resized to ${resized.width}x${resized.height} is smaller than the crop ${cfg.crop.width}x${cfg.crop.height}`,
      );
    }
    const left = Math.floor((resized.width - cfg.crop.width) / 2);
    const top = Math.floor((resized.height - cfg.crop.height) / 2);
    pipeline = pipeline.extract({ left, top, width: cfg.crop.width, height: cfg.crop.height });
  }
  // toColourspace("srgb") turns greyscale and CMYK into 3 channels and 16-bit into 8-bit.
  const { data, info } = await pipeline.removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  if (
    info.channels !== 3 ||
    info.width !== out.width ||
    info.height !== out.height ||
    data.length !== out.width * out.height * 3
  ) {
    throw new Error(`unexpected decoded image ${info.width}x${info.height}x${info.channels}`);
  }
  return { pixels: data, width: info.width, height: info.height };
}

/** Per channel, the normalised float for each of the 256 byte values. */
export function channelTables(cfg: PreprocessConfig): Float32Array[] {
  return [0, 1, 2].map((c) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = (v * cfg.rescaleFactor - cfg.mean[c]) / cfg.std[c];
    return t;
  });
}

/** Writes HWC RGB bytes into `out` as CHW floats starting at `offset`. */
export function writeChw(
  pixels: Uint8Array,
  width: number,
  height: number,
  tables: Float32Array[],
  out: Float32Array,
  offset: number,
): void {
  const plane = width * height;
  const [r, g, b] = tables;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[offset + i] = r[pixels[p]];
    out[offset + plane + i] = g[pixels[p + 1]];
    out[offset + 2 * plane + i] = b[pixels[p + 2]];
  }
}

/** One image as a [1, 3, H, W] float tensor's data. */
export async function preprocessImage(input: ImageInput, cfg: PreprocessConfig): Promise<Float32Array> {
  const { pixels, width, height } = await preprocessedPixels(input, cfg);
  const out = new Float32Array(3 * width * height);
  writeChw(pixels, width, height, channelTables(cfg), out, 0);
  return out;
}

export interface PreprocessedBatch {
  /** [ok.length, 3, H, W] float32, the readable images in input order. */
  data: Float32Array;
  /** Indices (into the inputs) of the images in `data`. */
  ok: number[];
  /** Unreadable images: index and reason. */
  failed: { index: number; error: string }[];
  width: number;
  height: number;
}

/** N images into one NCHW buffer; an unreadable image is reported, not thrown, so a batch survives it. */
export async function preprocessBatch(inputs: ImageInput[], cfg: PreprocessConfig): Promise<PreprocessedBatch> {
  const { width, height } = outputSize(cfg);
  const results = await Promise.allSettled(inputs.map((input) => preprocessedPixels(input, cfg)));
  const ok: number[] = [];
  const failed: { index: number; error: string }[] = [];
  results.forEach((r, index) =>
    r.status === "fulfilled" ? ok.push(index) : failed.push({ index, error: describeError(r.reason) }),
  );
  const size = 3 * width * height;
  const data = new Float32Array(ok.length * size);
  const tables = channelTables(cfg);
  ok.forEach((index, row) => {
    const r = results[index] as PromiseFulfilledResult<{ pixels: Buffer }>;
    writeChw(r.value.pixels, width, height, tables, data, row * size);
  });
  return { data, ok, failed, width, height };
}

function describeError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return (e as { code?: string }).code === "ENOENT" ? `file not found: ${(e as { path?: string }).path ?? msg}` : msg;
}

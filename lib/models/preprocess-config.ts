// How a model wants its images: read from a Hugging Face `preprocessor_config.json` (CLIPImageProcessor,
// SiglipImageProcessor, the older CLIPFeatureExtractor), with every bad field named.

export type Resample = "nearest" | "bilinear" | "bicubic" | "lanczos";

export interface PreprocessConfig {
  /** Shorter side to this length (aspect kept), or exact width x height, or no resize. */
  resize: { shortestEdge: number } | { width: number; height: number } | null;
  resample: Resample;
  /** Centre crop after resizing, or none. */
  crop: { width: number; height: number } | null;
  /** Pixel values 0..255 are multiplied by this before normalising (1/255 in every CLIP config). */
  rescaleFactor: number;
  mean: [number, number, number];
  std: [number, number, number];
}

/** Standard ImageNet preprocessing (torchvision): shorter side 256, centre crop 224, bilinear. */
export const IMAGENET_PREPROCESS: PreprocessConfig = {
  resize: { shortestEdge: 256 },
  resample: "bilinear",
  crop: { width: 224, height: 224 },
  rescaleFactor: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

// PIL's filter codes, as `resample` stores them.
const PIL_RESAMPLE: Record<number, Resample> = { 0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic" };
const PIL_UNSUPPORTED: Record<number, string> = { 4: "box", 5: "hamming" };

export class PreprocessConfigError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`${source}: ${problems.join("; ")}`);
  }
}

/** The size that the crop or resize ends at, i.e. the model's input height and width. */
export function outputSize(cfg: PreprocessConfig): { width: number; height: number } {
  if (cfg.crop) return cfg.crop;
  if (cfg.resize && "width" in cfg.resize) return cfg.resize;
  throw new Error("preprocessing without a crop or a fixed resize has no fixed output size");
}

type Json = Record<string, unknown>;

function isPositiveInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v > 0;
}

function readSize(v: unknown, field: string, problems: string[]): PreprocessConfig["resize"] {
  if (isPositiveInt(v)) return { shortestEdge: v };
  if (v && typeof v === "object") {
    const o = v as Json;
    if ("shortest_edge" in o) {
      if (isPositiveInt(o.shortest_edge)) return { shortestEdge: o.shortest_edge };
      problems.push(`${field}.shortest_edge must be a positive integer (got ${JSON.stringify(o.shortest_edge)})`);
      return null;
    }
    if (isPositiveInt(o.width) && isPositiveInt(o.height)) return { width: o.width, height: o.height };
  }
  problems.push(
    `${field} must be a positive integer, {"shortest_edge": n} or {"height": h, "width": w} (got ${JSON.stringify(v)})`,
  );
  return null;
}

function readCrop(v: unknown, problems: string[]): { width: number; height: number } | null {
  if (isPositiveInt(v)) return { width: v, height: v };
  const o = (v ?? {}) as Json;
  if (isPositiveInt(o.width) && isPositiveInt(o.height)) return { width: o.width, height: o.height };
  problems.push(`crop_size must be a positive integer or {"height": h, "width": w} (got ${JSON.stringify(v)})`);
  return null;
}

function readTriple(v: unknown, field: string, problems: string[], positive: boolean): [number, number, number] | null {
  if (
    Array.isArray(v) &&
    v.length === 3 &&
    v.every((x) => typeof x === "number" && Number.isFinite(x) && (!positive || x > 0))
  ) {
    return v as [number, number, number];
  }
  problems.push(
    `${field} must be 3 ${positive ? "positive " : ""}numbers, one per RGB channel (got ${JSON.stringify(v)})`,
  );
  return null;
}

function readResample(v: unknown, problems: string[]): Resample {
  if (v === undefined) return "bicubic"; // CLIPImageProcessor's default
  if (typeof v === "number" && PIL_RESAMPLE[v]) return PIL_RESAMPLE[v];
  if (typeof v === "number" && PIL_UNSUPPORTED[v]) {
    problems.push(
      `resample ${v} (${PIL_UNSUPPORTED[v]}) is not supported; use 0 nearest, 1 lanczos, 2 bilinear or 3 bicubic`,
    );
  } else {
    problems.push(
      `resample must be a PIL filter code: 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic (got ${JSON.stringify(v)})`,
    );
  }
  return "bicubic";
}

/** Parses a preprocessor_config.json object; throws PreprocessConfigError listing every bad field. */
export function parsePreprocessorConfig(json: unknown, source = "preprocessor_config.json"): PreprocessConfig {
  if (!json || typeof json !== "object" || Array.isArray(json))
    throw new PreprocessConfigError(["must be a JSON object"], source);
  const c = json as Json;
  const problems: string[] = [];
  if (c.do_convert_rgb === false) problems.push("do_convert_rgb false is not supported: images are always read as RGB");

  const resize =
    c.do_resize === false
      ? null
      : c.size === undefined
        ? (problems.push("size is missing (needed when do_resize is not false)"), null)
        : readSize(c.size, "size", problems);
  const crop =
    c.do_center_crop === false
      ? null
      : c.crop_size === undefined
        ? c.do_center_crop === true
          ? (problems.push("crop_size is missing but do_center_crop is true"), null)
          : null
        : readCrop(c.crop_size, problems);
  const resample = readResample(c.resample, problems);

  let rescaleFactor = 1;
  if (c.do_rescale !== false) {
    rescaleFactor = c.rescale_factor === undefined ? 1 / 255 : (c.rescale_factor as number);
    if (typeof rescaleFactor !== "number" || !(rescaleFactor > 0))
      problems.push(`rescale_factor must be a positive number (got ${JSON.stringify(c.rescale_factor)})`);
  }
  let mean: [number, number, number] | null = [0, 0, 0];
  let std: [number, number, number] | null = [1, 1, 1];
  if (c.do_normalize !== false) {
    mean = readTriple(c.image_mean, "image_mean", problems, false);
    std = readTriple(c.image_std, "image_std", problems, true);
  }

  if (
    resize &&
    crop &&
    "shortestEdge" in resize &&
    (crop.width > resize.shortestEdge || crop.height > resize.shortestEdge)
  ) {
    problems.push(
      `crop_size ${crop.width}x${crop.height} is larger than the resized shorter side ${resize.shortestEdge}`,
    );
  }
  if (!crop && !(resize && "width" in resize)) {
    problems.push(
      'the output size is not fixed: give crop_size with do_center_crop, or size as {"height": h, "width": w}',
    );
  }
  if (problems.length) throw new PreprocessConfigError(problems, source);
  return { resize, resample, crop, rescaleFactor, mean: mean!, std: std! };
}

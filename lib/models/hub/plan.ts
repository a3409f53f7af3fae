import { TOKENIZER_FILES } from "../folder";
import { EXPORT_SCRIPT_HINT, HubFetchError } from "./errors";

// Which of a hub repository's files an encoder needs, and where each goes in the model folder
// (lib/models/folder.ts's layout), decided from the file listing alone, before anything is downloaded.

export const VARIANTS = ["fp32", "quantized", "fp16"] as const;
export type Variant = (typeof VARIANTS)[number];

/** The suffix Hugging Face ONNX exports (Optimum, transformers.js) give each variant's files. */
const SUFFIX: Record<Variant, string> = { fp32: "", quantized: "_quantized", fp16: "_fp16" };

/** A file as the hub lists it: its size, and the hashes it publishes (git blob sha1; LFS sha256). */
export type HubFile = { path: string; size: number; gitOid?: string; sha256?: string };

export type PlannedFile = HubFile & { target: string };

export type FetchPlan = { kind: "clip" | "image"; files: PlannedFile[] };

const OPTIONAL_FILES = ["config.json"];

/** ONNX files larger than 2 GB keep their weights beside them (`<file>_data` or `<file>.data`). */
function withExternalData(byPath: Map<string, HubFile>, file: HubFile, target: string): PlannedFile[] {
  const out: PlannedFile[] = [{ ...file, target }];
  for (const data of [`${file.path}_data`, `${file.path}.data`]) {
    const f = byPath.get(data);
    // the .onnx names its data file, so the data keeps its own name beside the renamed model
    if (f) out.push({ ...f, target: `${target.slice(0, target.lastIndexOf("/") + 1)}${data.split("/").pop()}` });
  }
  return out;
}

function variantsPresent(paths: string[], tower: string): Variant[] {
  return VARIANTS.filter((v) => paths.includes(`onnx/${tower}${SUFFIX[v]}.onnx`));
}

export function planFetch(repo: string, revision: string, listing: HubFile[], variant: Variant): FetchPlan {
  const byPath = new Map(listing.map((f) => [f.path, f]));
  const paths = [...byPath.keys()];
  const onnx = paths.filter((p) => p.endsWith(".onnx")).sort();
  const where = `${repo} at ${revision}`;
  if (onnx.length === 0)
    throw new HubFetchError(
      "no-onnx",
      `${where} has no ONNX export: no .onnx file. A CLIP-family model needs onnx/text_model.onnx and onnx/vision_model.onnx (a Hugging Face ONNX export); an image-only model needs one .onnx file. ${EXPORT_SCRIPT_HINT}`,
    );
  const s = SUFFIX[variant];
  const textPath = `onnx/text_model${s}.onnx`;
  const visionPath = `onnx/vision_model${s}.onnx`;
  const isClip = onnx.some((p) => /(^|\/)(text|vision)_model(_[a-z0-9]+)?\.onnx$/.test(p));
  if (isClip) {
    const missing: string[] = [];
    const text = byPath.get(textPath);
    const vision = byPath.get(visionPath);
    if (!text) missing.push(`the text tower ${textPath}`);
    if (!vision) missing.push(`the vision tower ${visionPath}`);
    const tokenizer = TOKENIZER_FILES.map((f) => byPath.get(f)).find(Boolean);
    if (!tokenizer) missing.push(`a tokenizer (${TOKENIZER_FILES.join(" or ")})`);
    const preprocessor = byPath.get("preprocessor_config.json");
    if (!preprocessor) missing.push("preprocessor_config.json");
    if (missing.length) {
      const have = [...new Set([...variantsPresent(paths, "text_model"), ...variantsPresent(paths, "vision_model")])];
      const otherVariants = have.filter((v) => v !== variant);
      const variantHint =
        (!text || !vision) && otherVariants.length
          ? ` It has the ${otherVariants.join(", ")} variant${otherVariants.length > 1 ? "s" : ""}: try --variant ${otherVariants[0]}.`
          : "";
      throw new HubFetchError(
        text && vision ? "missing-files" : "no-onnx",
        `${where} is not a complete CLIP-family ONNX export (${variant}): missing ${missing.join(", ")}.${variantHint} ${EXPORT_SCRIPT_HINT}`,
      );
    }
    const files: PlannedFile[] = [
      ...withExternalData(byPath, vision!, "onnx/vision_model.onnx"),
      ...withExternalData(byPath, text!, "onnx/text_model.onnx"),
      { ...tokenizer!, target: tokenizer!.path },
      { ...preprocessor!, target: preprocessor!.path },
      ...OPTIONAL_FILES.flatMap((f) => (byPath.has(f) ? [{ ...byPath.get(f)!, target: f }] : [])),
    ];
    return { kind: "clip", files };
  }
  // An image-only model: its one .onnx file of the chosen variant (model.onnx, model_quantized.onnx, ...).
  const candidates =
    variant === "fp32"
      ? onnx.filter((p) => !/_(quantized|fp16|int8|uint8|q4|q4f16|bnb4)\.onnx$/.test(p))
      : onnx.filter((p) => p.endsWith(`${s}.onnx`));
  if (candidates.length !== 1)
    throw new HubFetchError(
      candidates.length ? "missing-files" : "no-onnx",
      candidates.length
        ? `${where} has several ${variant} .onnx files (${candidates.join(", ")}) and no CLIP text/vision pair: download the one you want and use \`fieldmark models add\` with a fieldmark.json naming it.`
        : `${where} has no ${variant} ONNX file (it has ${onnx.join(", ")}): try another --variant. ${EXPORT_SCRIPT_HINT}`,
    );
  const model = byPath.get(candidates[0])!;
  const files: PlannedFile[] = [
    ...withExternalData(byPath, model, model.path.split("/").pop()!),
    ...["preprocessor_config.json", ...OPTIONAL_FILES].flatMap((f) =>
      byPath.has(f) ? [{ ...byPath.get(f)!, target: f }] : [],
    ),
  ];
  return { kind: "image", files };
}

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { FOLDER_CONFIG_FILE, readModelFolder } from "@/lib/models/folder";

// What a rerank set records of its model, so a score in an exported file can be traced to the exact
// weights: the name, a checksum over the folder's files that make the embeddings (towers, tokenizer,
// preprocessing), and the Hugging Face revision when the model's config records one.

export class RerankInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "RerankInputError";
  }
}

const PREPROCESS_FILES = ["preprocessor_config.json", FOLDER_CONFIG_FILE];

/** A file's sha256, streamed: a model of hundreds of MB never holds the event loop (pins run in requests). */
function sha256Stream(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash("sha256");
    fs.createReadStream(file, { highWaterMark: 1 << 20 })
      .on("error", reject)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/**
 * "sha256:<hex>": the sha256 of a SHA256SUMS-style listing (`<sha256>  <path in folder>` per file,
 * sorted by path) of the files the model's embeddings depend on.
 */
export async function modelChecksum(folder: string): Promise<string> {
  let model;
  try {
    model = readModelFolder(folder);
  } catch (e) {
    throw new RerankInputError(`the model's files cannot be read: ${(e as Error).message}`, "model");
  }
  const files = new Set<string>([model.vision.modelPath]);
  if (model.text) {
    files.add(model.text.modelPath);
    files.add(model.text.tokenizerPath);
  }
  for (const name of PREPROCESS_FILES) {
    const file = path.join(model.dir, name);
    if (fs.existsSync(file)) files.add(file);
  }
  const lines = (
    await Promise.all(
      [...files].map(
        async (file) => `${await sha256Stream(file)}  ${path.relative(model.dir, file).split(path.sep).join("/")}`,
      ),
    )
  ).sort((a, b) => (a.slice(66) < b.slice(66) ? -1 : a.slice(66) > b.slice(66) ? 1 : 0));
  return `sha256:${crypto
    .createHash("sha256")
    .update(lines.map((l) => `${l}\n`).join(""))
    .digest("hex")}`;
}

/** The hub revision the model's config records (`revision`, or `hub.revision`), if any. */
export function modelRevision(config: unknown): string | null {
  if (!config || typeof config !== "object") return null;
  const c = config as { revision?: unknown; hub?: { revision?: unknown } };
  const revision = c.revision ?? c.hub?.revision;
  return typeof revision === "string" && revision.trim() ? revision.trim() : null;
}

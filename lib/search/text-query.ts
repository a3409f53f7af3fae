import type { ModelRow } from "./lookup";

// Text-to-image search needs the model's text tower; lib/models owns loading it. Imported lazily so
// vector search (and its tests) never load onnxruntime unless a text query is made.

/** The unit-length text embedding of `text` from the model's text tower. */
export async function embedQueryText(model: ModelRow, text: string): Promise<Float32Array> {
  const { loadEncoder, embedTexts, closeEncoder } = await import("../models/encoder");
  const encoder = await loadEncoder(model.folder, { batchSize: 1 });
  try {
    if (!encoder.text) throw new Error(`model "${model.name}" is image-only: search it with --image, or use a CLIP-family model for --text`);
    const [vector] = await embedTexts(encoder, [text]);
    return vector;
  } finally {
    await closeEncoder(encoder);
  }
}

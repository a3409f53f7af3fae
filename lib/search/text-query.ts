import { embedTexts } from "../models/encoder";
import { encoderFor } from "../models/encoder-cache";
import type { ModelRef } from "./lookup";

// Text-to-image search needs the model's text tower; lib/models owns loading it, and keeps it open
// so the next query from the app or the worker does not pay for opening the model again.

/** The unit-length text embedding of `text` from the model's text tower. */
export async function embedQueryText(model: ModelRef, text: string): Promise<Float32Array> {
  const encoder = await encoderFor(model);
  if (!encoder.text)
    throw new Error(
      `model "${model.name}" is image-only: search it with --image, or use a CLIP-family model for --text`,
    );
  const [vector] = await embedTexts(encoder, [text]);
  return vector;
}

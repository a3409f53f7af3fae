import ort from "onnxruntime-node";
import type { ModelFolder } from "./folder";
import { closeModel, openModel, textFeeds, type OpenedModel, type SessionSettings } from "./open-model";
import { preprocessBatch, type ImageInput, type PreprocessedBatch } from "./preprocess";
import { loadClipTokenizer, type ClipTokenizer } from "./tokenizer";

// The inference core the embedding jobs call: batched image and text embeddings (L2-normalised)
// and, for classifiers, class scores (to prove the preprocessing on real labels).

export interface EncoderOptions extends SessionSettings {
  /** Images or texts per onnxruntime run (default 32). */
  batchSize?: number;
}

export interface Encoder extends OpenedModel {
  batchSize: number;
  /** Loaded on first text use. */
  tokenizer: ClipTokenizer | null;
}

export type ImageEmbeddingResult = { vector: Float32Array } | { error: string };

export interface TokenizedText {
  /** Exactly the tower's context length (77 for CLIP). */
  inputIds: ArrayLike<number>;
  attentionMask?: ArrayLike<number>;
}

export async function loadEncoder(dirOrFolder: string | ModelFolder, options: EncoderOptions = {}): Promise<Encoder> {
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  const model = await openModel(dirOrFolder, options);
  return { ...model, batchSize, tokenizer: null };
}

export async function closeEncoder(encoder: Encoder): Promise<void> {
  await closeModel(encoder);
}

/** Scales each row to unit length in place (a zero row stays zero). */
export function l2NormalizeRows(data: Float32Array, dim: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let off = 0; off < data.length; off += dim) {
    const row = data.slice(off, off + dim);
    let sum = 0;
    for (let i = 0; i < dim; i++) sum += row[i] * row[i];
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let i = 0; i < dim; i++) row[i] *= scale;
    rows.push(row);
  }
  return rows;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs the vision tower over `inputs` batch by batch, fetching `outputs`. The next batch is decoded
 * (sharp, off the main thread) while the current one runs, so decoding hides behind inference.
 */
async function runImageBatches(
  encoder: Encoder,
  inputs: ImageInput[],
  outputs: string[],
  onBatch: (batch: PreprocessedBatch, offset: number, results: ort.InferenceSession.OnnxValueMapType | null) => void,
): Promise<void> {
  const v = encoder.vision;
  const batches = chunks(inputs, encoder.batchSize);
  let next = batches.length ? preprocessBatch(batches[0], v.preprocess) : null;
  for (let b = 0; b < batches.length; b++) {
    const batch = await next!;
    next = b + 1 < batches.length ? preprocessBatch(batches[b + 1], v.preprocess) : null;
    let results: ort.InferenceSession.OnnxValueMapType | null = null;
    if (batch.ok.length) {
      const pixels = new ort.Tensor("float32", batch.data, [batch.ok.length, 3, batch.height, batch.width]);
      results = await v.session.run({ [v.input]: pixels }, outputs);
    }
    onBatch(batch, b * encoder.batchSize, results);
  }
}

/** One result per input, in order: a unit-length embedding, or why the image could not be read. */
export async function embedImagesSettled(encoder: Encoder, inputs: ImageInput[]): Promise<ImageEmbeddingResult[]> {
  const v = encoder.vision;
  const out = new Array<ImageEmbeddingResult>(inputs.length);
  await runImageBatches(encoder, inputs, [v.embeddingOutput], (batch, offset, results) => {
    for (const f of batch.failed) out[offset + f.index] = { error: f.error };
    if (!results) return;
    const rows = l2NormalizeRows((results[v.embeddingOutput] as ort.Tensor).data as Float32Array, encoder.dim);
    batch.ok.forEach((index, row) => (out[offset + index] = { vector: rows[row] }));
  });
  return out;
}

/** Unit-length embeddings, in input order; throws on the first unreadable image, naming it. */
export async function embedImages(encoder: Encoder, inputs: ImageInput[]): Promise<Float32Array[]> {
  const results = await embedImagesSettled(encoder, inputs);
  return results.map((r, i) => {
    if ("error" in r)
      throw new Error(`image ${typeof inputs[i] === "string" ? inputs[i] : `#${i}`} is unreadable: ${r.error}`);
    return r.vector;
  });
}

/** Softmax probabilities over a classifier's outputs, one array per image. */
export async function classifyImages(encoder: Encoder, inputs: ImageInput[]): Promise<Float32Array[]> {
  const logitsName = encoder.vision.logitsOutput;
  if (!logitsName) throw new Error(`${encoder.folder.dir} has no class-logits output to classify with`);
  const out = new Array<Float32Array>(inputs.length);
  await runImageBatches(encoder, inputs, [logitsName], (batch, offset, results) => {
    if (batch.failed.length)
      throw new Error(`image #${offset + batch.failed[0].index} is unreadable: ${batch.failed[0].error}`);
    const logits = results![logitsName] as ort.Tensor;
    const classes = logits.dims[1];
    const data = logits.data as Float32Array;
    batch.ok.forEach(
      (index, row) => (out[offset + index] = softmax(data.subarray(row * classes, (row + 1) * classes))),
    );
  });
  return out;
}

export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < logits.length; i++) out[i] /= sum;
  return out;
}

/** The k best classes, best first. */
export function topK(scores: Float32Array, k: number): { index: number; score: number }[] {
  return Array.from(scores, (score, index) => ({ index, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

/** Unit-length text embeddings from already tokenized texts. */
export async function embedTokenIds(encoder: Encoder, texts: TokenizedText[]): Promise<Float32Array[]> {
  const t = encoder.text;
  if (!t) throw new Error(`${encoder.folder.dir} is an image-only model: it has no text tower`);
  const out: Float32Array[] = [];
  for (const batch of chunks(texts, encoder.batchSize)) {
    const results = await t.session.run(textFeeds(t, batch), [t.output]);
    out.push(...l2NormalizeRows((results[t.output] as ort.Tensor).data as Float32Array, t.dim));
  }
  return out;
}

/** Tokenizes with the folder's CLIP tokenizer (truncated to the context length) and embeds. */
export async function embedTexts(encoder: Encoder, texts: string[]): Promise<Float32Array[]> {
  const t = encoder.text;
  if (!t) throw new Error(`${encoder.folder.dir} is an image-only model: it has no text tower`);
  encoder.tokenizer ??= loadClipTokenizer(t.tokenizerPath);
  const tokenizer = encoder.tokenizer;
  return embedTokenIds(
    encoder,
    texts.map((s) => tokenizer.encodeForModel(s, t.contextLength)),
  );
}

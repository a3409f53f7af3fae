import { closeEncoder, loadEncoder, type Encoder } from "./encoder";

// A process keeps its encoders open: opening an ONNX session costs seconds, and the worker embeds
// chunk after chunk while the app embeds one query text after another.

const globalForEncoders = globalThis as unknown as { fieldmarkEncoders?: Map<string, Promise<Encoder>> };

function cache(): Map<string, Promise<Encoder>> {
  return (globalForEncoders.fieldmarkEncoders ??= new Map());
}

/** The open encoder for a registered model's folder, opened on first use. */
export function encoderFor(model: { folder: string }): Promise<Encoder> {
  const threads = Number(process.env.FIELDMARK_ONNX_THREADS ?? 2);
  const precision = process.env.FIELDMARK_ONNX_PRECISION === "int8" ? "int8" : "fp32";
  const key = `${model.folder}|${threads}|${precision}`;
  let e = cache().get(key);
  if (!e) {
    e = loadEncoder(model.folder, { threads, precision, batchSize: 32 });
    e.catch(() => cache().delete(key));
    cache().set(key, e);
  }
  return e;
}

export async function closeEncoders(): Promise<void> {
  const all = [...cache().values()];
  cache().clear();
  for (const e of all) await e.then(closeEncoder).catch(() => {});
}

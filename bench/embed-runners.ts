import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import readline from "node:readline";
import ort from "onnxruntime-node";

// Timing helpers for bench/embed: onnxruntime-node in this process, PyTorch 1.13 (Debian's
// python3-torch) in child processes, each configuration timed over several batches. These machines
// are shared, so the best batch (least disturbed) is what is compared, with the median beside it.

export const TORCH_PYTHON = "/usr/bin/python3";
export const TORCH_SCRIPT = new URL("../scripts/models/torch_reference.py", import.meta.url).pathname;
const OPENMP_BLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp";
const PTHREAD_BLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread";

export interface Timing {
  best: number;
  median: number;
}

export function summarise(runs: number[]): Timing {
  const sorted = [...runs].sort((a, b) => a - b);
  return { best: sorted[sorted.length - 1], median: sorted[Math.floor(sorted.length / 2)] };
}

/** The same fixed inputs the PyTorch script builds (see fixed_pixels / fixed_tokens there). */
export function fixedPixels(n: number, size = 224): Float32Array {
  const out = new Float32Array(n * 3 * size * size);
  for (let i = 0; i < out.length; i++) out[i] = Math.sin(i * 0.001) * 2;
  return out;
}

export function fixedTokens(n: number, context = 77): { inputIds: number[]; attentionMask: number[] }[] {
  return Array.from({ length: n }, (_, i) => {
    const inputIds = new Array<number>(context).fill(0);
    const attentionMask = new Array<number>(context).fill(0);
    const length = Math.min(10 + i, context - 2);
    inputIds[0] = 49406;
    for (let k = 0; k < length; k++) inputIds[k + 1] = ((k * 37) % 49000) + 300 + i;
    inputIds[length + 1] = 49407;
    for (let k = 0; k < length + 2; k++) attentionMask[k] = 1;
    return { inputIds, attentionMask };
  });
}

/** Items per second of each of `runs` timed calls (after one warm-up). */
export async function timeRuns(batch: number, runs: number, call: () => Promise<unknown>): Promise<number[]> {
  await call();
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    await call();
    out.push(batch / ((performance.now() - t) / 1000));
  }
  return out;
}

export function ortRun(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  output: string,
): () => Promise<Float32Array> {
  return async () => ((await session.run(feeds, [output]))[output] as ort.Tensor).data as Float32Array;
}

export function torchAvailable(): string | null {
  try {
    return execFileSync(TORCH_PYTHON, ["-c", "import torch, onnx, torchvision; print(torch.__version__)"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return null;
  }
}

export interface TorchConfig {
  label: string;
  env: Record<string, string>;
  args: string[];
}

/** PyTorch's threading set-ups: as shipped, and the fixes STACK.md lists, plus its frozen-graph path. */
export function torchConfigs(): TorchConfig[] {
  const configs: TorchConfig[] = [{ label: "PyTorch as shipped", env: {}, args: [] }];
  if (fs.existsSync(PTHREAD_BLAS)) {
    configs.push({
      label: "PyTorch 2 threads, OMP passive",
      env: { OMP_WAIT_POLICY: "PASSIVE", LD_LIBRARY_PATH: PTHREAD_BLAS },
      args: ["--threads", "2"],
    });
  }
  if (fs.existsSync(OPENMP_BLAS)) {
    const env = { OMP_WAIT_POLICY: "PASSIVE", LD_LIBRARY_PATH: OPENMP_BLAS };
    configs.push({ label: "PyTorch 2 threads, OpenMP BLAS", env, args: ["--threads", "2"] });
    configs.push({ label: "PyTorch 2 threads, OpenMP BLAS, jit frozen", env, args: ["--threads", "2", "--jit"] });
  }
  return configs;
}

export interface TorchProcess {
  info: { threads: number; torch: string };
  /** Items/s of each of `runs` timed batches. */
  time(runs: number): Promise<number[]>;
  close(): void;
}

/** Starts the PyTorch reference in serve mode: loaded and warmed up once, timed on request. */
export async function startTorch(config: TorchConfig, args: string[]): Promise<TorchProcess> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    ...config.env,
  };
  const child = spawn(TORCH_PYTHON, [TORCH_SCRIPT, ...args, ...config.args, "--serve"], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done)
      throw new Error(`PyTorch reference (${config.label}) exited: ${stderr.trim().split("\n").slice(-3).join(" | ")}`);
    return JSON.parse(r.value);
  };
  const info = await next();
  return {
    info,
    async time(runs: number) {
      child.stdin.write(`time ${runs}\n`);
      return (await next()).runs;
    },
    close() {
      child.stdin.end("quit\n");
    },
  };
}

export function readFloat32File(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Mean cosine and largest absolute difference between two row-major [n, dim] outputs. */
export function compareOutputs(a: Float32Array, b: Float32Array, dim: number): { cosine: number; maxAbsDiff: number } {
  let cos = 0;
  let maxAbsDiff = 0;
  const n = a.length / dim;
  for (let r = 0; r < n; r++) {
    let ab = 0,
      aa = 0,
      bb = 0;
    for (let d = 0; d < dim; d++) {
      const x = a[r * dim + d],
        y = b[r * dim + d];
      ab += x * y;
      aa += x * x;
      bb += y * y;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x - y));
    }
    cos += ab / Math.sqrt(aa * bb);
  }
  return { cosine: cos / n, maxAbsDiff };
}

export function meanCosine(a: Float32Array[], b: Float32Array[]): number {
  return a.reduce((s, v, i) => s + v.reduce((t, x, d) => t + x * b[i][d], 0), 0) / a.length;
}

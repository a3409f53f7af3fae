// Embedding throughput: onnxruntime-node (Fieldmark's encoder) against PyTorch 1.13 on the same
// architectures, in the same run, batch 32, 2 threads: MobileNetV2 (the shared int8 model and its
// fp32 twin with the same weights; PyTorch runs torchvision's MobileNetV2) and ViT-B/32-shaped CLIP
// towers (random weights, built here on demand; PyTorch runs the same graphs with the same weights,
// checked for parity). Also reports int8 vs fp32 cosine on real photos and end-to-end images/s from
// JPEG files (decode + preprocess + inference).
// Usage: npx tsx bench/embed.ts [--rounds 3] [--runs 2] [--photos 256] [--only mobilenet|vit] [--no-torch]
import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import ort from "onnxruntime-node";
import { closeEncoder, embedImages, embedTexts, embedTokenIds, loadEncoder, type Encoder } from "@/lib/models/encoder";
import { readOnnxModel, writeOnnxModel } from "@/lib/models/onnx-file";
import { textFeeds } from "@/lib/models/open-model";
import { writeClipTestFolder } from "@/scripts/models/clip-test-folder";
import { dequantizeQOperatorModel } from "@/scripts/models/dequantize-qoperator";
import {
  compareOutputs,
  fixedPixels,
  fixedTokens,
  meanCosine,
  ortRun,
  readFloat32File,
  startTorch,
  summarise,
  timeRuns,
  torchAvailable,
  torchConfigs,
  type Timing,
} from "./embed-runners";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg("runs") ?? 2);
const ROUNDS = Number(arg("rounds") ?? 3);
const PHOTOS = Number(arg("photos") ?? 256);
const ONLY = arg("only");
const BATCH = 32;
const THREADS = 2;
const SHARED = path.resolve(import.meta.dirname, "../../shared");
const OUT = path.resolve(import.meta.dirname, "out/embed");
const CACHE = path.join(OUT, "cache");
const torchVersion = process.argv.includes("--no-torch") ? null : torchAvailable();

interface Row {
  model: string;
  runtime: string;
  timing: Timing;
  torch?: boolean;
}
const rows: Row[] = [];
const notes: string[] = [];

/** One runtime configuration under test: times `runs` batches when asked. */
interface Contender {
  label: string;
  torchFp32?: boolean;
  time(runs: number): Promise<number[]>;
  close?(): void;
}

function lepidopteraPhotos(n: number): string[] {
  const dir = path.join(SHARED, "fixtures/lepidoptera/images");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".jpg"))
    .sort()
    .slice(0, n)
    .map((f) => path.join(dir, f));
}

async function endToEnd(encoder: Encoder, photos: string[]): Promise<number> {
  await embedImages(encoder, photos.slice(0, BATCH));
  const t = performance.now();
  await embedImages(encoder, photos);
  return photos.length / ((performance.now() - t) / 1000);
}

async function ortContender(label: string, call: () => Promise<unknown>): Promise<Contender> {
  await call(); // warm-up
  return { label, time: (runs) => timeRuns(BATCH, runs, call) };
}

/** PyTorch in each threading set-up (and its int8 for reference), loaded once; the first writes its output for parity. */
async function torchContenders(model: string, args: string[], parityFile: string): Promise<Contender[]> {
  if (!torchVersion) return [];
  const out: Contender[] = [];
  const configs = torchConfigs();
  for (const [i, config] of configs.entries()) {
    const p = await startTorch(config, [
      ...args,
      "--batch",
      String(BATCH),
      ...(i === 0 ? ["--embeddings-out", parityFile] : []),
    ]);
    out.push({
      label: `${config.label} (${p.info.threads} thr)`,
      torchFp32: true,
      time: (runs) => p.time(runs),
      close: () => p.close(),
    });
  }
  if (model !== "mobilenetv2") {
    const eager = configs.find((c) => c.label.includes("OpenMP BLAS") && !c.args.includes("--jit")) ?? configs[0];
    const p = await startTorch(eager, [...args, "--batch", String(BATCH), "--int8"]);
    out.push({
      label: `PyTorch int8 (quantize_dynamic), ${eager.label.replace(/^PyTorch /, "")}`,
      time: (runs) => p.time(runs),
      close: () => p.close(),
    });
  }
  return out;
}

/** Times every contender in turn, ROUNDS times over, so a busy spell on the machine hits all of them alike. */
async function race(model: string, contenders: Contender[]): Promise<void> {
  const samples = contenders.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of contenders.entries()) {
      samples[i].push(...(await c.time(RUNS)));
      await new Promise((r) => setTimeout(r, 300)); // let the last runtime's threads go idle
    }
  }
  contenders.forEach((c, i) =>
    rows.push({ model, runtime: c.label, timing: summarise(samples[i]), torch: c.torchFp32 }),
  );
  contenders.forEach((c) => c.close?.());
}

async function benchVit() {
  const dir = path.join(OUT, "models/vit-b32");
  if (!fs.existsSync(path.join(dir, "onnx/text_model.onnx"))) {
    console.error("building the ViT-B/32-shaped CLIP towers (random weights) ...");
    const merges = path.join(SHARED, "models/clip-tokenizer/bpe_simple_vocab_16e6.txt.gz");
    writeClipTestFolder(dir, {
      architecture: "vit-b32",
      seed: 1,
      tokenizerFile: fs.existsSync(merges) ? merges : undefined,
    });
  }
  const fp32 = await loadEncoder(dir, { threads: THREADS, batchSize: BATCH, cacheDir: CACHE });
  const int8 = await loadEncoder(dir, { threads: THREADS, batchSize: BATCH, cacheDir: CACHE, precision: "int8" });
  const pixels = { pixel_values: new ort.Tensor("float32", fixedPixels(BATCH), [BATCH, 3, 224, 224]) };
  const tokens = fixedTokens(BATCH);
  const fpImage = ortRun(fp32.vision.session, pixels, "image_embeds");
  const textRun = (e: Encoder) => async () =>
    ((await e.text!.session.run(textFeeds(e.text!, tokens)))["text_embeds"] as ort.Tensor).data as Float32Array;
  const fpText = textRun(fp32);
  for (const [tower, fpCall, int8Call, args] of [
    [
      "image",
      fpImage,
      ortRun(int8.vision.session, pixels, "image_embeds"),
      ["--model", "vision", "--onnx", fp32.folder.vision.modelPath, "--heads", "12"],
    ],
    ["text", fpText, textRun(int8), ["--model", "text", "--onnx", fp32.folder.text!.modelPath, "--heads", "8"]],
  ] as const) {
    console.error(`timing the ${tower} tower ...`);
    const parityFile = path.join(OUT, `torch-vit-b32-${tower}.f32`);
    fs.rmSync(parityFile, { force: true });
    const contenders = [
      await ortContender("onnxruntime-node fp32", fpCall),
      await ortContender("onnxruntime-node int8 (Fieldmark quantized)", int8Call),
      ...(await torchContenders(tower, [...args], parityFile)),
    ];
    await race(`CLIP ViT-B/32 ${tower} tower`, contenders);
    if (fs.existsSync(parityFile)) {
      const c = compareOutputs(await fpCall(), readFloat32File(parityFile), 512);
      notes.push(
        `ViT-B/32 ${tower} tower, onnxruntime fp32 vs PyTorch on the same input and weights: cosine ${c.cosine.toFixed(7)}, max |diff| ${c.maxAbsDiff.toExponential(2)}`,
      );
    }
  }

  const photos = lepidopteraPhotos(PHOTOS);
  if (photos.length) {
    const cos = meanCosine(await embedImages(fp32, photos), await embedImages(int8, photos));
    notes.push(
      `ViT-B/32 image tower int8 vs fp32: mean cosine ${cos.toFixed(5)} over ${photos.length} lepidoptera photos`,
    );
    notes.push(
      `ViT-B/32 image tower end to end from JPEG files (decode, preprocess, embed): fp32 ${(await endToEnd(fp32, photos)).toFixed(1)} images/s, int8 ${(await endToEnd(int8, photos)).toFixed(1)} images/s`,
    );
  }
  const queries = inquireQueries();
  const [a, b] =
    queries.length && fp32.text ? [await embedTexts(fp32, queries), await embedTexts(int8, queries)] : [[], []];
  const textCos = a.length
    ? meanCosine(a, b)
    : meanCosine(await embedTokenIds(fp32, tokens), await embedTokenIds(int8, tokens));
  notes.push(
    `ViT-B/32 text tower int8 vs fp32: mean cosine ${textCos.toFixed(5)} over ${a.length ? `${a.length} INQUIRE queries` : `${BATCH} fixed token rows`}`,
  );
  await closeEncoder(fp32);
  await closeEncoder(int8);
}

function inquireQueries(): string[] {
  const file = path.join(SHARED, "data/inquire/inquire_queries_test.csv");
  if (!fs.existsSync(file)) return [];
  const records: Record<string, string>[] = parse(fs.readFileSync(file, "utf8"), { columns: true });
  return records
    .map((r) => r.query_text)
    .filter(Boolean)
    .slice(0, 128);
}

async function benchMobilenet() {
  const int8Dir = path.join(SHARED, "models/mobilenetv2-int8");
  if (!fs.existsSync(int8Dir)) {
    notes.push("MobileNetV2 skipped: ../shared/models/mobilenetv2-int8 is not there");
    return;
  }
  const fp32Dir = path.join(OUT, "models/mobilenetv2-fp32");
  const fp32File = path.join(fp32Dir, "mobilenetv2-fp32.onnx");
  if (!fs.existsSync(fp32File))
    writeOnnxModel(dequantizeQOperatorModel(readOnnxModel(path.join(int8Dir, "mobilenetv2-12-int8.onnx"))), fp32File);
  const int8 = await loadEncoder(int8Dir, { threads: THREADS, batchSize: BATCH, cacheDir: CACHE });
  const fp32 = await loadEncoder(fp32Dir, { threads: THREADS, batchSize: BATCH, cacheDir: CACHE });
  const model = "MobileNetV2 (pooled 1280-d embedding)";
  const pixels = { input: new ort.Tensor("float32", fixedPixels(BATCH), [BATCH, 3, 224, 224]) };
  await race(model, [
    await ortContender(
      "onnxruntime-node fp32 (int8 model's weights, dequantized)",
      ortRun(fp32.vision.session, pixels, fp32.vision.embeddingOutput),
    ),
    await ortContender(
      "onnxruntime-node int8 (ONNX Model Zoo, static)",
      ortRun(int8.vision.session, pixels, int8.vision.embeddingOutput),
    ),
    ...(await torchContenders("mobilenetv2", ["--model", "mobilenetv2"], path.join(OUT, "torch-mobilenetv2.f32"))),
  ]);
  const photos = lepidopteraPhotos(PHOTOS);
  const cos = meanCosine(await embedImages(fp32, photos), await embedImages(int8, photos));
  notes.push(
    `MobileNetV2 int8 (Model Zoo's static quantization) vs its fp32 twin: mean cosine ${cos.toFixed(5)} over ${photos.length} lepidoptera photos`,
  );
  notes.push(
    `MobileNetV2 end to end from JPEG files (decode, preprocess, embed): fp32 ${(await endToEnd(fp32, photos)).toFixed(1)} images/s, int8 ${(await endToEnd(int8, photos)).toFixed(1)} images/s`,
  );
  await closeEncoder(int8);
  await closeEncoder(fp32);
}

function printTable() {
  const models = [...new Set(rows.map((r) => r.model))];
  const lines = [
    "| model | runtime | items/s (best) | items/s (median) | vs PyTorch best fp32 |",
    "| --- | --- | ---: | ---: | ---: |",
  ];
  for (const m of models) {
    const torchBest = Math.max(0, ...rows.filter((r) => r.model === m && r.torch).map((r) => r.timing.best));
    for (const r of rows.filter((x) => x.model === m)) {
      const ratio = torchBest ? `${(r.timing.best / torchBest).toFixed(2)}x` : "n/a";
      lines.push(`| ${m} | ${r.runtime} | ${r.timing.best.toFixed(1)} | ${r.timing.median.toFixed(1)} | ${ratio} |`);
    }
  }
  console.log(lines.join("\n"));
  console.log();
  for (const n of notes) console.log(`- ${n}`);
}

fs.mkdirSync(OUT, { recursive: true });
console.error(
  `batch ${BATCH}, ${THREADS} threads, ${ROUNDS} rounds x ${RUNS} timed batches per configuration; PyTorch: ${torchVersion ?? "not available (apt-get install python3-torch python3-onnx python3-torchvision)"}`,
);
if (ONLY !== "vit") await benchMobilenet();
if (ONLY !== "mobilenet") await benchVit();
printTable();

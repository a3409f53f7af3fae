import fs from "node:fs";
import path from "node:path";
import { ARCHITECTURES, writeClipTestFolder } from "./clip-test-folder";

// Builds a CLIP test model folder (random weights, deterministic seed) with the towers' real
// inputs and outputs. Usage:
//   npx tsx scripts/models/build-test-models.ts --out DIR [--arch tiny|vit-b32] [--seed N] [--tokenizer FILE]
// Without --tokenizer, the CLIP merges file beside the project (../shared/models/clip-tokenizer) is
// copied in when it exists.

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const out = arg("out");
if (!out) {
  console.error(
    `usage: build-test-models.ts --out DIR [--arch ${Object.keys(ARCHITECTURES).join("|")}] [--seed N] [--tokenizer FILE]`,
  );
  process.exit(2);
}
const sharedMerges = path.resolve(
  import.meta.dirname,
  "../../../shared/models/clip-tokenizer/bpe_simple_vocab_16e6.txt.gz",
);
const tokenizerFile = arg("tokenizer") ?? (fs.existsSync(sharedMerges) ? sharedMerges : undefined);
const started = Date.now();
writeClipTestFolder(out, {
  architecture: (arg("arch") ?? "tiny") as keyof typeof ARCHITECTURES,
  seed: Number(arg("seed") ?? 1),
  tokenizerFile,
});
console.log(
  `wrote ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s${tokenizerFile ? "" : " (no tokenizer: pass --tokenizer)"}`,
);

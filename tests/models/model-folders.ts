import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { readOnnxModel, writeOnnxModel, type ModelProto } from "@/lib/models/onnx-file";
import { writeClipTestFolder, type ClipTestFolderOptions } from "@/scripts/models/clip-test-folder";
import { clipMergesFile } from "./shared-fixtures";

// Model folders for tests, built into temp dirs from the project's own tiny CLIP towers.

export function tempDir(prefix = "fieldmark-models-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A tiny CLIP folder. The tokenizer is the shared CLIP merges file when it is there; otherwise a
 * stand-in gzip file (enough for the file checks; tests that tokenize skip without the real one).
 */
export function tinyClipFolder(dir: string, options: ClipTestFolderOptions = {}): string {
  const haveMerges = fs.existsSync(clipMergesFile);
  writeClipTestFolder(dir, { ...options, tokenizerFile: haveMerges ? clipMergesFile : undefined });
  if (!haveMerges) fs.writeFileSync(path.join(dir, "bpe_simple_vocab_16e6.txt.gz"), zlib.gzipSync("#version: 0.2\n"));
  return dir;
}

/** Renames a tensor everywhere in a model (graph inputs/outputs and node edges), e.g. to mimic OpenCLIP exports. */
export function renameTensors(model: ModelProto, renames: Record<string, string>): ModelProto {
  const r = (n: string) => renames[n] ?? n;
  const g = model.graph!;
  for (const v of [...(g.input ?? []), ...(g.output ?? [])]) v.name = r(v.name!);
  for (const n of g.node ?? []) {
    n.input = (n.input ?? []).map(r);
    n.output = (n.output ?? []).map(r);
  }
  return model;
}

export function editModelFile(file: string, edit: (m: ModelProto) => ModelProto): void {
  writeOnnxModel(edit(readOnnxModel(file)), file);
}

export function copyFolder(from: string, to: string): string {
  fs.cpSync(from, to, { recursive: true });
  return to;
}

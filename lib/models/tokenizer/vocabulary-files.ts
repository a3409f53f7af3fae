// Reading a CLIP vocabulary from either form models ship it in: OpenAI's merges file
// (bpe_simple_vocab_16e6.txt.gz, as used by CLIP and OpenCLIP) or a Hugging Face tokenizer.json
// (a CLIPTokenizerFast export, whose model.vocab and model.merges hold the same BPE).
import fs from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { byteCharacters, END_OF_WORD, type BpeVocabulary } from "./byte-pair-encoder";

export const START_OF_TEXT = "<|startoftext|>";
export const END_OF_TEXT = "<|endoftext|>";

export interface ClipVocabulary extends BpeVocabulary {
  startId: number;
  endId: number;
  /** The file it came from, for messages. */
  source: string;
}

/** Merges the reference reads: lines 1..48894 of the file, after its "#version" line (49152-256-2+1). */
export const CLIP_MERGE_LINES = 49152 - 256 - 2;

/** The vocabulary OpenAI's code builds from the merges file: bytes, bytes + "</w>", merges, specials. */
export function vocabularyFromMerges(mergesText: string, source = "merges"): ClipVocabulary {
  const merges: (readonly [string, string])[] = [];
  // Walk the lines by hand: the file has 262,145 lines and only the first 48,895 are used.
  let start = mergesText.indexOf("\n") + 1;
  for (let lineNo = 2; start > 0 && start < mergesText.length && lineNo <= CLIP_MERGE_LINES + 1; lineNo++) {
    const newline = mergesText.indexOf("\n", start);
    const line = mergesText.slice(start, newline < 0 ? mergesText.length : newline).trim();
    start = newline + 1;
    if (line === "" && (newline < 0 || mergesText.slice(start).trim() === "")) break; // end of a short file
    const parts = line.split(/\s+/);
    if (parts.length !== 2)
      throw new Error(`${source}: line ${lineNo} is not a merge ("a b"): ${JSON.stringify(line)}`);
    merges.push([parts[0], parts[1]]);
  }
  const bytes = byteCharacters().map((b) => b.char);
  const symbols = [
    ...bytes,
    ...bytes.map((c) => c + END_OF_WORD),
    ...merges.map(([a, b]) => a + b),
    START_OF_TEXT,
    END_OF_TEXT,
  ];
  // A symbol listed twice keeps its later id, as the reference's dict(zip(vocab, range(...))) does.
  const vocab = new Map(symbols.map((s, id) => [s, id]));
  return { vocab, merges, startId: vocab.get(START_OF_TEXT)!, endId: vocab.get(END_OF_TEXT)!, source };
}

interface HfTokenizerJson {
  model?: {
    type?: string;
    vocab?: Record<string, number>;
    merges?: Array<string | [string, string]>;
    end_of_word_suffix?: string | null;
  };
  added_tokens?: Array<{ id: number; content: string }>;
}

/** The vocabulary in a Hugging Face tokenizer.json of a CLIP-family model. */
export function vocabularyFromTokenizerJson(json: unknown, source = "tokenizer.json"): ClipVocabulary {
  const model = (json as HfTokenizerJson)?.model;
  if (!model || model.type !== "BPE" || typeof model.vocab !== "object" || !Array.isArray(model.merges)) {
    throw new Error(
      `${source}: not a BPE tokenizer.json (model.type "BPE" with model.vocab and model.merges expected)`,
    );
  }
  if (model.end_of_word_suffix !== END_OF_WORD) {
    throw new Error(
      `${source}: not a CLIP-style BPE (model.end_of_word_suffix is ${JSON.stringify(model.end_of_word_suffix)}, "${END_OF_WORD}" expected)`,
    );
  }
  // Merges are "a b" strings in older exports and ["a", "b"] pairs since tokenizers 0.20.
  const merges = model.merges.map((m, i) => {
    const pair = typeof m === "string" ? m.split(" ") : m;
    if (!Array.isArray(pair) || pair.length !== 2)
      throw new Error(`${source}: model.merges[${i}] is not a pair: ${JSON.stringify(m)}`);
    return [String(pair[0]), String(pair[1])] as const;
  });
  const vocab = new Map(Object.entries(model.vocab));
  for (const t of (json as HfTokenizerJson).added_tokens ?? []) if (!vocab.has(t.content)) vocab.set(t.content, t.id);
  const special = (name: string) => {
    const id = vocab.get(name);
    if (id === undefined) throw new Error(`${source}: no ${name} token in model.vocab or added_tokens`);
    return id;
  };
  return { vocab, merges, startId: special(START_OF_TEXT), endId: special(END_OF_TEXT), source };
}

/** Names looked for, in order, when given a model folder. */
export const VOCABULARY_FILE_NAMES = ["tokenizer.json", "bpe_simple_vocab_16e6.txt.gz", "bpe_simple_vocab_16e6.txt"];

/**
 * Reads a vocabulary from a tokenizer.json, a merges file (gzipped or not), or a model folder
 * holding one of the VOCABULARY_FILE_NAMES.
 */
export function readClipVocabulary(location: string): ClipVocabulary {
  if (!fs.existsSync(location)) throw new Error(`no tokenizer vocabulary at ${location}`);
  let file = location;
  if (fs.statSync(location).isDirectory()) {
    const found = VOCABULARY_FILE_NAMES.map((n) => path.join(location, n)).find((p) => fs.existsSync(p));
    if (!found) throw new Error(`${location} has none of ${VOCABULARY_FILE_NAMES.join(", ")}`);
    file = found;
  }
  const raw = fs.readFileSync(file);
  const gzipped = raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  const text = (gzipped ? gunzipSync(raw) : raw).toString("utf8");
  if (text.trimStart().startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file}: not valid JSON: ${(e as Error).message}`);
    }
    return vocabularyFromTokenizerJson(json, file);
  }
  return vocabularyFromMerges(text, file);
}

import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenizeLines } from "@/cli/commands/tokenize";
import {
  ClipTokenizer,
  cleanClipText,
  loadClipTokenizer,
  vocabularyFromMerges,
  vocabularyFromTokenizerJson,
} from "@/lib/models/tokenizer";
import { servicesRequired } from "../helpers/services";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const sharedDir = path.resolve(repoRoot, "../shared/models/clip-tokenizer");
const mergesGz = path.join(sharedDir, "bpe_simple_vocab_16e6.txt.gz");
const casesFile = path.join(sharedDir, "tokenizer-cases.json");
const haveShared = fs.existsSync(mergesGz) && fs.existsSync(casesFile);
const START = 49406;
const END = 49407;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-tokenizer-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** bytes_to_unicode, written out again here so the tokenizer.json below is built independently. */
function byteSymbols(): string[] {
  const printable = [...Array(256).keys()].filter(
    (b) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae,
  );
  const others = [...Array(256).keys()].filter((b) => !printable.includes(b));
  return [...printable.map((b) => String.fromCharCode(b)), ...others.map((_, n) => String.fromCharCode(256 + n))];
}

/** A tokenizer.json laid out like a CLIPTokenizerFast export, from the lines of a merges file. */
function hfTokenizerJson(mergeLines: string[], opts: { pairMerges: boolean; specialsOnlyInAddedTokens?: boolean }) {
  const merges = mergeLines.map((l) => l.split(" "));
  const bytes = byteSymbols();
  const tokens = [...bytes, ...bytes.map((b) => b + "</w>"), ...merges.map(([a, b]) => a + b)];
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  const startId = tokens.length;
  if (!opts.specialsOnlyInAddedTokens)
    Object.assign(vocab, { "<|startoftext|>": startId, "<|endoftext|>": startId + 1 });
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: true,
    special: true,
  });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [special(startId, "<|startoftext|>"), special(startId + 1, "<|endoftext|>")],
    normalizer: {
      type: "Sequence",
      normalizers: [
        { type: "NFC" },
        { type: "Replace", pattern: { Regex: "\\s+" }, content: " " },
        { type: "Lowercase" },
      ],
    },
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [{ type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false }],
    },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: "<|endoftext|>",
      continuing_subword_prefix: "",
      end_of_word_suffix: "</w>",
      fuse_unk: false,
      vocab,
      merges: opts.pairMerges ? merges : mergeLines,
    },
  };
}

// A tiny self-made vocabulary, so the mechanics are tested even without ../shared.
const TINY_MERGES = ["#version: 0.2", "l l", "h e", "l o</w>", "he ll", "a a", "w o", "r l", "wo rl", "worl d</w>"];

describe("tokenizer mechanics (self-made vocabulary)", () => {
  const tinyVocabulary = vocabularyFromMerges(TINY_MERGES.join("\n"));
  const tiny = new ClipTokenizer(tinyVocabulary);
  const id = (symbol: string) => tinyVocabulary.vocab.get(symbol)!;

  it("numbers the vocabulary as the reference: bytes, bytes with </w>, merges, then the special tokens", () => {
    const v = vocabularyFromMerges(TINY_MERGES.join("\n"));
    expect(v.vocab.get("!")).toBe(0);
    expect(v.vocab.get("a")).toBe(64);
    expect(v.vocab.get("!</w>")).toBe(256);
    expect(v.vocab.get("ll")).toBe(512);
    expect(v.startId).toBe(512 + TINY_MERGES.length - 1);
    expect(v.endId).toBe(v.startId + 1);
  });

  it("applies the lowest-ranked merge first, everywhere, without overlaps", () => {
    // hello -> h e l l o</w> -> h e ll o</w> -> he ll o</w> -> hell o</w> (no "hell o</w>" merge)
    expect(tiny.encodeText("hello")).toEqual([id("hell"), id("o</w>")]);
    expect(tiny.encodeText("world")).toEqual([id("world</w>")]);
    // a a a -> "aa" then a lone "a</w>": merges never overlap
    expect(tiny.encodeText("aaa")).toEqual([id("aa"), id("a</w>")]);
    expect(tiny.encodeText("aaaa")).toEqual([id("aa"), id("a"), id("a</w>")]);
  });

  it("marks the end of every piece, and spaces and punctuation split pieces", () => {
    expect(tiny.encodeText("he")).toEqual([id("h"), id("e</w>")]);
    expect(tiny.encodeText("lo, lo")).toEqual([id("lo</w>"), id(",</w>"), id("lo</w>")]);
  });

  it("maps spelled-out special tokens to their ids, as the reference's seeded cache does", () => {
    expect(tiny.encodeText("<|endoftext|>")).toEqual([tiny.endId]);
    expect(tiny.encodeText("<|STARTOFTEXT|>")).toEqual([tiny.startId]);
  });

  it("pads to the context length with the pad id, 0 unless asked otherwise", () => {
    const { inputIds, attentionMask } = tiny.encodeForModel("hello", 6);
    expect(inputIds).toEqual([tiny.startId, id("hell"), id("o</w>"), tiny.endId, 0, 0]);
    expect(attentionMask).toEqual([1, 1, 1, 1, 0, 0]);
    const hfStyle = new ClipTokenizer(vocabularyFromMerges(TINY_MERGES.join("\n")), { padId: 49407 });
    expect(hfStyle.encodeForModel("hello", 6).inputIds.slice(4)).toEqual([49407, 49407]);
    expect(() => tiny.encodeForModel("hello", 1)).toThrow(/context length/);
  });

  it("reads HF merges both as 'a b' strings and as [a, b] pairs, and specials from added_tokens", () => {
    const lines = TINY_MERGES.slice(1);
    for (const json of [
      hfTokenizerJson(lines, { pairMerges: false }),
      hfTokenizerJson(lines, { pairMerges: true }),
      hfTokenizerJson(lines, { pairMerges: true, specialsOnlyInAddedTokens: true }),
    ]) {
      const t = new ClipTokenizer(vocabularyFromTokenizerJson(json));
      expect(t.encode("hello world aaa")).toEqual(tiny.encode("hello world aaa"));
    }
  });

  it("says what is wrong with a tokenizer.json that is not CLIP's BPE", () => {
    const good = hfTokenizerJson(TINY_MERGES.slice(1), { pairMerges: true });
    expect(() => vocabularyFromTokenizerJson({ model: { type: "WordPiece", vocab: {} } })).toThrow(
      /not a BPE tokenizer.json/,
    );
    expect(() => vocabularyFromTokenizerJson({ ...good, model: { ...good.model, end_of_word_suffix: null } })).toThrow(
      /end_of_word_suffix/,
    );
    const withoutLl = Object.fromEntries(Object.entries(good.model.vocab).filter(([t]) => t !== "ll"));
    const broken = vocabularyFromTokenizerJson(
      { ...good, model: { ...good.model, vocab: withoutLl } },
      "broken/tokenizer.json",
    );
    expect(() => new ClipTokenizer(broken)).toThrow(/broken\/tokenizer.json: .*result of merge 1 \(l l\)/);
    const noSpecials = hfTokenizerJson(TINY_MERGES.slice(1), { pairMerges: true, specialsOnlyInAddedTokens: true });
    expect(() => vocabularyFromTokenizerJson({ ...noSpecials, added_tokens: [] })).toThrow(/<\|startoftext\|>/);
  });

  it("says which file or folder is missing", () => {
    expect(() => loadClipTokenizer(path.join(tmp, "nope.json"))).toThrow(/no tokenizer vocabulary at/);
    const empty = fs.mkdtempSync(path.join(tmp, "empty-"));
    expect(() => loadClipTokenizer(empty)).toThrow(/has none of tokenizer.json/);
  });
});

describe("text cleaning as the reference (ftfy, html.unescape twice, whitespace, lowercase)", () => {
  it.each([
    ["  Leading\tand\n trailing\u3000 ", "leading and trailing"],
    ["&amp; html entities &lt;b&gt;", "& html entities <b>"],
    ["&amp;amp;amp;", "&"], // ftfy repeats until nothing changes
    ["&NTILDE;andu", "ñandu"], // ftfy's uppercased entity names
    ["caf&eacute au lait", "café au lait"], // html.unescape's legacy names need no semicolon
    ["&notit; &ampx", "¬it; &x"],
    ["&#0;&#x80;&#1;", "\ufffd€"], // HTML5's numeric replacements and dropped code points
    ["<b>&amp;</b>", "<b>&</b>"], // ftfy leaves entities in HTML alone, html.unescape does not
    ["\u201ccurly\u201d \u2018quotes\u2019", "\"curly\" 'quotes'"],
    ["ﬂuﬃeﬆ", "fluffiest"],
    ["ＬＯＵＤ　ＮＯＩＳＥＳ", "loud noises"],
    ["Ｕﾀｰﾝ", "uターン"],
    ["\ufeffparty\x00 like\x1b[36;44m it\x85", "party like it…"],
    ["cafe\u0301", "café"], // NFC
    ["it\u2019s", "it's"],
  ])("%j -> %j", (input, expected) => {
    expect(cleanClipText(input)).toBe(expected);
  });
});

describe("tokenize command: line handling", () => {
  const tiny = new ClipTokenizer(vocabularyFromMerges(TINY_MERGES.join("\n")));

  it("prints one JSON array per line, keeping empty lines and CRLF endings apart", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = "";
    output.on("data", (d) => (text += d));
    input.end("hello \r\n\nworld");
    const n = await tokenizeLines(tiny, input, output);
    expect(n).toBe(3);
    expect(
      text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([tiny.encode("hello"), [tiny.startId, tiny.endId], tiny.encode("world")]);
  });
});

if (!haveShared && !servicesRequired)
  console.warn(`skipping the reference-vocabulary tokenizer tests: ${sharedDir} is missing`);

describe.skipIf(!haveShared && !servicesRequired)(
  "reference CLIP vocabulary (needs ../shared/models/clip-tokenizer)",
  () => {
    let tokenizer: ClipTokenizer;
    let cases: { text: string; ids: number[] }[];
    beforeAll(() => {
      if (!haveShared)
        throw new Error(`FIELDMARK_REQUIRE_SERVICES=1 but ${sharedDir} lacks the merges file or the cases`);
      tokenizer = loadClipTokenizer(mergesGz);
      cases = JSON.parse(fs.readFileSync(casesFile, "utf8"));
    });

    it("reproduces all 265 reference cases exactly", () => {
      expect(cases).toHaveLength(265);
      const wrong = cases.filter((c) => JSON.stringify(tokenizer.encode(c.text)) !== JSON.stringify(c.ids));
      expect(wrong.map((c) => ({ text: c.text, expected: c.ids, got: tokenizer.encode(c.text) }))).toEqual([]);
    });

    it("tokenizes `hello world` to 49406, 3306, 1002, 49407", () => {
      expect(tokenizer.encode("hello world")).toEqual([START, 3306, 1002, END]);
    });

    it("truncates for the model to 77 tokens with the end token last, like OpenCLIP", () => {
      const long = cases.find((c) => c.ids.length > 77)!;
      const { inputIds, attentionMask } = tokenizer.encodeForModel(long.text);
      expect(inputIds).toEqual([...long.ids.slice(0, 76), END]);
      expect(attentionMask).toEqual(new Array(77).fill(1));
      expect(tokenizer.encode(long.text)).toEqual(long.ids); // encode itself never truncates

      const exact = cases.find((c) => c.ids.length === 77)!;
      expect(tokenizer.encodeForModel(exact.text).inputIds).toEqual(exact.ids);

      const short = tokenizer.encodeForModel("hello world");
      expect(short.inputIds).toEqual([START, 3306, 1002, END, ...new Array(73).fill(0)]);
      expect(short.attentionMask).toEqual([1, 1, 1, 1, ...new Array(73).fill(0)]);
    });

    it("gives the same ids from a Hugging Face tokenizer.json built from the merges file", () => {
      const lines = gunzipSync(fs.readFileSync(mergesGz))
        .toString("utf8")
        .split("\n")
        .slice(1, 49152 - 256 - 2 + 1);
      for (const pairMerges of [true, false]) {
        const folder = fs.mkdtempSync(path.join(tmp, "hf-model-"));
        fs.writeFileSync(path.join(folder, "tokenizer.json"), JSON.stringify(hfTokenizerJson(lines, { pairMerges })));
        // by file and by model folder
        for (const location of [path.join(folder, "tokenizer.json"), folder]) {
          const hf = loadClipTokenizer(location);
          expect(hf.startId).toBe(START);
          expect(hf.endId).toBe(END);
          for (const c of cases) expect(hf.encode(c.text), c.text).toEqual(c.ids);
        }
      }
    });

    it("also reads an uncompressed merges file, and a folder holding the gzipped one", () => {
      const folder = fs.mkdtempSync(path.join(tmp, "openai-model-"));
      fs.copyFileSync(mergesGz, path.join(folder, "bpe_simple_vocab_16e6.txt.gz"));
      const plain = path.join(tmp, "merges.txt");
      fs.writeFileSync(plain, gunzipSync(fs.readFileSync(mergesGz)));
      for (const location of [folder, plain]) {
        const t = loadClipTokenizer(location);
        for (const c of cases.slice(0, 20)) expect(t.encode(c.text)).toEqual(c.ids);
      }
    });

    it("runs as a command: lines of stdin in, JSON arrays out", async () => {
      const texts = [
        "hello world",
        "red fox showing signs of sarcoptic mange ",
        "",
        ...cases.filter((c) => !/[\r\n]/.test(c.text)).map((c) => c.text),
      ];
      const stdout = await new Promise<string>((resolve, reject) => {
        const child = execFile(
          process.execPath,
          [path.join(repoRoot, "bin/fieldmark.mjs"), "tokenize", "--vocab", mergesGz],
          { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
          (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)),
        );
        child.stdin!.end(texts.join("\n") + "\n");
      });
      const rows = stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(rows).toHaveLength(texts.length);
      expect(rows[0]).toEqual([START, 3306, 1002, END]);
      expect(rows[2]).toEqual([START, END]);
      expect(rows).toEqual(texts.map((t) => tokenizer.encode(t)));
    });

    it("tokenizes thousands of texts per second", () => {
      const texts = cases.map((c) => c.text);
      const fresh = loadClipTokenizer(mergesGz);
      const t0 = performance.now();
      let n = 0;
      for (let round = 0; round < 20; round++) for (const t of texts) n += fresh.encode(t).length > 0 ? 1 : 0;
      const perSecond = n / ((performance.now() - t0) / 1000);
      expect(perSecond).toBeGreaterThan(2000);
    });
  },
);

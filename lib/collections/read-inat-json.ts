import fs from "node:fs";
import path from "node:path";
import { TokenParser, Tokenizer, TokenizerError, TokenType } from "@streamparser/json";
import type { ParsedTokenInfo } from "@streamparser/json";
import { LineTracker, Utf8Checker } from "./byte-stream";
import { describePosition, ImportError } from "./errors";
import {
  parseAnnotation,
  parseCategory,
  parseImage,
  parseLicense,
  type RecordPlace,
  type SourceRecord,
} from "./records";

// Reads an iNaturalist/COCO-style train.json as a stream: the file is never held in memory (iNat24's
// is gigabytes). Records come out chunk by chunk, validated, in file order; the sections may come in
// any order. Tokens go through a small tracker of our own so that errors can say where they are.

export type ReaderContext = {
  resolveFileName: (fileName: string) => string | null;
  rootLabel: string;
};

export type RecordChunk = { records: SourceRecord[]; bytesRead: number };

const SECTIONS = new Set(["images", "categories", "annotations", "licenses"]);
const CHUNK_BYTES = 1 << 20;

/** Where we are in the document's outline: the root object, a section array, a record. */
class OutlineTracker {
  depth = 0;
  expectKey = false;
  topKey: string | undefined;
  section: string | undefined;
  index = 0;
  awaitingElement = false;
  recordStart = 0;
  readonly seen = new Set<string>();

  constructor(private readonly structureError: (msg: string, offset: number) => ImportError) {}

  track({ token, value, offset }: ParsedTokenInfo): void {
    const open = token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET;
    const close = token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET;
    if (this.depth === 0) {
      if (token !== TokenType.LEFT_BRACE) {
        throw this.structureError("must be a JSON object with images, categories and annotations arrays", offset);
      }
      this.depth = 1;
      this.expectKey = true;
      return;
    }
    if (this.depth === 1) {
      if (this.expectKey) {
        if (token === TokenType.STRING) {
          this.topKey = value as string;
          this.expectKey = false;
        } else if (close) this.depth = 0;
        return;
      }
      if (token === TokenType.COLON) return;
      if (token === TokenType.COMMA) {
        this.expectKey = true;
        return;
      }
      if (close) {
        this.depth = 0;
        return;
      }
      if (this.topKey && SECTIONS.has(this.topKey)) {
        if (token !== TokenType.LEFT_BRACKET) throw this.structureError(`"${this.topKey}" must be an array`, offset);
        this.section = this.topKey;
        this.seen.add(this.topKey);
        this.index = 0;
        this.awaitingElement = true;
        this.depth = 2;
        return;
      }
      if (open) this.depth = 2;
      return;
    }
    if (this.depth === 2 && this.section) {
      if (this.awaitingElement) {
        if (token === TokenType.RIGHT_BRACKET) {
          this.endSection();
          return;
        }
        this.awaitingElement = false;
        this.recordStart = offset;
        if (open) this.depth = 3;
        return;
      }
      if (token === TokenType.COMMA) {
        this.index++;
        this.awaitingElement = true;
      } else if (token === TokenType.RIGHT_BRACKET) this.endSection();
      return;
    }
    if (open) this.depth++;
    else if (close) this.depth--;
  }

  private endSection(): void {
    this.depth = 1;
    this.section = undefined;
  }
}

const PARSER_STATES: Record<string, string> = {
  VALUE: "a value",
  KEY: "a quoted key or }",
  COLON: '":"',
  COMMA: '"," or a closing bracket',
};

/** Rewrites the parser library's messages ("Unexpected COMMA (",") in state VALUE") for people. */
function describeSyntaxError(err: Error, lastTokenOffset: number): { offset: number; what: string } {
  const tok = /Unexpected "(.*)" at chunk position "\d+" \(absolute position "(\d+)"\)/.exec(err.message);
  if (tok) return { offset: Number(tok[2]), what: `unexpected ${JSON.stringify(tok[1])}` };
  const parse = /Unexpected \w+ \((.*)\) in state (\w+)/.exec(err.message);
  if (parse) {
    if (parse[2] === "ENDED")
      return { offset: lastTokenOffset, what: `unexpected ${parse[1]} after the end of the JSON document` };
    const expected = PARSER_STATES[parse[2]];
    return { offset: lastTokenOffset, what: `unexpected ${parse[1]}${expected ? `, expected ${expected}` : ""}` };
  }
  return { offset: lastTokenOffset, what: err.message };
}

export async function* readInatJson(file: string, ctx: ReaderContext): AsyncGenerator<RecordChunk> {
  const name = path.basename(file);
  const lines = new LineTracker();
  const utf8 = new Utf8Checker();
  const located = (offset: number) => {
    const pos = lines.position(offset);
    return { file, byteOffset: offset, line: pos?.line, column: pos?.column };
  };
  const malformed = (what: string, offset: number) => {
    const loc = located(offset);
    return new ImportError("malformed-json", `${name} is not valid JSON at ${describePosition(loc)}: ${what}`, loc);
  };
  const outline = new OutlineTracker((msg, offset) => {
    const loc = located(offset);
    return new ImportError("bad-structure", `${name} ${msg}, at ${describePosition(loc)}`, loc);
  });

  const tokenizer = new Tokenizer();
  const parser = new TokenParser({
    paths: ["$.images.*", "$.categories.*", "$.annotations.*", "$.licenses.*"],
    keepStack: false,
  });
  const ords = { images: 0, categories: 0, annotations: 0, licenses: 0 };
  let out: SourceRecord[] = [];
  let lastTokenOffset = 0;

  parser.onValue = ({ value }) => {
    const section = outline.section as keyof typeof ords;
    const pos = lines.position(outline.recordStart);
    const place: RecordPlace = { file, section, index: outline.index, line: pos?.line, column: pos?.column };
    const ord = ords[section]++;
    if (section === "images")
      out.push({ kind: "image", row: parseImage(value, place, ord, ctx.resolveFileName, ctx.rootLabel) });
    else if (section === "categories") out.push({ kind: "taxon", row: parseCategory(value, place, ord) });
    else if (section === "annotations") out.push({ kind: "annotation", row: parseAnnotation(value, place, ord) });
    else out.push({ kind: "license", row: parseLicense(value, place, ord) });
  };
  tokenizer.onToken = (info) => {
    lastTokenOffset = info.offset;
    // outline first, so a record's start is known before the parser hands the record over
    outline.track(info);
    parser.write(info);
  };
  const write = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ImportError) throw e;
      const { what, offset } = describeSyntaxError(e as Error, lastTokenOffset);
      throw malformed(what, offset);
    }
  };

  let bytesRead = 0;
  const stream = fs.createReadStream(file, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      lines.push(chunk);
      const bad = utf8.check(chunk);
      if (bad >= 0) throw badEncoding(name, located(bad));
      write(() => tokenizer.write(chunk));
      bytesRead += chunk.length;
      if (out.length) {
        yield { records: out, bytesRead };
        out = [];
      }
    }
    const bad = utf8.finish();
    if (bad >= 0) throw badEncoding(name, located(bad));
    const truncated = () => {
      const loc = located(bytesRead);
      return new ImportError(
        "malformed-json",
        `${name} ends before its JSON is complete (truncated?) at ${describePosition(loc)}`,
        loc,
      );
    };
    if (bytesRead === 0) throw new ImportError("malformed-json", `${name} is empty`, { file });
    try {
      tokenizer.end();
    } catch (e) {
      if (e instanceof ImportError) throw e;
      throw e instanceof TokenizerError && !/ended in the middle/.test(e.message)
        ? malformed(e.message, bytesRead)
        : truncated();
    }
    if (!parser.isEnded) throw truncated();
    if (out.length) yield { records: out, bytesRead };
    if (!outline.seen.has("images")) {
      throw new ImportError(
        "bad-structure",
        `${name} has no "images" array: is it an iNaturalist/COCO-style train.json?`,
        { file, section: "images" },
      );
    }
  } finally {
    stream.destroy();
  }
}

export function badEncoding(
  name: string,
  loc: { file: string; byteOffset: number; line?: number; column?: number },
): ImportError {
  return new ImportError(
    "bad-encoding",
    `${name} is not valid UTF-8 at ${describePosition(loc)}: save it as UTF-8`,
    loc,
  );
}

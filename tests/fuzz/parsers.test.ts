import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateFiles } from "@/lib/eval/evaluate";
import { EvalInputError } from "@/lib/eval/csv-table";
import { parseInquireQueriesCsv, QueryCsvError } from "@/lib/queries/inquire-file";
import { mutatedBytes as mutated } from "./mutate";
import { encodeNpy, readNpyHeader, readNpyRows } from "@/lib/vectors/npy";

// Property-based tests of the file readers that need no database: INQUIRE query CSVs, the eval
// inputs and .npy files. Every input either parses or ends in the reader's own error naming the file
// (and, for CSVs, the line); never a TypeError, RangeError or a huge allocation. Seeded for CI.

const RUNS = 300;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-fuzz-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, `${++n}-${name}`);
  fs.writeFileSync(file, content);
  return file;
}

/** CSV-ish text: rows of cells drawn from values the readers care about, sometimes quoted. */
function csvish(header: string[]): fc.Arbitrary<string> {
  const cell = fc.oneof(
    fc.constantFrom(
      "",
      "1",
      "2",
      "10",
      "0.5",
      "-1",
      "NaN",
      "1e999",
      "n/a",
      "Behavior",
      "Appearance",
      "Birds",
      " ",
      '"',
    ),
    fc.string({ maxLength: 6 }),
    fc.string({ unit: "grapheme", maxLength: 4 }),
  );
  const quoted = fc.tuple(cell, fc.boolean()).map(([c, q]) => (q ? `"${c.replaceAll('"', '""')}"` : c));
  const row = fc.array(quoted, { minLength: 0, maxLength: header.length + 2 }).map((cells) => cells.join(","));
  const head = fc.oneof(
    fc.constant(header.join(",")),
    fc.shuffledSubarray(header).map((h) => h.join(",")),
    fc.string({ maxLength: 20 }),
  );
  return fc
    .tuple(head, fc.array(row, { maxLength: 8 }), fc.constantFrom("\n", "\r\n"), fc.boolean())
    .map(([h, rows, eol, last]) => [h, ...rows].join(eol) + (last ? eol : ""));
}

/** The reader's own error, naming one of `files` and a line (or saying the file is empty). */
function expectNamedError(e: unknown, files: string | string[], kind: new (...args: never[]) => Error) {
  if (!(e instanceof kind)) throw e; // a crash: let fast-check report and shrink it
  const names = [files].flat().map((f) => path.basename(f));
  expect(
    names.some((name) => e.message.includes(name)),
    e.message,
  ).toBe(true);
  expect(e.message).toMatch(/line \d+|is empty/);
}

describe("INQUIRE query CSVs", () => {
  const valid =
    ',query_id,query_text,supercategory,category,iconic_group\n0,1,a monarch feeding,Behavior,Feeding,Insects\n1,2,"an oak, in fall",Appearance,,Plants\n';
  const check = (bytes: Buffer) => {
    const file = "queries.csv";
    try {
      const rows = parseInquireQueriesCsv(bytes, file);
      // what parses is stored as PostgreSQL text, which cannot hold NUL
      for (const r of rows) expect(JSON.stringify(r)).not.toContain("\\u0000");
    } catch (e) {
      expectNamedError(e, file, QueryCsvError);
    }
  };
  it("a NUL byte in a cell is refused naming line and column (found by the properties below)", () => {
    const bytes = Buffer.from(`${valid.split("\n")[0]}\n0,1,a\0b,Behavior,Feeding,Insects\n`);
    expect(() => parseInquireQueriesCsv(bytes, "queries.csv")).toThrow(
      "queries.csv line 2, column query_text: holds a NUL byte",
    );
  });
  it("mutated valid files parse or fail naming file and line", () => {
    fc.assert(fc.property(mutated(Buffer.from(valid)), check), { seed: 20261201, numRuns: RUNS });
  });
  it("CSV-ish text parses or fails naming file and line", () => {
    const header = ["", "query_id", "query_text", "supercategory", "category", "iconic_group"];
    fc.assert(
      fc.property(csvish(header), (text) => check(Buffer.from(text))),
      { seed: 20261202, numRuns: RUNS },
    );
  });
});

describe("eval inputs", () => {
  const queries = write(
    "queries.csv",
    ",query_id,query_text,supercategory,category,iconic_group\n0,1,a,Behavior,Feeding,Birds\n1,2,b,Appearance,,Insects\n",
  );
  const run = "query_id,image_id,score\n1,11,0.2\n1,10,0.9\n2,12,0.5\n";
  const annotations = "query_id,image_id,image_path\n1,10,x\n2,20,x\n";
  const rerank = "query_id,image_id,relevant\n1,10,1\n1,11,0\n2,12,1\n";
  /** A damaged file may also surface as an error in a file that refers to it (a run naming a lost query). */
  const evaluate = (files: Parameters<typeof evaluateFiles>[0], bad: string) => {
    try {
      evaluateFiles(files);
    } catch (e) {
      expectNamedError(
        e,
        bad === files.queries ? Object.values(files).filter((v) => typeof v === "string") : bad,
        EvalInputError,
      );
    }
  };
  it("a damaged run file", () => {
    fc.assert(
      fc.property(
        fc.oneof(mutated(Buffer.from(run)), csvish(["query_id", "image_id", "score"]).map(Buffer.from)),
        (b) => {
          const f = write("run.csv", b);
          evaluate({ queries, run: f, annotations: write("a.csv", annotations), k: 5 }, f);
        },
      ),
      { seed: 20261203, numRuns: RUNS },
    );
  });
  it("a damaged annotations file", () => {
    fc.assert(
      fc.property(
        fc.oneof(mutated(Buffer.from(annotations)), csvish(["query_id", "image_id", "image_path"]).map(Buffer.from)),
        (b) => {
          const f = write("a.csv", b);
          evaluate({ queries, run: write("run.csv", run), annotations: f, k: 5 }, f);
        },
      ),
      { seed: 20261204, numRuns: RUNS },
    );
  });
  it("a damaged rerank file", () => {
    fc.assert(
      fc.property(
        fc.oneof(mutated(Buffer.from(rerank)), csvish(["query_id", "image_id", "relevant"]).map(Buffer.from)),
        (b) => {
          const f = write("rerank.csv", b);
          evaluate({ queries, run: write("run.csv", run), rerank: f, k: 5 }, f);
        },
      ),
      { seed: 20261205, numRuns: RUNS },
    );
  });
  it("a damaged queries file", () => {
    fc.assert(
      fc.property(mutated(fs.readFileSync(queries)), (b) => {
        const f = write("queries.csv", b);
        evaluate({ queries: f, run: write("run.csv", run), annotations: write("a.csv", annotations), k: 5 }, f);
      }),
      { seed: 20261206, numRuns: RUNS },
    );
  });
});

describe(".npy files", () => {
  const valid = encodeNpy([1, 2, 3, 4, 5, 6], 3, 2, "f4");
  /** Reads the header and every row; returns the error or null. Rows are bounded so a bad header cannot hang. */
  async function read(file: string): Promise<void> {
    const h = readNpyHeader(file);
    expect(h.rows * h.cols * h.bytesPerValue).toBeLessThanOrEqual(fs.statSync(file).size);
    for await (const batch of readNpyRows(file, h, 2)) expect(batch.rows.length).toBeGreaterThan(0);
  }
  const check = async (b: Buffer) => {
    const f = write("x.npy", b);
    try {
      await read(f);
    } catch (e) {
      if (!(e instanceof Error) || e instanceof TypeError || e instanceof RangeError) throw e;
      expect(e.message).toContain(f);
    }
  };
  it("a zero-width matrix is refused, not walked row by row (found by the property below)", () => {
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (9007199254740991, 0), }";
    const header = Buffer.alloc(10);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(header);
    header.writeUInt16LE(dict.length, 8);
    const f = write("wide.npy", Buffer.concat([header, Buffer.from(dict, "latin1")]));
    expect(() => readNpyHeader(f)).toThrow(
      `${f}: vectors need at least one dimension, got shape (9007199254740991, 0)`,
    );
  });
  it("mutated and truncated files", async () => {
    await fc.assert(fc.asyncProperty(mutated(valid), check), { seed: 20261207, numRuns: RUNS });
  });
  it("random headers over random bodies", async () => {
    const field = fc.oneof(
      fc.constantFrom("'<f4'", "'>f8'", "'<f2'", "'|u1'", "'<i8'", "''", "'<f16'"),
      fc.string({ maxLength: 6 }).map((s) => `'${s}'`),
    );
    const dim = fc.oneof(fc.integer({ min: -3, max: 8 }), fc.constantFrom(2 ** 31, 2 ** 53, 1e300), fc.constant("x"));
    const shape = fc.array(dim, { maxLength: 3 }).map((d) => `(${d.join(", ")}${d.length === 1 ? "," : ""})`);
    const dict = fc
      .tuple(field, fc.constantFrom("False", "True", "0"), shape, fc.boolean())
      .map(([d, f, s, junk]) => `{'descr': ${d}, 'fortran_order': ${f}, 'shape': ${s}, }${junk ? "\x00\xff" : ""}`);
    const file = fc
      .tuple(
        dict,
        fc.integer({ min: 0, max: 4 }),
        fc.option(fc.integer({ min: 0, max: 0xffffffff })),
        fc.uint8Array({ maxLength: 64 }),
      )
      .map(([d, major, len, body]) => {
        const header = Buffer.from(d, "latin1");
        const lenBytes = major === 1 || major === 0 ? 2 : 4;
        const prefix = Buffer.alloc(8 + lenBytes);
        Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]).copy(prefix);
        prefix[6] = major;
        const l = len ?? header.length;
        if (lenBytes === 2) prefix.writeUInt16LE(l & 0xffff, 8);
        else prefix.writeUInt32LE(l, 8);
        return Buffer.concat([prefix, header, Buffer.from(body)]);
      });
    await fc.assert(fc.asyncProperty(file, check), { seed: 20261208, numRuns: RUNS });
  });
});

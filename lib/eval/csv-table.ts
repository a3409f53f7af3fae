import fs from "node:fs";
import path from "node:path";
import { CsvError, parse } from "csv-parse/sync";
import { firstInvalidUtf8 } from "@/lib/collections/byte-stream";

// The evaluation inputs are CSV files with named columns (a run, INQUIRE's annotations, a rerank set).
// Each is read whole and checked before anything is scored; a problem names the file, line and column.

export class EvalInputError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
    this.name = "EvalInputError";
  }
}

/** A checked table: its records (header left out), where each named column is, and errors that say where. */
export type CsvTable = {
  records: string[][];
  /** the index of a column in each record; -1 when the file does not have it */
  column: (name: string) => number;
  /** an error naming the file, the line of record `index` and the column */
  fail: (index: number, column: string | undefined, message: string) => never;
  /** the 1-based line record `index` starts on */
  lineOf: (index: number) => number;
};

const OPTIONS = { bom: true, skip_empty_lines: true, trim: true } as const;

/**
 * A CSV file that must have `required` columns (others may be there, an unnamed first column such as
 * pandas' index among them). Line numbers are worked out only when an error needs one: asking csv-parse
 * for them on every record triples the time a 250,000-row run takes to read.
 */
export function readCsvTable(file: string, required: readonly string[]): CsvTable {
  const name = path.basename(file);
  const failAt = (line: number, column: string | undefined, message: string): never => {
    throw new EvalInputError(
      `${name} line ${line}${column ? `, column ${column}` : ""}: ${message}`,
      file,
      line,
      column,
    );
  };
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new EvalInputError(
      code === "ENOENT" ? `${file}: no such file` : `${file}: cannot be read (${(e as Error).message})`,
      file,
    );
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0)
    failAt(
      bytes.subarray(0, bad).toString("latin1").split("\n").length,
      undefined,
      "not UTF-8 text (save the file as UTF-8)",
    );
  const text = bytes.toString("utf8");
  let records: string[][];
  try {
    records = parse(text, OPTIONS) as string[][];
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = (e as CsvError & { lines?: number }).lines ?? 1;
    return failAt(
      line,
      undefined,
      e.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH"
        ? "this row has a different number of fields from the header"
        : e.message,
    );
  }
  if (records.length === 0)
    return failAt(1, undefined, `the file is empty; expected a header with ${required.join(", ")}`);
  let lines: number[] | undefined;
  const lineOf = (index: number) => {
    // the same parse again, with each record's line: only on the way to an error message
    lines ??= (parse(text, { ...OPTIONS, info: true }) as unknown as { info: { lines: number } }[]).map(
      (r) => r.info.lines,
    );
    return lines[index + 1] ?? 1;
  };
  const header = records[0];
  const at = new Map<string, number>();
  header.forEach((column, i) => {
    if (column === "") return;
    if (at.has(column)) failAt(1, column, `column ${column} appears twice`);
    at.set(column, i);
  });
  const missing = required.filter((c) => !at.has(c));
  if (missing.length) {
    failAt(
      1,
      missing[0],
      `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (the header has ${header.join(", ")})`,
    );
  }
  return {
    records: records.slice(1),
    column: (column) => at.get(column) ?? -1,
    fail: (index, column, message) => failAt(lineOf(index), column, message),
    lineOf,
  };
}

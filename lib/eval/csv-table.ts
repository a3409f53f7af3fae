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

export type CsvRow = { line: number; cell: (column: string) => string };

/**
 * The rows of a CSV file that must have `required` columns (others may be there, an unnamed first
 * column such as pandas' index among them). `fail(line, column, message)` makes an error that says where.
 */
export function readCsvTable(
  file: string,
  required: readonly string[],
): {
  rows: CsvRow[];
  columns: Set<string>;
  fail: (line: number, column: string | undefined, message: string) => never;
} {
  const name = path.basename(file);
  const fail = (line: number, column: string | undefined, message: string): never => {
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
    fail(
      bytes.subarray(0, bad).toString("latin1").split("\n").length,
      undefined,
      "not UTF-8 text (save the file as UTF-8)",
    );
  const text = bytes.toString("utf8");
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // info: true makes each record {record, info}; the typings do not follow the option
    records = parse(text, { bom: true, info: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = (e as CsvError & { lines?: number }).lines ?? 1;
    return fail(
      line,
      undefined,
      e.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH"
        ? "this row has a different number of fields from the header"
        : e.message,
    );
  }
  if (records.length === 0)
    return fail(1, undefined, `the file is empty; expected a header with ${required.join(", ")}`);
  const header = records[0].record.map((h) => h.trim());
  const at = new Map<string, number>();
  header.forEach((column, i) => {
    if (column === "") return;
    if (at.has(column)) fail(1, column, `column ${column} appears twice`);
    at.set(column, i);
  });
  const missing = required.filter((c) => !at.has(c));
  if (missing.length) {
    fail(
      1,
      missing[0],
      `missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (the header has ${header.join(", ")})`,
    );
  }
  const rows = records.slice(1).map(({ record, info }) => ({
    line: info.lines,
    cell: (column: string) => {
      const i = at.get(column);
      return i === undefined ? "" : record[i].trim();
    },
  }));
  return { rows, columns: new Set(at.keys()), fail };
}

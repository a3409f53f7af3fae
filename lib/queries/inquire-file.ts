import { CsvError, parse } from "csv-parse/sync";
import { SUPERCATEGORIES, type QueryFields } from "./fields";

// INQUIRE's query CSVs (inquire_queries_val.csv, inquire_queries_test.csv), as pandas wrote them:
//   ,query_id,query_text,supercategory,category,iconic_group
//   83,109,Eurasian Black Grouse male,Appearance,Sex identification,Birds
// The unnamed first column is pandas' index and is ignored. Text is kept exactly as written (INQUIRE
// has "red fox showing signs of sarcoptic mange " with its trailing space), and so are the query ids.

export const INQUIRE_COLUMNS = ["query_id", "query_text", "supercategory", "category", "iconic_group"] as const;

export class QueryCsvError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(message);
    this.name = "QueryCsvError";
  }
}

export type InquireQueryRow = {
  line: number;
  /** pandas' index (the unnamed first column) as written, or null when the file has none */
  index: string | null;
  queryId: string;
  text: string;
  supercategory: QueryFields["supercategory"];
  category: string | null;
  iconicGroup: string | null;
};

/** The 1-based line of the first byte that is not UTF-8, or 0 when all is well. */
function firstBadUtf8Line(bytes: Buffer): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line += 1;
      start = i + 1;
    }
  }
  return 0;
}

const isIndexColumn = (name: string) => name === "" || /^Unnamed: ?0$/.test(name);

/** Parses and checks the whole file; any problem is an error naming the file, line and column. */
export function parseInquireQueriesCsv(bytes: Buffer, fileName: string): InquireQueryRow[] {
  const badLine = firstBadUtf8Line(bytes);
  if (badLine) throw new QueryCsvError(`${fileName} line ${badLine}: not UTF-8 text (save the file as UTF-8)`, badLine);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // info: true makes each record {record, info}; the typings do not follow the option
    records = parse(bytes.toString("utf8"), {
      bom: true,
      info: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      const detail =
        e.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH"
          ? `this row has a different number of fields from the header (${e.message.replace(/^Invalid Record Length: /, "")})`
          : e.message;
      throw new QueryCsvError(`${fileName}${line ? ` line ${line}` : ""}: ${detail}`, line);
    }
    throw e;
  }
  if (records.length === 0)
    throw new QueryCsvError(`${fileName}: the file is empty; expected the header ,${INQUIRE_COLUMNS.join(",")}`, 1);

  const header = records[0].record;
  const indexAt = isIndexColumn(header[0]) ? 0 : -1;
  const at = new Map<string, number>();
  header.forEach((name, i) => {
    if (i === 0 && isIndexColumn(name)) return;
    if (!(INQUIRE_COLUMNS as readonly string[]).includes(name)) {
      throw new QueryCsvError(
        `${fileName} line 1: unknown column ${JSON.stringify(name)}; INQUIRE's query files have ${INQUIRE_COLUMNS.join(", ")}`,
        1,
        name,
      );
    }
    if (at.has(name)) throw new QueryCsvError(`${fileName} line 1: column ${name} appears twice`, 1, name);
    at.set(name, i);
  });
  const missing = INQUIRE_COLUMNS.filter((c) => !at.has(c));
  if (missing.length)
    throw new QueryCsvError(
      `${fileName} line 1: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
      1,
      missing[0],
    );

  const seen = new Map<string, number>();
  return records.slice(1).map(({ record, info }) => {
    const line = info.lines;
    const cell = (c: (typeof INQUIRE_COLUMNS)[number]) => record[at.get(c)!];
    const fail = (column: string, message: string): never => {
      throw new QueryCsvError(`${fileName} line ${line}, column ${column}: ${message}`, line, column);
    };
    // PostgreSQL text cannot hold NUL; refused here so the error says where, not the database
    for (const c of INQUIRE_COLUMNS) if (cell(c).includes("\0")) fail(c, "holds a NUL byte");
    const queryId = cell("query_id");
    if (queryId.trim() === "") fail("query_id", "empty; every query needs its id");
    if (queryId.trim() !== queryId) fail("query_id", `${JSON.stringify(queryId)} has spaces around it`);
    if (queryId.length > 200) fail("query_id", "longer than 200 characters");
    const earlier = seen.get(queryId);
    if (earlier) fail("query_id", `query ${queryId} appears twice (also on line ${earlier})`);
    seen.set(queryId, line);
    const text = cell("query_text");
    if (text.trim() === "") fail("query_text", "empty");
    if (text.length > 1000) fail("query_text", "longer than 1000 characters");
    const supercategory = cell("supercategory");
    if (!(SUPERCATEGORIES as readonly string[]).includes(supercategory)) {
      fail("supercategory", `${JSON.stringify(supercategory)} is not one of ${SUPERCATEGORIES.join(", ")}`);
    }
    const optional = (c: "category" | "iconic_group") => (cell(c).trim() === "" ? null : cell(c).trim());
    return {
      line,
      index: indexAt === 0 ? record[0] : null,
      queryId,
      text,
      supercategory: supercategory as QueryFields["supercategory"],
      category: optional("category"),
      iconicGroup: optional("iconic_group"),
    };
  });
}

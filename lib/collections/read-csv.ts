import fs from "node:fs";
import path from "node:path";
import { Readable, pipeline } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { LineTracker, Utf8Checker } from "./byte-stream";
import { ImportError } from "./errors";
import {
  parseCategory,
  parseImage,
  recordError,
  type RecordPlace,
  type SourceRecord,
  type StagedTaxon,
} from "./records";
import { badEncoding, type ReaderContext, type RecordChunk } from "./read-inat-json";

// Reads a CSV manifest: one row per image, `file_name` plus any of the train.json field names as
// columns (image fields, and category fields when the manifest carries taxonomy). Each row becomes an
// image, and, when it names a category, that category (once) and an annotation.

const IMAGE_COLUMNS = [
  "id",
  "file_name",
  "width",
  "height",
  "date",
  "latitude",
  "longitude",
  "location_uncertainty",
  "license",
  "rights_holder",
];
const CATEGORY_COLUMNS = [
  "category_id",
  "name",
  "common_name",
  "supercategory",
  "kingdom",
  "phylum",
  "class",
  "order",
  "family",
  "genus",
  "specific_epithet",
  "image_dir_name",
];
const KNOWN_COLUMNS = new Set([...IMAGE_COLUMNS, ...CATEGORY_COLUMNS]);
const NUMERIC_COLUMNS = new Set(["width", "height", "latitude", "longitude", "location_uncertainty"]);
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const ROWS_PER_CHUNK = 2_000;

function checkHeader(file: string, header: string[]): string[] {
  const name = path.basename(file);
  const columns = header.map((h) => h.trim());
  const bad = (msg: string, field?: string) =>
    new ImportError("bad-columns", `${name} line 1: ${msg}`, { file, line: 1, field });
  const seen = new Set<string>();
  for (const column of columns) {
    if (!KNOWN_COLUMNS.has(column)) {
      throw bad(
        `unknown column ${JSON.stringify(column)}; a manifest has file_name and any of: ${[...KNOWN_COLUMNS].filter((c) => c !== "file_name").join(", ")}`,
        column,
      );
    }
    if (seen.has(column)) throw bad(`column ${JSON.stringify(column)} appears twice`, column);
    seen.add(column);
  }
  if (!seen.has("file_name"))
    throw bad(`there is no file_name column (the header is ${JSON.stringify(columns.join(","))})`, "file_name");
  return columns;
}

/** The first differing field of two stagings of the same category, for the message. */
function difference(a: StagedTaxon, b: StagedTaxon): string {
  for (const key of Object.keys(a) as (keyof StagedTaxon)[]) {
    if (key === "ord" || key === "line") continue;
    if (a[key] !== b[key]) return `${key} ${JSON.stringify(a[key])} there, ${JSON.stringify(b[key])} here`;
  }
  return "";
}

async function* checkedBytes(file: string, name: string, progress: { bytesRead: number }): AsyncGenerator<Buffer> {
  const lines = new LineTracker();
  const utf8 = new Utf8Checker();
  const located = (offset: number) => ({ file, byteOffset: offset, ...lines.position(offset) });
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    lines.push(chunk);
    const bad = utf8.check(chunk);
    if (bad >= 0) throw badEncoding(name, located(bad));
    progress.bytesRead += chunk.length;
    yield chunk;
  }
  const bad = utf8.finish();
  if (bad >= 0) throw badEncoding(name, located(bad));
}

export async function* readCsvManifest(file: string, ctx: ReaderContext): AsyncGenerator<RecordChunk> {
  const name = path.basename(file);
  const progress = { bytesRead: 0 };
  const parser = parse({ bom: true, info: true, skip_empty_lines: true });
  pipeline(Readable.from(checkedBytes(file, name, progress)), parser, () => {});
  let columns: string[] | undefined;
  const taxa = new Map<string, StagedTaxon>();
  const ords = { images: 0, taxa: 0, annotations: 0 };
  let rowIndex = 0;
  let out: SourceRecord[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        columns = checkHeader(file, record);
        continue;
      }
      const line = info.lines;
      const place: RecordPlace = { file, section: "rows", index: rowIndex++, line, csv: true };
      const cells: Record<string, string | number> = {};
      for (let i = 0; i < columns.length; i++) {
        const cell = record[i].trim();
        if (cell === "") continue;
        cells[columns[i]] = NUMERIC_COLUMNS.has(columns[i]) && NUMBER.test(cell) ? Number(cell) : cell;
      }
      if (cells.file_name === undefined) throw recordError("missing-field", place, "file_name", "is required");
      const image = parseImage(
        { ...cells, id: cells.id ?? cells.file_name },
        place,
        ords.images++,
        ctx.resolveFileName,
        ctx.rootLabel,
      );
      out.push({ kind: "image", row: image });
      if (CATEGORY_COLUMNS.some((c) => c in cells)) {
        // without a category_id column, a category is known by its name (or its deepest rank)
        const taxon = parseCategory({ ...cells, id: cells.category_id ?? "-" }, place, ords.taxa);
        if (cells.category_id === undefined) taxon.source_id = taxon.name;
        const earlier = taxa.get(taxon.source_id);
        if (!earlier) {
          taxa.set(taxon.source_id, taxon);
          ords.taxa++;
          out.push({ kind: "taxon", row: taxon });
        } else {
          const diff = difference(earlier, taxon);
          if (diff) {
            throw recordError(
              "duplicate-id",
              place,
              "category",
              `${JSON.stringify(taxon.source_id)} is described differently than on line ${earlier.line}: ${diff}`,
              taxon.source_id,
            );
          }
        }
        out.push({
          kind: "annotation",
          row: { ord: ords.annotations++, line, image_id: image.source_id, category_id: taxon.source_id },
        });
      }
      if (out.length >= ROWS_PER_CHUNK) {
        yield { records: out, bytesRead: progress.bytesRead };
        out = [];
      }
    }
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      const counts = /expect (\d+), got (\d+)/.exec(e.message);
      if (e.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" && counts) {
        throw new ImportError(
          "bad-columns",
          `${name} line ${line}: has ${counts[2]} fields but the header has ${counts[1]} columns`,
          { file, line },
        );
      }
      throw new ImportError("malformed-csv", `${name} line ${line}: ${e.message}`, { file, line });
    }
    throw e;
  }
  if (!columns)
    throw new ImportError("bad-columns", `${name} is empty: a manifest needs a header line with a file_name column`, {
      file,
      line: 1,
    });
  if (out.length) yield { records: out, bytesRead: progress.bytesRead };
}

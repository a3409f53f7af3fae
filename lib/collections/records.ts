import path from "node:path";
import { z } from "zod";
import { describePosition, ImportError, type ImportErrorCode } from "./errors";
import { categoryRank, rankChain, scientificName } from "./taxonomy";

// One record of a source (a JSON array element, a CSV row), validated with zod and turned into the
// row that is staged. Every format goes through these, so every format gets the same checks and the
// same messages ("images[12].file_name is required").

/** Where a record is, for messages: a JSON section and index, or a CSV line. */
export type RecordPlace = {
  file: string;
  section: string;
  index: number;
  line?: number;
  column?: number;
  /** CSV rows are named by line ("line 7: file_name ..."), JSON records by index ("images[3].file_name") */
  csv?: boolean;
};

export type StagedImage = {
  ord: number;
  line: number | null;
  source_id: string;
  file_name: string;
  width: number | null;
  height: number | null;
  observed_at: string | null;
  latitude: number | null;
  longitude: number | null;
  location_uncertainty: number | null;
  license: string | null;
  rights_holder: string | null;
};

export type StagedTaxon = {
  ord: number;
  line: number | null;
  source_id: string;
  name: string;
  common_name: string | null;
  rank: string | null;
  kingdom: string | null;
  phylum: string | null;
  class: string | null;
  order: string | null;
  family: string | null;
  genus: string | null;
  species: string | null;
  iconic_group: string | null;
  image_dir_name: string | null;
};

export type StagedAnnotation = { ord: number; line: number | null; image_id: string; category_id: string };
export type StagedLicense = { ord: number; line: number | null; source_id: string; name: string | null };

export type SourceRecord =
  | { kind: "image"; row: StagedImage }
  | { kind: "taxon"; row: StagedTaxon }
  | { kind: "annotation"; row: StagedAnnotation }
  | { kind: "license"; row: StagedLicense };

const id = z.union([z.number().int(), z.string().min(1)]);
const text = z.string().nullish();
const positiveInt = z.number().int().positive().nullish();

const imageSchema = z.object({
  id,
  file_name: z.string().min(1),
  width: positiveInt,
  height: positiveInt,
  date: z.string().nullish(),
  latitude: z.number().min(-90).max(90).nullish(),
  longitude: z.number().min(-180).max(180).nullish(),
  location_uncertainty: z.number().min(0).nullish(),
  // COCO files give a licence id into their licenses section; others give the licence's name
  license: z.union([z.string(), z.number().int()]).nullish(),
  rights_holder: text,
});

const categorySchema = z.object({
  id,
  name: text,
  common_name: text,
  supercategory: text,
  kingdom: text,
  phylum: text,
  class: text,
  order: text,
  family: text,
  genus: text,
  specific_epithet: text,
  image_dir_name: text,
});

const annotationSchema = z.object({ image_id: id, category_id: id });
const licenseSchema = z.object({ id, name: text, url: text });

// What each field must be, for messages; zod's own wording is generic.
const EXPECTED: Record<string, string> = {
  id: "must be an integer or a non-empty string",
  image_id: "must be an integer or a non-empty string",
  category_id: "must be an integer or a non-empty string",
  file_name: "must be a non-empty string",
  width: "must be a positive integer",
  height: "must be a positive integer",
  date: "must be a date such as 2021-05-06 or 2021-05-06 14:30:00+00:00",
  latitude: "must be a number from -90 to 90",
  longitude: "must be a number from -180 to 180",
  location_uncertainty: "must be a number of metres, 0 or more",
  license: "must be a licence name or a licence id",
};

const REQUIRED = new Set(["id", "file_name", "image_id", "category_id"]);

function where(place: RecordPlace, field?: string): string {
  const file = path.basename(place.file);
  if (place.csv) return `${file} line ${place.line}: ${field ?? "row"}`;
  return `${file}: ${place.section}[${place.index}]${field ? `.${field}` : ""}`;
}

function at(place: RecordPlace): string {
  if (place.csv) return "";
  const pos = describePosition(place);
  return pos ? ` (${pos})` : "";
}

export function recordError(
  code: ImportErrorCode,
  place: RecordPlace,
  field: string | undefined,
  problem: string,
  id?: string,
): ImportError {
  return new ImportError(code, `${where(place, field)} ${problem}${at(place)}`, {
    file: place.file,
    section: place.section,
    index: place.index,
    field,
    line: place.line,
    column: place.column,
    id,
  });
}

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function validate<T>(schema: z.ZodType<T>, raw: unknown, place: RecordPlace): T {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw recordError("bad-structure", place, undefined, `must be an object, got ${show(raw)}`);
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = String(issue.path[0] ?? "");
  const value = (raw as Record<string, unknown>)[field];
  // null counts as missing for the fields a record cannot do without
  if (value === undefined || (value === null && REQUIRED.has(field))) missing(place, field);
  const expected = EXPECTED[field] ?? "must be a string";
  throw recordError("invalid-field", place, field, `${expected}, got ${show(value)}`);
}

function missing(place: RecordPlace, field: string): never {
  throw recordError("missing-field", place, field, "is required");
}

// iNat's "2021-05-06 14:30:00+00:00" and ISO 8601. The common shapes are checked here and handed to
// PostgreSQL as they are (parsing a million dates in JS is slow); anything else goes through Date.
const DATE_SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function parseDate(value: string | null | undefined, place: RecordPlace): string | null {
  if (value === null || value === undefined) return null;
  const s = value.trim();
  if (s === "") return null;
  const m = DATE_SHAPE.exec(s);
  if (m) {
    const [month, day] = [Number(m[2]), Number(m[3])];
    const ok =
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= DAYS_IN_MONTH[month - 1] &&
      (m[4] === undefined || (Number(m[4]) < 24 && Number(m[5]) < 60 && (m[6] === undefined || Number(m[6]) < 60)));
    // February 29th of a non-leap year slips through; Date settles it
    if (ok && !(month === 2 && day === 29)) {
      // a time without a zone is taken as UTC, so the result does not depend on the machine
      if (m[4] === undefined) return `${m[1]}-${m[2]}-${m[3]}T00:00:00Z`;
      return m[7] === undefined ? `${s.replace(" ", "T")}Z` : s;
    }
  }
  const ms = Date.parse(
    /Z|[+-]\d{2}:?\d{2}$/.test(s)
      ? s.replace(/^(\d{4}-\d{2}-\d{2}) /, "$1T")
      : `${s.replace(/^(\d{4}-\d{2}-\d{2}) /, "$1T")}Z`,
  );
  if (Number.isNaN(ms) || (m && new Date(ms).getUTCDate() !== Number(m[3]))) {
    throw recordError("invalid-field", place, "date", `${EXPECTED.date}, got ${show(value)}`);
  }
  return new Date(ms).toISOString();
}

const blank = (s: string | null | undefined): string | null =>
  s === undefined || s === null || s.trim() === "" ? null : s;

/**
 * An image record. `resolveFileName` maps the source's file_name to the path stored (relative to the
 * images root) and returns null when it escapes the root.
 */
export function parseImage(
  raw: unknown,
  place: RecordPlace,
  ord: number,
  resolveFileName: (f: string) => string | null,
  rootLabel: string,
): StagedImage {
  const r = validate(imageSchema, raw, place);
  const fileName = resolveFileName(r.file_name);
  if (fileName === null) {
    throw recordError(
      "path-escapes-root",
      place,
      "file_name",
      `${show(r.file_name)} is outside the images root ${rootLabel}`,
      String(r.id),
    );
  }
  return {
    ord,
    line: place.line ?? null,
    source_id: String(r.id),
    file_name: fileName,
    width: r.width ?? null,
    height: r.height ?? null,
    observed_at: parseDate(r.date, place),
    latitude: r.latitude ?? null,
    longitude: r.longitude ?? null,
    location_uncertainty: r.location_uncertainty ?? null,
    license: r.license === null || r.license === undefined ? null : blank(String(r.license)),
    rights_holder: blank(r.rights_holder),
  };
}

/** A category record, with its rank worked out and its full rank chain. */
export function parseCategory(raw: unknown, place: RecordPlace, ord: number): StagedTaxon {
  const c = validate(categorySchema, raw, place);
  const fields = {
    name: blank(c.name),
    kingdom: blank(c.kingdom),
    phylum: blank(c.phylum),
    class: blank(c.class),
    order: blank(c.order),
    family: blank(c.family),
    genus: blank(c.genus),
    specific_epithet: blank(c.specific_epithet),
  };
  const chain = rankChain(fields);
  const commonName = blank(c.common_name);
  return {
    ord,
    line: place.line ?? null,
    source_id: String(c.id),
    name: scientificName(fields.name, chain, commonName ?? `category ${c.id}`),
    common_name: commonName,
    rank: categoryRank(fields.name, chain),
    ...chain,
    iconic_group: blank(c.supercategory),
    image_dir_name: blank(c.image_dir_name),
  };
}

export function parseAnnotation(raw: unknown, place: RecordPlace, ord: number): StagedAnnotation {
  const a = validate(annotationSchema, raw, place);
  return { ord, line: place.line ?? null, image_id: String(a.image_id), category_id: String(a.category_id) };
}

export function parseLicense(raw: unknown, place: RecordPlace, ord: number): StagedLicense {
  const l = validate(licenseSchema, raw, place);
  return { ord, line: place.line ?? null, source_id: String(l.id), name: blank(l.name) ?? blank(l.url) };
}

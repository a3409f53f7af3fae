import { z } from "zod";

// The one image filter: what the browse page, the search page, GET /api/collections/[name]/images and
// .../search, `fieldmark search` and candidate surfacing all take. This file is the type, its checks and
// its URL form, free of server imports (client components use it); what each field selects in the
// database is lib/filters/sql.ts, the only place that turns a filter into SQL. The meaning, once:
//
// - taxon (a name, case-insensitive) with a rank:
//   - kingdom, phylum, class, order, family or genus: the subtree, i.e. every taxon whose rank chain has
//     that name at that rank, and a taxon that is itself that rank and name;
//   - species: the binomial ("Danaus plexippus") and the ranks below it (subspecies, variety, form):
//     taxa whose genus and epithet make the binomial, taxa named it at species rank (or unranked: the
//     taxon typeahead offers an unranked category as a species), and taxa below species whose name
//     starts with it ("Danaus plexippus plexippus");
//   - any other rank (subspecies, tribe, ...): the taxa that are that rank and name (the rank chain has
//     no column for it, so nothing below them can be told).
//   With a rank the name is scientific. Without a rank: the name at any rank, scientific or common
//   (every rank's selection above, plus the taxa whose own name or common name it is).
// - iconicGroup: taxa of that iconic group, case-insensitive ("aves" is "Aves").
// - from, to: calendar days (YYYY-MM-DD) in UTC, both inclusive: an image observed at 23:30 UTC on the
//   `to` day is in. An image with no observation time is out when either is set.
// - bbox: latitude within minLat..maxLat and longitude within minLon..maxLon, edges included; minLon >
//   maxLon is a box across the antimeridian (170..-170 is the 20 degrees around 180). An image with no
//   place is out.
// Conditions combine with AND. An empty filter selects the whole collection.

export const CHAIN_RANKS = ["kingdom", "phylum", "class", "order", "family", "genus"] as const;
export type ChainRank = (typeof CHAIN_RANKS)[number];
/** Ranks a species filter reaches down to. */
export const BELOW_SPECIES_RANKS = ["subspecies", "variety", "form"] as const;

export type BoundingBox = { minLon: number; minLat: number; maxLon: number; maxLat: number };

export type ImageFilter = {
  /** a taxon name at some rank: "Papilionidae" (family), "Papilio machaon" (species), "Monarch" (no rank) */
  taxon?: string;
  /** the rank `taxon` names; without it the name matches at any rank, scientific or common */
  rank?: string;
  iconicGroup?: string;
  /** calendar days (UTC), both inclusive */
  from?: string;
  to?: string;
  bbox?: BoundingBox;
};

/** A filter that breaks a rule (a programmer's or a caller's mistake); `field` names the part. */
export class FilterError extends Error {
  constructor(
    readonly field: string,
    /** what is wrong, without the field */
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = "FilterError";
  }
}

const DAY_MESSAGE = "Dates are YYYY-MM-DD";
/** A calendar day, YYYY-MM-DD (a real one: no February 30th). */
export const daySchema = z.iso.date({ message: DAY_MESSAGE });

const FOUR_NUMBERS = "bbox is minLon,minLat,maxLon,maxLat (four numbers)";

/** What is wrong with a box, or null. */
function bboxProblem(b: BoundingBox): string | null {
  const { minLon, minLat, maxLon, maxLat } = b;
  if ([minLon, minLat, maxLon, maxLat].some((n) => typeof n !== "number" || !Number.isFinite(n))) return FOUR_NUMBERS;
  if ([minLon, maxLon].some((x) => x < -180 || x > 180) || [minLat, maxLat].some((y) => y < -90 || y > 90))
    return "bbox longitudes are within -180..180 and latitudes within -90..90";
  if (minLat > maxLat) return "bbox minLat is greater than maxLat";
  return null; // minLon > maxLon is allowed: the box crosses the antimeridian
}

const datesInOrder = (f: { from?: string; to?: string }) => !(f.from && f.to && f.from > f.to);
const DATES_MESSAGE = { message: "from is after to", path: ["from"] };

/** A filter built in code (not parsed from a URL): checked before it reaches SQL. */
const filterSchema = z
  .object({
    taxon: z.string().trim().min(1).max(300).optional(),
    rank: z.string().trim().min(1).max(40).optional(),
    iconicGroup: z.string().trim().min(1).max(200).optional(),
    from: daySchema.optional(),
    to: daySchema.optional(),
    bbox: z
      .object({ minLon: z.number(), minLat: z.number(), maxLon: z.number(), maxLat: z.number() })
      .superRefine((b, ctx) => {
        const problem = bboxProblem(b);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
  })
  .refine(datesInOrder, DATES_MESSAGE);

/** The filter, checked; throws FilterError naming the first field that is wrong. */
export function checkFilter(filter: ImageFilter): ImageFilter {
  const parsed = filterSchema.safeParse(filter);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FilterError(String(issue.path[0] ?? "filter"), issue.message);
  }
  return parsed.data;
}

export function isFilterEmpty(filter: ImageFilter | undefined): boolean {
  return !filter || filterToSearchParams(filter).size === 0;
}

// ---- the URL form: taxon=&rank=&iconic_group=&from=&to=&bbox=minLon,minLat,maxLon,maxLat ----

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().trim().max(max).optional());

/** "minLon,minLat,maxLon,maxLat" as a box (the URL's and the CLI's form). */
export const bboxParamSchema = z.string().transform((s, ctx) => {
  // an empty part is not a zero
  const parts = s.split(",").map((p) => (p.trim() === "" ? NaN : Number(p.trim())));
  const [minLon, minLat, maxLon, maxLat] = parts;
  const box = { minLon, minLat, maxLon, maxLat };
  const problem = parts.length === 4 ? bboxProblem(box) : FOUR_NUMBERS;
  if (problem) {
    ctx.addIssue({ code: "custom", message: problem });
    return z.NEVER;
  }
  return box satisfies BoundingBox;
});

/** The filter's URL parameters, for schemas that take more (a page's cursor, a search's k). */
export const filterParamsShape = {
  taxon: optionalText(300),
  rank: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[a-z_]{1,40}$/, "rank is a lower-case rank name such as family or species")
      .optional(),
  ),
  iconic_group: optionalText(200),
  from: z.preprocess(blankToUndefined, daySchema.optional()),
  to: z.preprocess(blankToUndefined, daySchema.optional()),
  bbox: z.preprocess(blankToUndefined, bboxParamSchema.optional()),
};

const filterParamsSchema = z.object(filterParamsShape).refine(datesInOrder, DATES_MESSAGE);

export type RawParams = URLSearchParams | Record<string, string | string[] | undefined>;

/** The first value of each parameter (a repeated parameter counts once, as a page reads it). */
export function firstValues(params: RawParams): Record<string, string | undefined> {
  if (params instanceof URLSearchParams)
    return Object.fromEntries([...params.keys()].map((k) => [k, params.get(k) ?? undefined]));
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

/** The message for the first issue of a failed parse: "field: what is wrong". */
export function issueMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.join(".") || "query"}: ${issue.message}`;
}

/** URL parameters (other parameters are ignored) as a filter, or a message naming what is wrong. */
export function parseFilterParams(params: RawParams): { ok: true; filter: ImageFilter } | { ok: false; error: string } {
  const parsed = filterParamsSchema.safeParse(firstValues(params));
  if (!parsed.success) return { ok: false, error: issueMessage(parsed.error) };
  const q = parsed.data;
  const filter: ImageFilter = {};
  if (q.taxon) filter.taxon = q.taxon;
  if (q.taxon && q.rank) filter.rank = q.rank; // a rank alone means nothing
  if (q.iconic_group) filter.iconicGroup = q.iconic_group;
  if (q.from) filter.from = q.from;
  if (q.to) filter.to = q.to;
  if (q.bbox) filter.bbox = q.bbox;
  return { ok: true, filter };
}

/** The filter as URL query parameters (the inverse of parseFilterParams). */
export function filterToSearchParams(filter: ImageFilter): URLSearchParams {
  const p = new URLSearchParams();
  if (filter.taxon) p.set("taxon", filter.taxon);
  if (filter.taxon && filter.rank) p.set("rank", filter.rank);
  if (filter.iconicGroup) p.set("iconic_group", filter.iconicGroup);
  if (filter.from) p.set("from", filter.from);
  if (filter.to) p.set("to", filter.to);
  if (filter.bbox) {
    const b = filter.bbox;
    p.set("bbox", [b.minLon, b.minLat, b.maxLon, b.maxLat].join(","));
  }
  return p;
}

// ---- the command line's form of a taxon: "genus:Danaus", "species:Danaus plexippus", or a bare name ----

const ARG_RANKS: readonly string[] = [
  ...CHAIN_RANKS,
  "species",
  ...BELOW_SPECIES_RANKS,
  "superfamily",
  "subfamily",
  "tribe",
];

/** A `--taxon` argument as the filter's taxon and rank; a prefix that is not a rank is part of the name. */
export function parseTaxonArg(arg: string): Pick<ImageFilter, "taxon" | "rank"> {
  const m = /^([a-z]+):(.+)$/i.exec(arg.trim());
  if (m && ARG_RANKS.includes(m[1].toLowerCase())) return { taxon: m[2].trim(), rank: m[1].toLowerCase() };
  return { taxon: arg.trim() };
}

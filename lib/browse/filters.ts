import { z } from "zod";

// The image filters of the collection page and of GET /api/collections/[name]/images, one schema for
// both so a page URL and an API URL mean the same thing. Free of server imports: client code uses it.

export const CHAIN_RANKS = ["kingdom", "phylum", "class", "order", "family", "genus"] as const;
export type ChainRank = (typeof CHAIN_RANKS)[number];

export type BoundingBox = { minLon: number; minLat: number; maxLon: number; maxLat: number };

export type ImageFilter = {
  /** a taxon name at some rank: "Papilionidae" (family), "Papilio machaon" (species), ... */
  taxon?: string;
  /** the rank `taxon` names; without it the name matches at any rank */
  rank?: string;
  iconicGroup?: string;
  /** calendar days (UTC), both inclusive */
  from?: string;
  to?: string;
  bbox?: BoundingBox;
};

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().trim().max(max).optional());
const optionalDay = z.preprocess(blankToUndefined, z.iso.date({ message: "Dates are YYYY-MM-DD" }).optional());

const bboxSchema = z.string().transform((s, ctx) => {
  const parts = s.split(",").map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) {
    ctx.addIssue({ code: "custom", message: "bbox is minLon,minLat,maxLon,maxLat (four numbers)" });
    return z.NEVER;
  }
  const [minLon, minLat, maxLon, maxLat] = parts;
  if ([minLon, maxLon].some((x) => x < -180 || x > 180) || [minLat, maxLat].some((y) => y < -90 || y > 90)) {
    ctx.addIssue({ code: "custom", message: "bbox longitudes are within -180..180 and latitudes within -90..90" });
    return z.NEVER;
  }
  if (minLat > maxLat) {
    ctx.addIssue({ code: "custom", message: "bbox minLat is greater than maxLat" });
    return z.NEVER;
  }
  // minLon > maxLon is allowed: the box crosses the antimeridian.
  return { minLon, minLat, maxLon, maxLat } satisfies BoundingBox;
});

export const imageQuerySchema = z
  .object({
    taxon: optionalText(300),
    rank: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(/^[a-z_]{1,40}$/, "rank is a lower-case rank name such as family or species")
        .optional(),
    ),
    iconic_group: optionalText(200),
    from: optionalDay,
    to: optionalDay,
    bbox: z.preprocess(blankToUndefined, bboxSchema.optional()),
    cursor: z.preprocess(blankToUndefined, z.string().max(100).optional()),
    limit: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(200).optional()),
  })
  .refine((q) => !(q.from && q.to && q.from > q.to), { message: "from is after to", path: ["from"] });

export type ImageQuery = { filter: ImageFilter; cursor?: string; limit?: number };

type RawParams = URLSearchParams | Record<string, string | string[] | undefined>;

function firstValues(params: RawParams): Record<string, string | undefined> {
  if (params instanceof URLSearchParams)
    return Object.fromEntries([...params.keys()].map((k) => [k, params.get(k) ?? undefined]));
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

/** Parses URL query parameters into a filter, or a message naming what is wrong. */
export function parseImageQuery(params: RawParams): { ok: true; query: ImageQuery } | { ok: false; error: string } {
  const parsed = imageQuerySchema.safeParse(firstValues(params));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue.path.join(".") || "query"}: ${issue.message}` };
  }
  const q = parsed.data;
  const filter: ImageFilter = {};
  if (q.taxon) filter.taxon = q.taxon;
  if (q.taxon && q.rank) filter.rank = q.rank;
  if (q.iconic_group) filter.iconicGroup = q.iconic_group;
  if (q.from) filter.from = q.from;
  if (q.to) filter.to = q.to;
  if (q.bbox) filter.bbox = q.bbox;
  return { ok: true, query: { filter, cursor: q.cursor, limit: q.limit } };
}

/** The filter as URL query parameters (the inverse of parseImageQuery). */
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

export function isFilterEmpty(filter: ImageFilter): boolean {
  return filterToSearchParams(filter).size === 0;
}

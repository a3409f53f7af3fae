import { z } from "zod";
import { QUERY_STATUSES } from "@/lib/queries/fields";
import { DEFAULT_THIN_THRESHOLD } from "./matrix";
import type { DashboardQuery } from "./rows";

// The dashboard table's sort and filters, and the matrix's thin threshold, as URL parameters: parsed
// (zod, the same schema for the page and the API), applied to the rows, and written back into links.
// Client-safe and pure; the page only draws what this returns.

export const SORT_KEYS = [
  "id",
  "text",
  "status",
  "supercategory",
  "category",
  "iconicGroup",
  "judged",
  "relevant",
  "unsure",
  "recall",
  "kappa",
  "annotators",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((v) => v || undefined);

export const dashboardParamsSchema = z.object({
  sort: z.enum(SORT_KEYS).default("id"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  status: z
    .union([z.enum(QUERY_STATUSES), z.literal("")])
    .optional()
    .transform((v) => v || undefined),
  supercategory: optionalText,
  q: optionalText,
  thin: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_THIN_THRESHOLD),
});

export type DashboardParams = z.output<typeof dashboardParamsSchema>;
export const DEFAULT_PARAMS: DashboardParams = dashboardParamsSchema.parse({});

type RawParams = URLSearchParams | Record<string, string | string[] | undefined>;

function plain(params: RawParams): Record<string, string> {
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && k in dashboardParamsSchema.shape) out[k] = value;
  }
  return out;
}

/** The parameters, or what is wrong with the first bad one (named). */
export function parseDashboardParams(
  params: RawParams,
): { ok: true; params: DashboardParams } | { ok: false; error: string } {
  const parsed = dashboardParamsSchema.safeParse(plain(params));
  if (parsed.success) return { ok: true, params: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `${issue.path.join(".") || "parameters"}: ${issue.message}` };
}

const NUMERIC_ID = /^[0-9]{1,15}$/;

/** INQUIRE's numeric ids in numeric order, any other ids after them (as the query list orders them). */
export function compareIds(a: string, b: string): number {
  const na = NUMERIC_ID.test(a);
  const nb = NUMERIC_ID.test(b);
  if (na !== nb) return na ? -1 : 1;
  if (na) return Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortValue(row: DashboardQuery, key: SortKey): string | number | null {
  switch (key) {
    case "status":
      return QUERY_STATUSES.indexOf(row.status);
    case "recall":
      return row.recall?.recall ?? null;
    case "kappa":
      return row.agreement.kappa;
    case "annotators":
      return row.annotators.length;
    case "id":
      return row.id;
    default:
      return row[key];
  }
}

/** The rows the filters keep, in the order asked; missing values (no estimate, no category) go last. */
export function applyDashboardParams(rows: readonly DashboardQuery[], params: DashboardParams): DashboardQuery[] {
  const needle = params.q?.toLocaleLowerCase("en");
  const kept = rows.filter(
    (r) =>
      (!params.status || r.status === params.status) &&
      (!params.supercategory || r.supercategory === params.supercategory) &&
      (!needle || r.text.toLocaleLowerCase("en").includes(needle) || r.id.toLocaleLowerCase("en") === needle),
  );
  const sign = params.dir === "desc" ? -1 : 1;
  return kept.sort((a, b) => {
    if (params.sort !== "id") {
      const x = sortValue(a, params.sort);
      const y = sortValue(b, params.sort);
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
      } else {
        const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "en");
        if (c) return sign * c;
      }
      return compareIds(a.id, b.id);
    }
    return sign * compareIds(a.id, b.id);
  });
}

/** The query string for these parameters, defaults left out ("" when all are defaults). */
export function dashboardSearch(params: DashboardParams): string {
  const sp = new URLSearchParams();
  for (const key of Object.keys(dashboardParamsSchema.shape) as (keyof DashboardParams)[]) {
    const value = params[key];
    if (value !== undefined && value !== DEFAULT_PARAMS[key]) sp.set(key, String(value));
  }
  const s = sp.toString();
  return s ? `?${s}` : "";
}

/** The parameters after a click on a column header: the same column flips its direction. */
export function sortedBy(params: DashboardParams, key: SortKey): DashboardParams {
  if (params.sort === key) return { ...params, dir: params.dir === "asc" ? "desc" : "asc" };
  // counts and estimates read best largest first; names and ids from A and 1
  const numeric: SortKey[] = ["judged", "relevant", "unsure", "recall", "kappa", "annotators"];
  return { ...params, sort: key, dir: numeric.includes(key) ? "desc" : "asc" };
}

/** For a column header's aria-sort. */
export function ariaSort(params: DashboardParams, key: SortKey): "ascending" | "descending" | "none" {
  return params.sort !== key ? "none" : params.dir === "asc" ? "ascending" : "descending";
}

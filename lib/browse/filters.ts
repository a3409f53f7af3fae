import { z } from "zod";
import { firstValues, issueMessage, parseFilterParams, type ImageFilter, type RawParams } from "@/lib/filters/filter";

// The browse grid's URL (the collection page and GET /api/collections/[name]/images): the one image
// filter's parameters (lib/filters/filter.ts) plus the page's cursor and size. Free of server imports.

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const pagingSchema = z.object({
  cursor: z.preprocess(blankToUndefined, z.string().max(100).optional()),
  limit: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(200).optional()),
});

export type ImageQuery = { filter: ImageFilter; cursor?: string; limit?: number };

/** Parses URL query parameters into a filter and a page, or a message naming what is wrong. */
export function parseImageQuery(params: RawParams): { ok: true; query: ImageQuery } | { ok: false; error: string } {
  const filter = parseFilterParams(params);
  if (!filter.ok) return filter;
  const paging = pagingSchema.safeParse(firstValues(params));
  if (!paging.success) return { ok: false, error: issueMessage(paging.error) };
  return { ok: true, query: { filter: filter.filter, cursor: paging.data.cursor, limit: paging.data.limit } };
}

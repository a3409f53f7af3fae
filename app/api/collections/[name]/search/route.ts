import { z } from "zod";
import { imagePagePath, thumbnailUrl } from "@/lib/browse/urls";
import { parseFilterParams } from "@/lib/filters/filter";
import { searchCollection, SearchNotFoundError, SearchRequestError } from "@/lib/search/search-collection";
import { DEFAULT_K } from "@/lib/search/vector-search";
import { jsonError } from "../../../_lib/http";
import { route } from "../../../_lib/route";

/** Larger result lists belong to the CLI (`fieldmark search --json`), not to one HTTP answer. */
const MAX_K = 1000;

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalText = (max: number) =>
  z.preprocess(blankToUndefined, z.string().trim().max(max, `at most ${max} characters`).optional());

const searchQuerySchema = z
  .object({
    model: optionalText(200),
    text: optionalText(1000),
    image: optionalText(1000),
    q: optionalText(500),
    k: z.preprocess(
      blankToUndefined,
      z.coerce
        .number(`k must be a whole number from 1 to ${MAX_K}`)
        .int(`k must be a whole number from 1 to ${MAX_K}`)
        .min(1, `k must be a whole number from 1 to ${MAX_K}`)
        .max(MAX_K, `k must be a whole number from 1 to ${MAX_K}`)
        .default(DEFAULT_K),
    ),
  })
  .superRefine((p, ctx) => {
    const given = (["text", "image", "q"] as const).filter((key) => p[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [given[1] ?? "text"],
        message: "give exactly one of text (text to images), image (similar images) or q (taxonomy text)",
      });
    } else if (given[0] !== "q" && !p.model) {
      ctx.addIssue({ code: "custom", path: ["model"], message: `a model is needed to search by ${given[0]}` });
    }
  });

/**
 * GET /api/collections/[name]/search?model=&(text=|image=|q=)&k=&taxon=&rank=&iconic_group=&from=&to=&bbox=
 * text: the model's text tower, then nearest images; image: images nearest to that image (its source id),
 * itself left out; q: full-text search over taxon names, common names and ranks (no model). Filters are
 * the browse page's (lib/filters: the same parameters select the same images) and apply inside the search. Answers `{ results: [{ image_id, score, thumbnail,
 * page }], mode, strategy }`, best first; strategy is how the database answered: "index" (HNSW),
 * "exact" (a scan) or "full-text".
 */
export const GET = route<{ name: string }>("collections.read", async (request, { params }) => {
  const searchParams = new URL(request.url).searchParams;
  const parsed = searchQuerySchema.safeParse(Object.fromEntries(searchParams));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return jsonError(400, `${issue.path.join(".") || "query"}: ${issue.message}`);
  }
  const filter = parseFilterParams(searchParams);
  if (!filter.ok) return jsonError(400, filter.error);
  const { model: modelName, text, image, q, k } = parsed.data;

  let answer;
  try {
    answer = await searchCollection({
      collection: params.name,
      model: modelName,
      text,
      image,
      metadata: q,
      k,
      filters: filter.filter,
    });
  } catch (e) {
    if (e instanceof SearchRequestError) return jsonError(400, e.message);
    if (e instanceof SearchNotFoundError) return jsonError(404, e.message);
    throw e;
  }
  const { collection, mode, strategy, results } = answer;
  return Response.json({
    mode,
    strategy,
    results: results.map((r) => ({
      image_id: r.sourceId,
      score: r.score,
      thumbnail: thumbnailUrl(collection.name, r.sourceId),
      page: imagePagePath(collection.name, r.sourceId),
    })),
  });
});

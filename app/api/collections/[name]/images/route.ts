import { parseImageQuery } from "@/lib/browse/filters";
import { BadCursorError, countImages, listImages } from "@/lib/browse/images";
import { collectionOr404, jsonError } from "../../../_lib/http";
import { route } from "../../../_lib/route";

/**
 * GET /api/collections/[name]/images?taxon=&rank=&iconic_group=&from=&to=&bbox=&cursor=&limit=
 * One page of images; the first page (no cursor) also carries the total count.
 */
export const GET = route<{ name: string }>("collections.read", async (request, { params }) => {
  const collection = await collectionOr404(params.name);
  const parsed = parseImageQuery(new URL(request.url).searchParams);
  if (!parsed.ok) return jsonError(400, parsed.error);
  const { filter, cursor, limit } = parsed.query;
  try {
    const [page, total] = await Promise.all([
      listImages(collection.id, filter, { cursor, limit }),
      cursor ? undefined : countImages(collection.id, filter),
    ]);
    return Response.json({ ...page, ...(total && { total }) });
  } catch (e) {
    if (e instanceof BadCursorError) return jsonError(400, e.message);
    throw e;
  }
});

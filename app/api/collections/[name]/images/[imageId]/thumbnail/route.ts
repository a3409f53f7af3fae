import fs from "node:fs/promises";
import { imageResponseHeaders } from "@/lib/images/files";
import { thumbnailFor } from "@/lib/images/thumbnails";
import { etagMatches, imageFileOr404, unreadableImageResponse } from "../../../../../_lib/http";
import { route } from "../../../../../_lib/route";

const CACHE_CONTROL = "private, max-age=86400, stale-while-revalidate=604800";

/**
 * GET .../images/[imageId]/thumbnail: the cached thumbnail (made now if missing). An unreadable image
 * gets a placeholder tile that states the reason, so an <img> in a grid always shows something.
 */
export const GET = route<{ name: string; imageId: string }>("collections.read", async (request, { params }) => {
  const { image } = await imageFileOr404(params.name, params.imageId);

  const thumb = await thumbnailFor(image.rowId);
  if ("unreadable" in thumb) return unreadableImageResponse(thumb.unreadable);
  const headers = { ETag: thumb.etag, "Cache-Control": CACHE_CONTROL };
  if (etagMatches(request, thumb.etag)) return new Response(null, { status: 304, headers });
  const body = await fs.readFile(thumb.path);
  // thumbnails are WebP files this app wrote itself
  return new Response(new Uint8Array(body), { headers: { ...headers, ...imageResponseHeaders("image/webp") } });
});

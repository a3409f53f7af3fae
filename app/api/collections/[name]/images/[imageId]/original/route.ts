import crypto from "node:crypto";
import { publicImageError } from "@/lib/images/allowed-roots";
import { imageResponseHeaders, readOriginal } from "@/lib/images/files";
import { etagMatches, imageFileOr404, unreadableImageResponse } from "../../../../../_lib/http";
import { route } from "../../../../../_lib/route";

const CACHE_CONTROL = "private, max-age=3600";

/**
 * GET .../images/[imageId]/original: the image's own bytes, from its folder or URL root. When it cannot
 * be read the answer is 422 with a placeholder picture that states why (an <img> still shows it).
 */
export const GET = route<{ name: string; imageId: string }>("collections.read", async (request, { params }) => {
  const { collection, image } = await imageFileOr404(params.name, params.imageId);

  let original: { body: Buffer; contentType: string };
  try {
    original = await readOriginal({ fileName: image.fileName, imagesRoot: collection.imagesRoot });
  } catch (e) {
    // the detail (a server path, a remote URL) goes to the log; the answer says only what a person can act on
    console.error(`original ${collection.name}/${image.fileName}: ${(e as Error).message}`);
    return unreadableImageResponse(publicImageError(e), 422);
  }
  // Content-addressed: the same bytes always give the same tag, wherever the file lives.
  const etag = `"${crypto.createHash("sha1").update(original.body).digest("base64url")}"`;
  const headers = { ETag: etag, "Cache-Control": CACHE_CONTROL };
  if (etagMatches(request, etag)) return new Response(null, { status: 304, headers });
  return new Response(new Uint8Array(original.body), {
    headers: { ...headers, ...imageResponseHeaders(original.contentType) },
  });
});

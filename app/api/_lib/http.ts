import { findCollection, type CollectionRef } from "@/lib/browse/collections";
import { findImageFile } from "@/lib/browse/images";
import { unreadablePlaceholderSvg } from "@/lib/browse/placeholder";
import { found } from "./route";

// Small shared pieces of the JSON API's route handlers.

export function jsonError(status: number, error: string): Response {
  return Response.json({ error }, { status });
}

/** The collection a URL names (route handlers get their params decoded), or a 404. */
export async function collectionOr404(name: string): Promise<CollectionRef> {
  return found(await findCollection(name), `No collection named ${name}`);
}

/** Whether an If-None-Match header matches this ETag (it may list several, or be "*"). */
export function etagMatches(request: Request, etag: string): boolean {
  const header = request.headers.get("if-none-match");
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

type ImageFile = NonNullable<Awaited<ReturnType<typeof findImageFile>>>;

/** The collection and image file a URL names (the image by its source id), or a 404. */
export async function imageFileOr404(
  name: string,
  imageId: string,
): Promise<{ collection: CollectionRef; image: ImageFile }> {
  const collection = await collectionOr404(name);
  const image = found(await findImageFile(collection.id, imageId), `No image ${imageId} in ${collection.name}`);
  return { collection, image };
}

/**
 * An image that cannot be shown: a placeholder picture that states why (so an <img> still shows
 * something), never cached, with the reason also in a header for scripts.
 */
export function unreadableImageResponse(reason: string, status = 200): Response {
  return new Response(unreadablePlaceholderSvg(reason), {
    status,
    headers: {
      "Content-Type": "image/svg+xml; charset=utf-8",
      "Cache-Control": "private, no-cache",
      // the tile is our own SVG with the reason escaped in it; even so, nothing in it may run or load
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
      "X-Fieldmark-Unreadable": encodeURIComponent(reason).slice(0, 500),
    },
  });
}

import { findCollection, type CollectionRef } from "@/lib/browse/collections";
import { findImageFile } from "@/lib/browse/images";
import { unreadablePlaceholderSvg } from "@/lib/browse/placeholder";

// Small shared pieces of the JSON API's route handlers.

export function jsonError(status: number, error: string): Response {
  return Response.json({ error }, { status });
}

/** The collection a URL names, or a 404 response to return as is. */
export async function collectionOr404(encodedName: string): Promise<CollectionRef | Response> {
  const collection = await findCollection(encodedName);
  return collection ?? jsonError(404, `No collection named ${encodedName}`);
}

/** Whether an If-None-Match header matches this ETag (it may list several, or be "*"). */
export function etagMatches(request: Request, etag: string): boolean {
  const header = request.headers.get("if-none-match");
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

type ImageFile = NonNullable<Awaited<ReturnType<typeof findImageFile>>>;

/** The collection and image file a URL names (the image by its source id), or a 404 response. */
export async function imageFileOr404(
  encodedName: string,
  imageId: string,
): Promise<{ collection: CollectionRef; image: ImageFile } | Response> {
  const collection = await collectionOr404(encodedName);
  if (collection instanceof Response) return collection;
  const image = await findImageFile(collection.id, imageId);
  return image ? { collection, image } : jsonError(404, `No image ${imageId} in ${collection.name}`);
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
      "X-Fieldmark-Unreadable": encodeURIComponent(reason).slice(0, 500),
    },
  });
}

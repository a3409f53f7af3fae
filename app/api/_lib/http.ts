import { findCollection, type CollectionRef } from "@/lib/browse/collections";
import { findImageFile } from "@/lib/browse/images";

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
export async function imageFileOr404(encodedName: string, imageId: string): Promise<{ collection: CollectionRef; image: ImageFile } | Response> {
  const collection = await collectionOr404(encodedName);
  if (collection instanceof Response) return collection;
  const image = await findImageFile(collection.id, imageId);
  return image ? { collection, image } : jsonError(404, `No image ${imageId} in ${collection.name}`);
}

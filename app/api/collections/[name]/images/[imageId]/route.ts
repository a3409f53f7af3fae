import { requireApiUser } from "@/lib/auth/session";
import { getImage } from "@/lib/browse/images";
import { originalUrl, thumbnailUrl } from "@/lib/browse/urls";
import { collectionOr404, jsonError } from "../../../../_lib/http";

/** GET /api/collections/[name]/images/[imageId]: imageId is the source's id, URL-encoded. */
export async function GET(request: Request, { params }: { params: Promise<{ name: string; imageId: string }> }) {
  const user = await requireApiUser(request);
  if (user instanceof Response) return user;
  const { name, imageId } = await params;
  const collection = await collectionOr404(name);
  if (collection instanceof Response) return collection;
  const image = await getImage(collection.id, imageId);
  if (!image) return jsonError(404, `No image ${imageId} in ${collection.name}`);
  return Response.json({
    ...image,
    thumbnailUrl: thumbnailUrl(collection.name, image.id),
    originalUrl: originalUrl(collection.name, image.id),
  });
}

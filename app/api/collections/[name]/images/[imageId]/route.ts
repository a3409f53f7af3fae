import { getImage } from "@/lib/browse/images";
import { originalUrl, thumbnailUrl } from "@/lib/browse/urls";
import { collectionOr404 } from "../../../../_lib/http";
import { found, route } from "../../../../_lib/route";

/** GET /api/collections/[name]/images/[imageId]: imageId is the source's id, URL-encoded. */
export const GET = route<{ name: string; imageId: string }>("collections.read", async (_request, { params }) => {
  const collection = await collectionOr404(params.name);
  const image = found(
    await getImage(collection.id, params.imageId),
    `No image ${params.imageId} in ${collection.name}`,
  );
  return Response.json({
    ...image,
    thumbnailUrl: thumbnailUrl(collection.name, image.id),
    originalUrl: originalUrl(collection.name, image.id),
  });
});

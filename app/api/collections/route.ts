import { requireApiUser } from "@/lib/auth/session";
import { listCollections } from "@/lib/browse/collections";

export async function GET(request: Request) {
  const user = await requireApiUser(request);
  if (user instanceof Response) return user;
  return Response.json({ collections: await listCollections() });
}

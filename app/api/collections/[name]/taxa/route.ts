import { z } from "zod";
import { searchTaxa } from "@/lib/browse/taxa";
import { collectionOr404, jsonError } from "../../../_lib/http";
import { route } from "../../../_lib/route";

const querySchema = z.object({
  q: z.string().trim().max(200).default(""),
  limit: z.coerce.number().int().min(1).max(50).default(15),
});

/** GET /api/collections/[name]/taxa?q=papil: taxa at any rank whose name or common name matches. */
export const GET = route<{ name: string }>("collections.read", async (request, { params }) => {
  const collection = await collectionOr404(params.name);
  const sp = new URL(request.url).searchParams;
  const parsed = querySchema.safeParse({ q: sp.get("q") ?? undefined, limit: sp.get("limit") ?? undefined });
  if (!parsed.success) return jsonError(400, parsed.error.issues[0].message);
  return Response.json({ taxa: await searchTaxa(collection.id, parsed.data.q, parsed.data.limit) });
});

import { createQuery, listQueries, QueryInputError } from "@/lib/queries/queries";
import { queryIdSchema, type QueryFieldsInput } from "@/lib/queries/fields";
import { collectionOr404, jsonError } from "../../../_lib/http";
import { describeZodError, jsonBody } from "../../../_lib/queries";
import { route } from "../../../_lib/route";

/** GET /api/collections/[name]/queries: the collection's queries with how far their labeling is. */
export const GET = route<{ name: string }>("collections.read", async (_request, { params }) => {
  const collection = await collectionOr404(params.name);
  return Response.json({ queries: await listQueries(collection.id) });
});

/**
 * POST /api/collections/[name]/queries {text, supercategory, category, iconicGroup, taxonScope, notes,
 * examples, split, id?}: a new query (its id is the next number unless `id` is given). Only leads and
 * admins may give it a split (403 otherwise; lib/queries enforces it).
 */
export const POST = route<{ name: string }>("queries.write", async (request, { params, user }) => {
  const collection = await collectionOr404(params.name);
  const body = await jsonBody(request);
  if (typeof body !== "object" || body === null) return jsonError(400, "Send the query as a JSON object");
  const { id, ...fields } = body as Record<string, unknown>;
  const sourceId = id === undefined ? undefined : queryIdSchema.safeParse(typeof id === "number" ? String(id) : id);
  if (sourceId && !sourceId.success) return jsonError(400, `id: ${describeZodError(sourceId.error)}`);
  try {
    // createQuery checks every field with the query schema and names the one that is wrong
    const query = await createQuery(collection.id, fields as QueryFieldsInput, user.id, { sourceId: sourceId?.data });
    return Response.json({ query }, { status: 201 });
  } catch (e) {
    if (e instanceof QueryInputError) return Response.json({ error: e.message, field: e.field }, { status: 400 });
    throw e;
  }
});

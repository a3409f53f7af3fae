import { requireApiUser } from "@/lib/auth/session";
import { createQuery, listQueries, QueryInputError } from "@/lib/queries/queries";
import { queryIdSchema, type QueryFieldsInput } from "@/lib/queries/fields";
import { collectionOr404, jsonError } from "../../../_lib/http";
import { describeZodError, jsonBody } from "../../../_lib/queries";

/** GET /api/collections/[name]/queries: the collection's queries with how far their labeling is. */
export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }) {
  const user = await requireApiUser(request);
  if (user instanceof Response) return user;
  const collection = await collectionOr404((await params).name);
  if (collection instanceof Response) return collection;
  return Response.json({ queries: await listQueries(collection.id) });
}

/**
 * POST /api/collections/[name]/queries {text, supercategory, category, iconicGroup, taxonScope, notes,
 * examples, split, id?}: a new query (its id is the next number unless `id` is given).
 */
export async function POST(request: Request, { params }: { params: Promise<{ name: string }> }) {
  const user = await requireApiUser(request);
  if (user instanceof Response) return user;
  const collection = await collectionOr404((await params).name);
  if (collection instanceof Response) return collection;
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
}

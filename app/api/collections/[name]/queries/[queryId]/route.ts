import { z } from "zod";
import { requireApiUser } from "@/lib/auth/session";
import { findQuery, listRevisions, QueryInputError, updateQuery } from "@/lib/queries/queries";
import { collectionOr404, jsonError } from "../../../../_lib/http";
import { describeZodError, jsonBody } from "../../../../_lib/queries";

type Params = { params: Promise<{ name: string; queryId: string }> };

/** GET .../queries/[queryId]: the query with its revisions. */
export async function GET(request: Request, { params }: Params) {
  const user = await requireApiUser(request);
  if (user instanceof Response) return user;
  const { name, queryId } = await params;
  const collection = await collectionOr404(name);
  if (collection instanceof Response) return collection;
  const query = await findQuery(collection.id, queryId);
  if (!query) return jsonError(404, `No query ${queryId} in ${collection.name}`);
  return Response.json({ query, revisions: await listRevisions(query.rowId) });
}

const patchSchema = z.object({ expectedRevision: z.number().int().min(0).optional() }).loose();

/** PATCH .../queries/[queryId] {fields to change..., expectedRevision?}: saves a new revision. */
export async function PATCH(request: Request, { params }: Params) {
  const user = await requireApiUser(request);
  if (user instanceof Response) return user;
  const { name, queryId } = await params;
  const collection = await collectionOr404(name);
  if (collection instanceof Response) return collection;
  const parsed = patchSchema.safeParse(await jsonBody(request));
  if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
  const { expectedRevision, ...changes } = parsed.data;
  try {
    const query = await updateQuery(collection.id, queryId, changes, user.id, { expectedRevision });
    return Response.json({ query });
  } catch (e) {
    if (e instanceof QueryInputError) {
      const status = e.field === "revision" ? 409 : e.field === "id" ? 404 : 400;
      return Response.json({ error: e.message, field: e.field }, { status });
    }
    throw e;
  }
}

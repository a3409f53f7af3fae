import { z } from "zod";
import { findQuery, listRevisions, QueryInputError, updateQuery } from "@/lib/queries/queries";
import { collectionOr404, jsonError } from "../../../../_lib/http";
import { describeZodError, jsonBody } from "../../../../_lib/queries";
import { found, route } from "../../../../_lib/route";

type Params = { name: string; queryId: string };

/** GET .../queries/[queryId]: the query with its revisions. */
export const GET = route<Params>("collections.read", async (_request, { params: { name, queryId } }) => {
  const collection = await collectionOr404(name);
  const query = found(await findQuery(collection.id, queryId), `No query ${queryId} in ${collection.name}`);
  return Response.json({ query, revisions: await listRevisions(query.rowId) });
});

const patchSchema = z.object({ expectedRevision: z.number().int().min(0).optional() }).loose();

/**
 * PATCH .../queries/[queryId] {fields to change..., expectedRevision?}: saves a new revision. A split
 * change is a lead's or an admin's (403 otherwise; lib/queries enforces it).
 */
export const PATCH = route<Params>("queries.write", async (request, { params: { name, queryId }, user }) => {
  const collection = await collectionOr404(name);
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
});

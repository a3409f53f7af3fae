import { z } from "zod";
import { AdjudicationError, adjudicate, ADJUDICATION_VALUES, openAdjudications } from "@/lib/agreement/adjudication";
import { findQueryRef } from "@/lib/queries/queries";
import { collectionOr404, jsonError } from "../../../_lib/http";
import { describeZodError, jsonBody, queryRefOr404 } from "../../../_lib/queries";
import { HttpError, route } from "../../../_lib/route";

type Params = { name: string };

const listSchema = z.object({
  query: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});

/** GET /api/collections/[name]/adjudications?query=&limit=: the open items (disagreements and unsure), every judgment named. */
export const GET = route<Params>("judgments.adjudicate", async (request, { params: { name } }) => {
  const parsed = listSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
  const collection = await collectionOr404(name);
  let queryRowId: number | undefined;
  if (parsed.data.query) {
    const ref = await findQueryRef(name, parsed.data.query);
    if (!ref) throw new HttpError(404, `No query ${parsed.data.query} in ${name}`);
    queryRowId = ref.rowId;
  }
  return Response.json(await openAdjudications(collection.id, { queryRowId, limit: parsed.data.limit }));
});

const adjudicateSchema = z.object({
  queryId: z.string().min(1, "queryId is empty").max(200),
  imageId: z.string().min(1, "imageId is empty").max(1000),
  value: z.enum(ADJUDICATION_VALUES, { message: `value is one of ${ADJUDICATION_VALUES.join(", ")}` }),
  note: z.string().max(2000).nullable().default(null),
});

/** POST /api/collections/[name]/adjudications {queryId, imageId, value, note?}: the lead's final label. */
export const POST = route<Params>("judgments.adjudicate", async (request, { params: { name }, user }) => {
  const parsed = adjudicateSchema.safeParse(await jsonBody(request));
  if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
  const query = await queryRefOr404(name, parsed.data.queryId);
  try {
    return Response.json(await adjudicate(user, query, parsed.data.imageId, parsed.data.value, parsed.data.note));
  } catch (e) {
    if (e instanceof AdjudicationError) return Response.json({ error: e.message, field: e.field }, { status: 400 });
    throw e;
  }
});

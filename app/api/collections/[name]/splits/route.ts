import { z } from "zod";
import { DEFAULT_VAL_SHARE } from "@/lib/splits/assign";
import { DEFAULT_SPLIT_SEED, drawSplits, listSplitQueries, splitCounts } from "@/lib/splits/splits";
import { collectionOr404, jsonError } from "../../../_lib/http";
import { describeZodError, jsonBody } from "../../../_lib/queries";
import { route } from "../../../_lib/route";

type Params = { name: string };

const drawSchema = z.strictObject({
  valShare: z.number().min(0).max(1).default(DEFAULT_VAL_SHARE),
  seed: z.number().int().min(0).max(0xffffffff).default(DEFAULT_SPLIT_SEED),
});

/**
 * POST .../splits {valShare?, seed?}: draws a split for every query without one, stratified by
 * supercategory (queries that have one keep it; frozen ones never change). A query moves one at a time
 * with PATCH .../queries/[queryId] {split}.
 */
export const POST = route<Params>("queries.set-split", async (request, { params: { name }, user }) => {
  const collection = await collectionOr404(name);
  const parsed = drawSchema.safeParse((await jsonBody(request)) ?? {});
  if (!parsed.success) return jsonError(400, describeZodError(parsed.error));
  const drawn = await drawSplits(collection.id, user.id, parsed.data);
  return Response.json({ ...drawn, counts: splitCounts(await listSplitQueries(collection.id)) });
});

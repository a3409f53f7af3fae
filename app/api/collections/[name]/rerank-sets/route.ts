import { z } from "zod";
import { RerankInputError } from "@/lib/rerank/pin";
import { pinRerankSet, rebuildRerankSet, rerankSetsWithBuilds } from "@/lib/rerank/sets";
import { collectionOr404, jsonError } from "../../../_lib/http";
import { describeZodError, jsonBody } from "../../../_lib/queries";
import { route } from "../../../_lib/route";

type Params = { name: string };

/** GET .../rerank-sets: every version, newest first, with its model, counts per status and build. */
export const GET = route<Params>("rerank.manage", async (_request, { params: { name } }) => {
  const collection = await collectionOr404(name);
  return Response.json({ sets: await rerankSetsWithBuilds(collection.id) });
});

const postSchema = z.union([
  z.strictObject({ model: z.string().min(1).max(100), depth: z.number().int().min(1).max(1000).optional() }),
  z.strictObject({ version: z.number().int().positive(), mode: z.enum(["build", "refresh"]) }),
]);

/**
 * POST .../rerank-sets {model, depth?}: pins the model as the next version and queues its build (201).
 * {version, mode: "build" | "refresh"}: builds an unfrozen version again, or refreshes its statuses
 * from the final labels (202); a frozen version is refused (409).
 */
export const POST = route<Params>("rerank.manage", async (request, { params: { name }, user }) => {
  const collection = await collectionOr404(name);
  const parsed = postSchema.safeParse(await jsonBody(request));
  if (!parsed.success)
    return jsonError(
      400,
      `send {"model": name} to pin, or {"version": n, "mode": "build" | "refresh"}: ${describeZodError(parsed.error)}`,
    );
  const body = parsed.data;
  try {
    if ("model" in body) {
      const pinned = await pinRerankSet(collection.id, body.model, user.id, { depth: body.depth });
      return Response.json(pinned, { status: 201 });
    }
    const queued = await rebuildRerankSet(collection.id, body.version, body.mode);
    return Response.json({ version: body.version, mode: body.mode, ...queued }, { status: 202 });
  } catch (e) {
    if (!(e instanceof RerankInputError)) throw e;
    const status = /frozen/.test(e.message) ? 409 : e.field === "version" ? 404 : 400;
    return Response.json({ error: e.message, ...(e.field && { field: e.field }) }, { status });
  }
});

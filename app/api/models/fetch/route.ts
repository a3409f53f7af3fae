import { z } from "zod";
import { enqueueModelFetch, ModelFetchInputError, recentModelFetches } from "@/lib/jobs/model-fetch";
import { VARIANTS } from "@/lib/models/hub/plan";
import { readJson } from "../../_lib/body";
import { jsonError } from "../../_lib/http";
import { route } from "../../_lib/route";

/** GET /api/models/fetch: the latest fetches from the hub and where each stands. */
export const GET = route("models.register", async () => Response.json({ fetches: await recentModelFetches() }));

const fetchSchema = z.object({
  repo: z.string("repo: owner/name[@revision] on the Hugging Face hub").trim().min(1, "repo: owner/name[@revision]"),
  name: z.string("name: the name to use the model by").trim().min(1, "name: the name to use the model by"),
  variant: z.enum(VARIANTS, `variant: one of ${VARIANTS.join(", ")}`).default("fp32"),
});

/**
 * POST /api/models/fetch {repo, name, variant?}: queues a fetch of the model from the hub (the worker
 * downloads and registers it); 202 {fetchId, jobId}. A second ask for the same name while one runs
 * answers that one.
 */
export const POST = route("models.register", async (request, { user }) => {
  const parsed = fetchSchema.safeParse(await readJson(request, 16 * 1024).catch(() => ({})));
  if (!parsed.success) return jsonError(400, parsed.error.issues[0].message);
  try {
    const queued = await enqueueModelFetch({ ...parsed.data, userId: user.id });
    return Response.json(queued, { status: 202 });
  } catch (e) {
    if (e instanceof ModelFetchInputError) return Response.json({ error: e.message, field: e.field }, { status: 400 });
    throw e;
  }
});

import { z } from "zod";
import { compareRuns } from "@/lib/eval/compare";
import { checkRunRequest, MAX_RUN_K, RunRequestError } from "@/lib/eval/run-request";
import { startRun } from "@/lib/eval/runs";
import { readJson } from "../../../_lib/body";
import { collectionOr404 } from "../../../_lib/http";
import { route } from "../../../_lib/route";

/** GET /api/collections/[name]/runs: the collection's model runs, newest first, with their means. */
export const GET = route<{ name: string }>("eval.read", async (_request, { params }) => {
  const collection = await collectionOr404(params.name);
  const rows = await compareRuns(collection.id);
  return Response.json({
    runs: rows.map((r) => ({ ...r.run, mean: r.mean, queries: r.queries, categories: r.categories })),
  });
});

const startSchema = z.object({
  model: z.string().min(1).max(100),
  secondModel: z.string().min(1).max(100).nullish(),
  rerankSet: z.number().int().positive().nullish(),
  k: z.number().int().min(1).max(MAX_RUN_K).default(50),
});

/** POST /api/collections/[name]/runs {model, secondModel?, rerankSet?, k?}: queues a run; 202 with its id. */
export const POST = route<{ name: string }>("eval.run", async (request, { params, user }) => {
  const collection = await collectionOr404(params.name);
  const parsed = startSchema.safeParse(await readJson(request, 64 * 1024).catch(() => null));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return Response.json({ error: issue.message, field: issue.path.join(".") }, { status: 400 });
  }
  try {
    const run = await checkRunRequest({
      collectionId: collection.id,
      model: parsed.data.model,
      secondModel: parsed.data.secondModel,
      rerankSetVersion: parsed.data.rerankSet,
      k: parsed.data.k,
      command: `POST /api/collections/${collection.name}/runs ${JSON.stringify(parsed.data)}`,
      createdBy: user.id,
    });
    return Response.json(await startRun(run), { status: 202 });
  } catch (e) {
    if (e instanceof RunRequestError) return Response.json({ error: e.message, field: e.field }, { status: 400 });
    throw e;
  }
});

import { z } from "zod";
import { ExportPlanError, exportPlan } from "@/lib/export/plan";
import { exportJson } from "@/lib/export/rows";
import { enqueueExport, exportStatuses } from "@/lib/jobs/export";
import { collectionOr404, jsonError } from "../../../_lib/http";
import { route } from "../../../_lib/route";

const optionsSchema = z.object({
  include_unfinished: z.boolean("include_unfinished: true or false").default(false),
  rerank_set: z.number("rerank_set: a rerank set version number").int().positive().optional(),
  annotator_names: z.boolean("annotator_names: true or false").default(false),
});

/**
 * GET /api/collections/[name]/exports[?include_unfinished=1]: what an export would publish now (queries
 * per split, the left-out list with reasons, the rerank set, judgment counts) and the past exports.
 */
export const GET = route<{ name: string }>("exports.create", async (request, { params }) => {
  const collection = await collectionOr404(params.name);
  const includeUnfinished = new URL(request.url).searchParams.get("include_unfinished") === "1";
  const plan = await exportPlan(collection.id, { includeUnfinished });
  return Response.json({
    plan: {
      queries: plan.perSplit,
      left_out: plan.leftOut,
      rerank_set: plan.rerankSet && { version: plan.rerankSet.version, model: plan.rerankSet.modelName },
      judgments: plan.judgments,
      adjudications: plan.adjudications,
    },
    exports: (await exportStatuses(collection.id)).map(exportJson),
  });
});

/**
 * POST /api/collections/[name]/exports {include_unfinished?, rerank_set?, annotator_names?}: queues an
 * export for the worker; 202 with its id (the one already queued or running, if any).
 */
export const POST = route<{ name: string }>("exports.create", async (request, { params, user }) => {
  const parsed = optionsSchema.safeParse(await request.json().catch(() => ({})));
  if (!parsed.success) return jsonError(400, parsed.error.issues[0].message);
  const collection = await collectionOr404(params.name);
  try {
    const queued = await enqueueExport(collection.id, {
      includeUnfinished: parsed.data.include_unfinished,
      rerankSetVersion: parsed.data.rerank_set,
      annotatorNames: parsed.data.annotator_names,
      userId: user.id,
    });
    return Response.json(
      { export_id: queued.exportId, job_id: queued.jobId, already_queued: queued.alreadyQueued },
      { status: 202 },
    );
  } catch (e) {
    if (e instanceof ExportPlanError) return jsonError(409, e.message);
    throw e;
  }
});

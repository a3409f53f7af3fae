import { z } from "zod";
import { embeddingProgress } from "@/lib/embeddings/embed-images";
import { enqueueEmbedding, pendingEmbeddingJobs } from "@/lib/jobs/embeddings";
import { listModels } from "@/lib/models/registry";
import { findModel, noModelMessage } from "@/lib/search/lookup";
import { enqueueIndexBuild, indexBuildStatus } from "@/lib/jobs/indexes";
import { indexInfo } from "@/lib/vectors/hnsw";
import { findVectorStore } from "@/lib/vectors/storage";
import { collectionOr404, jsonError } from "../../../_lib/http";
import { found, route } from "../../../_lib/route";

/**
 * GET /api/collections/[name]/embeddings: for every registered model, how far this collection is
 * embedded, whether the model's HNSW index exists (one index per model, over all its collections) and
 * the state of the last build queued, plus how many embedding jobs are queued or running (anywhere), so
 * a page knows to keep polling.
 */
export const GET = route<{ name: string }>("collections.read", async (_request, { params }) => {
  const collection = await collectionOr404(params.name);
  const models = await Promise.all(
    (await listModels()).map(async (m) => {
      const [progress, store] = await Promise.all([embeddingProgress(collection.id, m.id), findVectorStore(m.id)]);
      const [index, build] = store ? await Promise.all([indexInfo(m.id), indexBuildStatus(m.id)]) : [undefined, null];
      return {
        name: m.name,
        kind: m.kind,
        dim: m.dim,
        progress,
        index: {
          built: index?.exists ?? false,
          size_bytes: index?.sizeBytes ?? 0,
          built_at: store?.indexBuiltAt ?? null,
          build,
        },
      };
    }),
  );
  return Response.json({ models, pending_jobs: await pendingEmbeddingJobs() });
});

const actionSchema = z.object({
  model: z.string("model: the name of a registered model").trim().min(1, "model: the name of a registered model"),
  action: z
    .enum(["embed", "index"], "action: embed (queue the images without a vector) or index (build the HNSW index)")
    .default("embed"),
});

/**
 * POST /api/collections/[name]/embeddings {model, action?}
 * - action "embed" (default): queues every readable image without a vector for the worker; 202.
 * - action "index": queues a (re)build of the model's HNSW index for the worker; 202 with the job's id
 *   (the one already queued or running, if any). GET shows its progress.
 */
export const POST = route<{ name: string }>("embeddings.start", async (request, { params }) => {
  const parsed = actionSchema.safeParse(await request.json().catch(() => ({})));
  if (!parsed.success) return jsonError(400, parsed.error.issues[0].message);
  const collection = await collectionOr404(params.name);
  const model = found(await findModel(parsed.data.model), noModelMessage(parsed.data.model));
  if (parsed.data.action === "index") {
    if (!(await findVectorStore(model.id)))
      return jsonError(409, `model ${model.name} has no vectors yet: embed first, then build its index`);
    const { jobId, alreadyQueued } = await enqueueIndexBuild(model.id);
    return Response.json({ index_job: jobId, already_queued: alreadyQueued }, { status: 202 });
  }
  const queued = await enqueueEmbedding(collection.id, model.id);
  return Response.json({ queued }, { status: 202 });
});

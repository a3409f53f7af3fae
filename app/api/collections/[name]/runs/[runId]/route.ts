import { findRun, runQueryMetrics } from "@/lib/eval/runs";
import { collectionOr404 } from "../../../../_lib/http";
import { found, route } from "../../../../_lib/route";

/** GET /api/collections/[name]/runs/[runId]: one run (its progress while it runs) and its metrics per query. */
export const GET = route<{ name: string; runId: string }>("eval.read", async (_request, { params }) => {
  const collection = await collectionOr404(params.name);
  const run = found(
    /^\d{1,9}$/.test(params.runId) ? await findRun(collection.id, Number(params.runId)) : null,
    `No run ${params.runId} in ${collection.name}`,
  );
  return Response.json({ run, perQuery: run.status === "done" ? await runQueryMetrics(run.id) : [] });
});

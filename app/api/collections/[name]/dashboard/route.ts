import { readDashboard } from "@/lib/dashboard/read";
import { applyDashboardParams, parseDashboardParams } from "@/lib/dashboard/table";
import { collectionOr404, jsonError } from "../../../_lib/http";
import { route } from "../../../_lib/route";

/**
 * GET /api/collections/[name]/dashboard?sort=&dir=&status=&supercategory=&q=&thin=: the coverage
 * dashboard's numbers, as the page shows them. `queries` are the rows the filters keep, in the order
 * asked; `totals`, `agreement`, `matrix` (thin below `thin` relevant, default 5), `perDay` (UTC days) and
 * `curves` (each query's relevant-find places among its judged images, in judging order) cover every query.
 */
export const GET = route<{ name: string }>("benchmark.read", async (request, { params }) => {
  const parsed = parseDashboardParams(new URL(request.url).searchParams);
  if (!parsed.ok) return jsonError(400, parsed.error);
  const collection = await collectionOr404(params.name);
  const dashboard = await readDashboard(collection.id, { thin: parsed.params.thin });
  return Response.json({
    collection: collection.name,
    params: parsed.params,
    ...dashboard,
    queries: applyDashboardParams(dashboard.queries, parsed.params),
  });
});

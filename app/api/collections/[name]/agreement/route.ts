import { agreementSummary } from "@/lib/agreement/summary";
import { collectionOr404 } from "../../../_lib/http";
import { route } from "../../../_lib/route";

/**
 * GET /api/collections/[name]/agreement: raw agreement and Cohen's kappa per query (with judged and
 * overlapped counts), per annotator pair (with names) and overall: the agreement page's numbers.
 */
export const GET = route<{ name: string }>("benchmark.read", async (_request, { params: { name } }) => {
  const collection = await collectionOr404(name);
  return Response.json(await agreementSummary(collection.id));
});

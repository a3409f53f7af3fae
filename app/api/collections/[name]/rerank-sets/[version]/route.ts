import { rerankBuildStatus } from "@/lib/jobs/rerank";
import { findRerankSet, rerankSetRows } from "@/lib/rerank/read";
import { collectionOr404 } from "../../../../_lib/http";
import { found, HttpError, route } from "../../../../_lib/route";

type Params = { name: string; version: string };

/**
 * GET .../rerank-sets/[version]: the version with its build, and every query it placed (status, counts,
 * split) with its ranked images (rank, the model's score, final-label relevance).
 */
export const GET = route<Params>("rerank.manage", async (_request, { params: { name, version } }) => {
  const collection = await collectionOr404(name);
  if (!/^[1-9][0-9]{0,8}$/.test(version)) throw new HttpError(404, `No rerank set version ${version}`);
  const set = found(await findRerankSet(collection.id, Number(version)), `No rerank set version ${version} in ${name}`);
  const [build, queries] = await Promise.all([rerankBuildStatus(set.id), rerankSetRows(set.id)]);
  return Response.json({ set: { ...set, build }, queries });
});

import { learningSummary } from "@/lib/active-learning/summary";
import { requestLearningRound } from "@/lib/jobs/learning";
import { findQuery } from "@/lib/queries/queries";
import { collectionOr404 } from "../../../../../_lib/http";
import { found, route } from "../../../../../_lib/route";

type Params = { name: string; queryId: string };

/**
 * GET .../queries/[queryId]/learning: the query's status and its last learning round's summary (stopping
 * signals, recall estimate, looks complete), or `learning: null` before the first round.
 */
export const GET = route<Params>("collections.read", async (_request, { params: { name, queryId } }) => {
  const collection = await collectionOr404(name);
  const query = found(await findQuery(collection.id, queryId), `No query ${queryId} in ${collection.name}`);
  return Response.json({ status: query.status, learning: await learningSummary(query.rowId) });
});

/** POST .../queries/[queryId]/learning: asks the worker for a round now; 202 `{queued}` (false: one is waiting). */
export const POST = route<Params>("judgments.write", async (_request, { params: { name, queryId } }) => {
  const collection = await collectionOr404(name);
  const query = found(await findQuery(collection.id, queryId), `No query ${queryId} in ${collection.name}`);
  const job = await requestLearningRound(query.rowId);
  return Response.json({ queued: job !== null }, { status: 202 });
});

"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionError, serverAction } from "@/lib/actions/server-action";
import { findQueryRef } from "@/lib/queries/queries";
import { finishQuery, reopenQuery } from "@/lib/queries/status";
import { judgePath, queriesPath, queryEditPath } from "@/lib/queries/urls";

const changeQueryStatusSchema = z.object({
  collection: z.string().min(1).max(200),
  queryId: z.string().min(1).max(200),
  action: z.enum(["finish", "reopen"]),
  /** finish a query that does not look complete: the lead has confirmed it */
  override: z.boolean().optional(),
});

/**
 * A lead finishes a query (only one that looks complete, unless `override`) or reopens a finished one;
 * lib/queries/status decides and its refusal comes back as the error. Answers the new status.
 */
export const changeQueryStatus = serverAction("queries.finish", changeQueryStatusSchema, async (input, user) => {
  const ref = await findQueryRef(input.collection, input.queryId);
  if (!ref) return actionError(`No query ${input.queryId} in ${input.collection}`, "queryId");
  const query =
    input.action === "finish"
      ? await finishQuery(ref, user, { override: input.override })
      : await reopenQuery(ref, user);
  for (const path of [
    queriesPath(input.collection),
    queryEditPath(input.collection, input.queryId),
    judgePath(input.collection, input.queryId),
  ])
    revalidatePath(path);
  return { status: query.status };
});

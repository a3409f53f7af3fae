"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { assignOverlap, OverlapError } from "@/lib/agreement/overlap";
import { actionError, serverAction } from "@/lib/actions/server-action";
import { agreementPath } from "@/lib/benchmark/urls";
import { findQueryRef } from "@/lib/queries/queries";

const sendOverlapSchema = z.object({
  collection: z.string().min(1).max(200),
  queryIds: z.array(z.string().min(1).max(200)).min(1, "Choose at least one query").max(1000),
  assignee: z.string().min(1, "Choose the second expert").max(100),
  /** percent of each query's judged images, 10 unless the lead says otherwise */
  sharePercent: z.number().gt(0, "The share is more than 0%").max(100, "The share is at most 100%").default(10),
});

export type OverlapOutcome = { queryId: string; added: number; chosen: number } | { queryId: string; error: string };

/**
 * Sends each chosen query's blind overlap sample to the second expert (lib/agreement/overlap decides
 * what goes and refuses what may not). One query's refusal does not stop the others; each says its own.
 */
export const sendOverlap = serverAction("agreement.assign", sendOverlapSchema, async (input, user) => {
  const outcomes: OverlapOutcome[] = [];
  for (const queryId of input.queryIds) {
    const ref = await findQueryRef(input.collection, queryId);
    if (!ref) {
      outcomes.push({ queryId, error: `No query ${queryId} in ${input.collection}` });
      continue;
    }
    try {
      const r = await assignOverlap(user, ref, { assigneeId: input.assignee, share: input.sharePercent / 100 });
      outcomes.push({ queryId, added: r.added, chosen: r.chosen });
    } catch (e) {
      if (!(e instanceof OverlapError)) throw e;
      if (e.field !== "query" && input.queryIds.length === 1) return actionError(e.message, e.field);
      outcomes.push({ queryId, error: e.message });
    }
  }
  revalidatePath(agreementPath(input.collection));
  return { outcomes };
});

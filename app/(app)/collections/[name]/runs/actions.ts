"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionError, serverAction } from "@/lib/actions/server-action";
import { runsPath } from "@/lib/benchmark/urls";
import { findCollection } from "@/lib/browse/collections";
import { checkRunRequest, MAX_RUN_K, RunRequestError } from "@/lib/eval/run-request";
import { startRun } from "@/lib/eval/runs";

const startSchema = z.object({
  collection: z.string().min(1).max(200),
  model: z.string().min(1, "Choose a model").max(100),
  secondModel: z.string().max(100).optional(),
  rerankSet: z.preprocess(
    (v) => (v === "" || v === null ? undefined : v),
    z.coerce.number().int().positive().optional(),
  ),
  k: z.coerce.number().int().min(1, "k is at least 1").max(MAX_RUN_K, `k is at most ${MAX_RUN_K}`),
});

/** Starts a run of a registered model over the collection's finished queries: its scoring job is queued. */
export const startRunAction = serverAction("eval.run", startSchema, async (input, user) => {
  const collection = await findCollection(input.collection);
  if (!collection) return actionError(`No collection named ${input.collection}`, "collection");
  try {
    const run = await checkRunRequest({
      collectionId: collection.id,
      model: input.model,
      secondModel: input.secondModel || null,
      rerankSetVersion: input.rerankSet ?? null,
      k: input.k,
      command: `the runs page: model ${input.model}${input.secondModel ? `, re-ordered by ${input.secondModel}` : ""}${input.rerankSet ? `, rerank set v${input.rerankSet}` : ""}, k = ${input.k} (same as: fieldmark eval --collection ${collection.name} --model ${input.model}${input.secondModel ? ` --second-model ${input.secondModel}` : ""}${input.rerankSet ? ` --rerank-set ${input.rerankSet}` : ""} --k ${input.k})`,
      createdBy: user.id,
    });
    const started = await startRun(run);
    revalidatePath(runsPath(collection.name));
    return started;
  } catch (e) {
    if (e instanceof RunRequestError) return actionError(e.message, e.field);
    throw e;
  }
});

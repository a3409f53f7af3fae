"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionError, serverAction } from "@/lib/actions/server-action";
import { rerankPath } from "@/lib/benchmark/urls";
import { findCollection } from "@/lib/browse/collections";
import { RerankInputError } from "@/lib/rerank/pin";
import { pinRerankSet, rebuildRerankSet } from "@/lib/rerank/sets";

const pinSchema = z.object({
  collection: z.string().min(1).max(200),
  model: z.string().min(1, "Choose a model").max(100),
});

/** A lead pins a model: the next rerank set version, its build queued (lib/rerank/sets refuses what may not). */
export const pinRerankModel = serverAction("rerank.manage", pinSchema, async (input, user) => {
  const collection = await findCollection(input.collection);
  if (!collection) return actionError(`No collection named ${input.collection}`, "collection");
  try {
    const pinned = await pinRerankSet(collection.id, input.model, user.id);
    revalidatePath(rerankPath(input.collection));
    return { version: pinned.version };
  } catch (e) {
    if (e instanceof RerankInputError) return actionError(e.message, e.field);
    throw e;
  }
});

const rebuildSchema = z.object({
  collection: z.string().min(1).max(200),
  version: z.coerce.number().int().positive(),
  mode: z.enum(["build", "refresh"]),
});

/** Builds an unfrozen version again, or refreshes its statuses from the final labels; a frozen one is refused. */
export const rebuildRerankVersion = serverAction("rerank.manage", rebuildSchema, async (input) => {
  const collection = await findCollection(input.collection);
  if (!collection) return actionError(`No collection named ${input.collection}`, "collection");
  try {
    const queued = await rebuildRerankSet(collection.id, input.version, input.mode);
    revalidatePath(rerankPath(input.collection));
    return queued;
  } catch (e) {
    if (e instanceof RerankInputError) return actionError(e.message, e.field);
    throw e;
  }
});

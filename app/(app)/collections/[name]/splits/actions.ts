"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionError, serverAction } from "@/lib/actions/server-action";
import { splitsPath } from "@/lib/benchmark/urls";
import { findCollection } from "@/lib/browse/collections";
import { SPLITS } from "@/lib/queries/fields";
import { drawSplits, moveSplit } from "@/lib/splits/splits";

const drawSchema = z.object({
  collection: z.string().min(1).max(200),
  valPercent: z.coerce.number().min(0, "The val share is 0% to 100%").max(100, "The val share is 0% to 100%"),
  seed: z.coerce.number().int("The seed is a whole number").min(0, "The seed is 0 or more").max(0xffffffff),
});

/** Draws a split for every query without one, stratified by supercategory (lib/splits refuses what may not). */
export const drawCollectionSplits = serverAction("queries.set-split", drawSchema, async (input, user) => {
  const collection = await findCollection(input.collection);
  if (!collection) return actionError(`No collection named ${input.collection}`, "collection");
  const result = await drawSplits(collection.id, user.id, { valShare: input.valPercent / 100, seed: input.seed });
  revalidatePath(splitsPath(input.collection));
  return result;
});

const moveSchema = z.object({
  collection: z.string().min(1).max(200),
  queryId: z.string().min(1).max(200),
  split: z.enum(SPLITS),
});

/** Moves one query to val or test; refused once an export froze its split. */
export const moveQuerySplit = serverAction("queries.set-split", moveSchema, async (input, user) => {
  const collection = await findCollection(input.collection);
  if (!collection) return actionError(`No collection named ${input.collection}`, "collection");
  const query = await moveSplit(collection.id, input.queryId, input.split, user.id);
  revalidatePath(splitsPath(input.collection));
  return { queryId: query.id, split: query.split };
});

"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { actionError, serverAction } from "@/lib/actions/server-action";
import { findCollection } from "@/lib/browse/collections";
import type { QueryFieldsInput } from "@/lib/queries/fields";
import { createQuery, updateQuery } from "@/lib/queries/queries";
import { queriesPath } from "@/lib/queries/urls";

// The fields themselves are checked by lib/queries (parseQueryFields), which names the wrong one; it
// also refuses a split change from someone who may not set splits (the form hides the field from them).
const saveQuerySchema = z.object({
  collection: z.string().min(1).max(200),
  /** null: a new query */
  queryId: z.string().min(1).max(200).nullable(),
  /** the revision the editor was opened at, so a concurrent save is caught */
  expectedRevision: z.number().int().min(0).nullable(),
  fields: z.record(z.string(), z.unknown()),
});

/** Saves the query editor: answers the query's id and its new revision number. */
export const saveQuery = serverAction("queries.write", saveQuerySchema, async (input, user) => {
  const collection = await findCollection(input.collection);
  if (!collection) return actionError(`No collection named ${input.collection}`, "collection");
  const fields = input.fields as Partial<QueryFieldsInput>;
  const query =
    input.queryId === null
      ? await createQuery(collection.id, fields as QueryFieldsInput, user.id)
      : await updateQuery(collection.id, input.queryId, fields, user.id, {
          expectedRevision: input.expectedRevision ?? undefined,
        });
  revalidatePath(queriesPath(collection.name));
  return { id: query.id, revision: query.revision };
});

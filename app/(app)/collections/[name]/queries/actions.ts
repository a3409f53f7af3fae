"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireUser } from "@/lib/auth/session";
import { findCollection } from "@/lib/browse/collections";
import type { QueryFieldsInput } from "@/lib/queries/fields";
import { createQuery, QueryInputError, updateQuery } from "@/lib/queries/queries";
import { queriesPath } from "@/lib/queries/urls";

export type SaveQueryInput = {
  collection: string;
  /** null: a new query */
  queryId: string | null;
  /** the revision the editor was opened at, so a concurrent save is caught */
  expectedRevision: number | null;
  fields: QueryFieldsInput;
};
export type SaveQueryResult = { ok: true; id: string; revision: number } | { ok: false; error: string; field?: string };

/** Saves the query editor. Anyone signed in writes queries; only leads and admins set the split. */
// The fields themselves are checked by lib/queries (parseQueryFields), which names the wrong one.
const saveQuerySchema = z.object({
  collection: z.string().min(1).max(200),
  queryId: z.string().min(1).max(200).nullable(),
  expectedRevision: z.number().int().min(0).nullable(),
  fields: z.record(z.string(), z.unknown()),
});

export async function saveQuery(raw: SaveQueryInput): Promise<SaveQueryResult> {
  const user = await requireUser();
  const parsed = saveQuerySchema.safeParse(raw);
  if (!parsed.success)
    return { ok: false, error: `The form sent something unexpected: ${parsed.error.issues[0].message}` };
  const input = parsed.data as SaveQueryInput;
  const collection = await findCollection(input.collection);
  if (!collection) return { ok: false, error: `No collection named ${input.collection}` };
  const { split, ...rest } = input.fields;
  const fields = user.role === "expert" ? rest : { ...rest, split };
  try {
    const query =
      input.queryId === null
        ? await createQuery(collection.id, fields as QueryFieldsInput, user.id)
        : await updateQuery(collection.id, input.queryId, fields, user.id, {
            expectedRevision: input.expectedRevision ?? undefined,
          });
    revalidatePath(queriesPath(collection.name));
    return { ok: true, id: query.id, revision: query.revision };
  } catch (e) {
    if (e instanceof QueryInputError) return { ok: false, error: e.message, field: e.field };
    throw e;
  }
}

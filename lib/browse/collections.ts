import { db } from "@/lib/db/client";
import type { CollectionRow } from "@/lib/db/rows";

// Finding a collection, and its iconic groups. The collection summary (listCollections) is
// lib/collections/list.ts.

export type CollectionRef = Pick<CollectionRow, "id" | "name" | "description" | "imagesRoot">;

/**
 * The one collection lookup (pages, route handlers, server actions, the CLI, search): by name, exactly
 * as imported, never by internal id; null when there is none, for the caller to say so in its words.
 */
export async function findCollection(name: string): Promise<CollectionRef | null> {
  const { rows } = await db().query<CollectionRef>(
    `SELECT id, name, description, images_root AS "imagesRoot" FROM collections WHERE name = $1`,
    [name],
  );
  return rows[0] ?? null;
}

/** The iconic groups (Insecta, Aves, Fungi, ...) the collection's taxa belong to, with how many taxa each. */
export async function listIconicGroups(collectionId: number): Promise<{ group: string; taxa: number }[]> {
  const { rows } = await db().query<{ group: string; taxa: number }>(
    `SELECT iconic_group AS "group", count(*)::int AS taxa FROM taxa
      WHERE collection_id = $1 AND iconic_group IS NOT NULL GROUP BY iconic_group ORDER BY iconic_group`,
    [collectionId],
  );
  return rows;
}

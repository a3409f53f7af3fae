import { db } from "@/lib/db/client";
import type { CollectionRow } from "@/lib/db/rows";

// Collections as the browse pages and GET /api/collections show them.

export type CollectionSummary = {
  name: string;
  description: string | null;
  images: number;
  taxa: number;
  createdAt: Date;
};
export type CollectionRef = Pick<CollectionRow, "id" | "name" | "description" | "imagesRoot">;

export async function listCollections(): Promise<CollectionSummary[]> {
  // Counted per collection through the (collection_id, ...) indexes, not by joining images to taxa.
  const { rows } = await db().query<CollectionSummary>(
    `SELECT c.name, c.description, c.created_at AS "createdAt",
            (SELECT count(*)::int FROM images i WHERE i.collection_id = c.id) AS images,
            (SELECT count(*)::int FROM taxa t WHERE t.collection_id = c.id) AS taxa
       FROM collections c ORDER BY c.name`,
  );
  return rows;
}

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

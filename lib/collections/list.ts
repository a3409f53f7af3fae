import { db } from "@/lib/db/client";
import type { CollectionRow } from "@/lib/db/rows";

// The one collection summary: what the collections page, GET /api/collections and `fieldmark collections
// list` show, so the three can never count differently.

export type CollectionSummary = Pick<CollectionRow, "name"> & {
  /** the collection's description, when it has one */
  description?: string;
  images: number;
  /**
   * the categories its images can be labelled with: the taxa that have images, and those of species rank
   * (a higher-rank row that only stands in the source's taxonomy, with no images, is not counted)
   */
  taxa: number;
};

export async function listCollections(): Promise<CollectionSummary[]> {
  // counted per collection through the (collection_id, ...) indexes, not by joining images to taxa
  const { rows } = await db().query<Pick<CollectionRow, "name" | "description"> & { images: number; taxa: number }>(
    `SELECT c.name, c.description,
       (SELECT count(*) FROM images i WHERE i.collection_id = c.id)::int AS images,
       (SELECT count(*) FROM taxa t WHERE t.collection_id = c.id
          AND (t.rank = 'species' OR EXISTS (SELECT 1 FROM images i WHERE i.collection_id = c.id AND i.taxon_id = t.id)))::int AS taxa
     FROM collections c ORDER BY c.name`,
  );
  return rows.map((r) => ({
    name: r.name,
    ...(r.description && { description: r.description }),
    images: r.images,
    taxa: r.taxa,
  }));
}

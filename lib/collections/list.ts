import { db } from "@/lib/db/client";

// Collections as people see them: name, how many images, how many taxa.

export type CollectionSummary = {
  name: string;
  images: number;
  /** distinct species-level categories: those that have images, and those of species rank */
  taxa: number;
};

export async function listCollections(): Promise<CollectionSummary[]> {
  const r = await db().query(
    `SELECT c.name,
       (SELECT count(*) FROM images i WHERE i.collection_id = c.id)::int AS images,
       (SELECT count(*) FROM taxa t WHERE t.collection_id = c.id
          AND (t.rank = 'species' OR EXISTS (SELECT 1 FROM images i WHERE i.collection_id = c.id AND i.taxon_id = t.id)))::int AS taxa
     FROM collections c ORDER BY c.name`,
  );
  return r.rows.map((row) => ({ name: row.name, images: row.images, taxa: row.taxa }));
}

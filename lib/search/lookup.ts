import { db } from "@/lib/db/client";
import type { ModelRow } from "@/lib/db/rows";

// Names people type (model names, image source ids) to the rows lib/ works with. A collection is
// found by lib/browse/collections' findCollection. Every lookup answers null when there is no such
// thing; the caller says so in its own words (a 404, a CLI message). Names only, never internal ids:
// a collection or model called "12" is that one, not row 12.

export type ModelRef = Pick<ModelRow, "id" | "name" | "kind" | "folder" | "dim">;

export async function findModel(name: string): Promise<ModelRef | null> {
  const r = await db().query<ModelRef>("SELECT id, name, kind, folder, dim FROM models WHERE name = $1", [name]);
  return r.rows[0] ?? null;
}

/** The internal id of an image from the id users see (its source id). */
export async function findImageRowId(collectionId: number, sourceId: string): Promise<number | null> {
  const r = await db().query<{ id: number }>("SELECT id FROM images WHERE collection_id = $1 AND source_id = $2", [
    collectionId,
    sourceId,
  ]);
  return r.rows[0] ? Number(r.rows[0].id) : null;
}

/** What the CLI and the search API say about a model name nobody registered. */
export function noModelMessage(name: string): string {
  return `no model named "${name}": register one with \`fieldmark models add <folder> --name <name>\``;
}

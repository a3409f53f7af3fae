import { db } from "@/lib/db/client";

// Names users type (collection and model names, image source ids) to the internal ids lib/ works with.

export async function collectionByName(nameOrId: string): Promise<{ id: number; name: string }> {
  const r = await db().query<{ id: number; name: string }>(
    "SELECT id, name FROM collections WHERE name = $1 OR ($1 ~ '^[0-9]{1,9}$' AND id = $1::int) ORDER BY name = $1 DESC LIMIT 1",
    [nameOrId],
  );
  if (!r.rows[0]) throw new Error(`no collection named "${nameOrId}"`);
  return r.rows[0];
}

export type ModelRow = { id: number; name: string; kind: string; folder: string; dim: number };

export async function modelByName(nameOrId: string): Promise<ModelRow> {
  const r = await db().query<ModelRow>(
    "SELECT id, name, kind, folder, dim FROM models WHERE name = $1 OR ($1 ~ '^[0-9]{1,9}$' AND id = $1::int) ORDER BY name = $1 DESC LIMIT 1",
    [nameOrId],
  );
  if (!r.rows[0])
    throw new Error(`no model named "${nameOrId}": register one with \`fieldmark models add <folder> --name <name>\``);
  return r.rows[0];
}

/** The internal id of an image from the id users see (its source id). */
export async function imageBySourceId(collectionId: number, sourceId: string): Promise<number> {
  const r = await db().query<{ id: number }>("SELECT id FROM images WHERE collection_id = $1 AND source_id = $2", [
    collectionId,
    sourceId,
  ]);
  if (!r.rows[0]) throw new Error(`no image "${sourceId}" in this collection`);
  return Number(r.rows[0].id);
}

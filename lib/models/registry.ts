import path from "node:path";
import { db } from "@/lib/db/client";
import { ensureVectorStorage, hasVectors } from "@/lib/vectors/storage";
import { describeModel, openModel, closeModel } from "./open-model";

// Registering a model: its folder is opened and checked (files, tensor names, a dummy run that
// measures the embedding size) before anything is written, then it gets its vector table.

export type RegisteredModel = {
  id: number;
  name: string;
  kind: "clip" | "image";
  folder: string;
  dim: number;
  half: boolean;
};

export class ModelRegistrationError extends Error {}

export async function registerModel(opts: { folder: string; name: string; half?: boolean }): Promise<RegisteredModel> {
  const name = opts.name.trim();
  if (!/^[\w.@+-]{1,100}$/.test(name)) {
    throw new ModelRegistrationError(`model name "${opts.name}" must be 1-100 letters, digits or . _ - @ +`);
  }
  const folder = path.resolve(opts.folder);
  const model = await openModel(folder); // throws ModelFolderError listing every problem
  const description = describeModel(model);
  await closeModel(model);
  const existing = await db().query("SELECT id, folder, dim FROM models WHERE name = $1", [name]);
  let id: number;
  if (existing.rows[0]) {
    const row = existing.rows[0];
    if (row.folder !== folder || row.dim !== description.dim) {
      throw new ModelRegistrationError(
        `a model named "${name}" is already registered from ${row.folder} (${row.dim}-d); choose another name`,
      );
    }
    id = row.id; // same folder again: nothing changes
  } else {
    const r = await db().query(
      "INSERT INTO models (name, kind, folder, dim, config) VALUES ($1, $2, $3, $4, $5) RETURNING id",
      [name, description.kind, folder, description.dim, JSON.stringify(description)],
    );
    id = r.rows[0].id;
  }
  let store;
  try {
    store = await ensureVectorStorage(id, description.dim, { half: opts.half });
  } catch (e) {
    // no model row without its vector table: a failed registration leaves nothing behind
    if (!existing.rows[0]) await db().query("DELETE FROM models WHERE id = $1", [id]);
    throw new ModelRegistrationError(`model "${name}" cannot store its vectors: ${(e as Error).message}`);
  }
  return { id, name, kind: description.kind, folder, dim: description.dim, half: store.half };
}

export async function listModels(): Promise<{ id: number; name: string; kind: string; folder: string; dim: number }[]> {
  const r = await db().query("SELECT id, name, kind, folder, dim FROM models ORDER BY name");
  return r.rows;
}

/** Registered models that have vectors for this collection: the ones worth searching it with. */
export async function modelsWithVectors(
  collectionId: number,
): Promise<{ id: number; name: string; kind: string; folder: string; dim: number }[]> {
  const models = await listModels();
  const has = await Promise.all(models.map((m) => hasVectors(m.id, collectionId)));
  return models.filter((_, i) => has[i]);
}

import { findCollection, type CollectionRef } from "@/lib/browse/collections";
import { findModel, noModelMessage, type ModelRef } from "@/lib/search/lookup";

// The names a command is given (--collection, --model), found by the same lookups as the app's, and
// what the command says when one is not there.

export async function collectionNamed(name: string): Promise<CollectionRef> {
  const collection = await findCollection(name);
  if (!collection) throw new Error(`no collection named ${JSON.stringify(name)} (see \`fieldmark collections list\`)`);
  return collection;
}

export async function modelNamed(name: string): Promise<ModelRef> {
  const model = await findModel(name);
  if (!model) throw new Error(noModelMessage(name));
  return model;
}

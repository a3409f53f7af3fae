import type { SearchFilters } from "./filters";
import { collectionByName, imageBySourceId, modelByName } from "./lookup";
import { searchMetadata } from "./metadata-search";
import { embedQueryText } from "./text-query";
import { imageVector, searchByVectorDetailed, type SearchResult } from "./vector-search";

// One search, as the CLI and the HTTP API both ask for it: exactly one of text (text tower, then
// nearest images), image (nearest to that image, itself left out) or metadata (taxonomy full text),
// with the same filters and the same errors, so the two ways in can never drift apart.

export type CollectionSearch = {
  collection: string;
  model?: string;
  text?: string;
  image?: string;
  metadata?: string;
  k: number;
  filters?: SearchFilters;
  /** "exact" forces a scan; "auto" lets the search pick the index or a scan */
  strategy?: "auto" | "exact";
  efSearch?: number;
};

export type CollectionSearchAnswer = {
  collection: { id: number; name: string };
  mode: "text" | "image" | "metadata";
  /** how the database answered: "index" (HNSW), "exact" (a scan) or "full-text" */
  strategy: "index" | "exact" | "full-text";
  results: SearchResult[];
};

/** A request that cannot be answered as asked (the caller's mistake, not a missing thing). */
export class SearchRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export async function searchCollection(s: CollectionSearch): Promise<CollectionSearchAnswer> {
  const given = (["text", "image", "metadata"] as const).filter((key) => s[key] !== undefined);
  if (given.length !== 1)
    throw new SearchRequestError(
      given[1] ?? "text",
      "give exactly one of text (text to images), image (similar images) or metadata (taxonomy text)",
    );
  const mode = given[0];
  // lookups throw a plain Error naming what is unknown (the API answers 404 with it)
  const collection = await collectionByName(s.collection);
  const filters = s.filters ?? {};
  if (mode === "metadata") {
    return {
      collection,
      mode,
      strategy: "full-text",
      results: await searchMetadata(collection.id, s.metadata!, { k: s.k, filters }),
    };
  }
  if (!s.model) throw new SearchRequestError("model", `a model is needed to search by ${mode}`);
  const model = await modelByName(s.model);
  const common = { collectionId: collection.id, k: s.k, filters, strategy: s.strategy ?? "auto", efSearch: s.efSearch };
  if (mode === "text") {
    if (model.kind !== "clip") {
      throw new SearchRequestError(
        "model",
        `"${model.name}" is image-only and has no text tower: search it by image, or pick a CLIP-family model to search by text`,
      );
    }
    const detail = await searchByVectorDetailed(model.id, await embedQueryText(model, s.text!), common);
    return { collection, mode, strategy: detail.strategy, results: detail.results };
  }
  const imageId = await imageBySourceId(collection.id, s.image!);
  const query = await imageVector(model.id, imageId).catch((e: Error) => {
    if (!/has no vector/.test(e.message)) throw e;
    throw new Error(`image "${s.image}" has no vector for model "${model.name}": embed this collection with it first`);
  });
  const detail = await searchByVectorDetailed(model.id, query.vector, { ...common, excludeImageIds: [imageId] });
  return { collection, mode, strategy: detail.strategy, results: detail.results };
}

import { findCollection } from "@/lib/browse/collections";
import { checkFilter, FilterError, type ImageFilter } from "@/lib/filters/filter";
import { findImageRowId, findModel, noModelMessage } from "./lookup";
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
  filters?: ImageFilter;
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

/** Something the request names is not there: a collection, a model, an image or its vector (a 404). */
export class SearchNotFoundError extends Error {}

function filtersOf(s: CollectionSearch): ImageFilter {
  try {
    return checkFilter(s.filters ?? {});
  } catch (e) {
    if (e instanceof FilterError) throw new SearchRequestError(e.field, e.detail);
    throw e;
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
  const filters = filtersOf(s);
  const collection = await findCollection(s.collection);
  if (!collection) throw new SearchNotFoundError(`no collection named "${s.collection}"`);
  if (mode === "metadata") {
    return {
      collection,
      mode,
      strategy: "full-text",
      results: await searchMetadata(collection.id, s.metadata!, { k: s.k, filters }),
    };
  }
  if (!s.model) throw new SearchRequestError("model", `a model is needed to search by ${mode}`);
  const model = await findModel(s.model);
  if (!model) throw new SearchNotFoundError(noModelMessage(s.model));
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
  const imageId = await findImageRowId(collection.id, s.image!);
  if (imageId === null) throw new SearchNotFoundError(`no image "${s.image}" in this collection`);
  const query = await imageVector(model.id, imageId).catch((e: Error) => {
    if (!/has no vector/.test(e.message)) throw e;
    throw new SearchNotFoundError(
      `image "${s.image}" has no vector for model "${model.name}": embed this collection with it first`,
    );
  });
  const detail = await searchByVectorDetailed(model.id, query.vector, { ...common, excludeImageIds: [imageId] });
  return { collection, mode, strategy: detail.strategy, results: detail.results };
}

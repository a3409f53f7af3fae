import { filterToSearchParams, type ImageFilter } from "@/lib/filters/filter";

// Paths to pages and API resources. An image id is the source's own id (it may hold slashes for a
// folder import), so it travels as one URL-encoded path segment. Free of server imports.

const seg = encodeURIComponent;

export function collectionPath(collection: string, filter: ImageFilter = {}): string {
  const qs = filterToSearchParams(filter).toString();
  return `/collections/${seg(collection)}${qs ? `?${qs}` : ""}`;
}

export function imagePagePath(collection: string, sourceId: string): string {
  return `/collections/${seg(collection)}/images/${seg(sourceId)}`;
}

export function imageApiPath(collection: string, sourceId: string): string {
  return `/api/collections/${seg(collection)}/images/${seg(sourceId)}`;
}

export function thumbnailUrl(collection: string, sourceId: string): string {
  return `${imageApiPath(collection, sourceId)}/thumbnail`;
}

export function originalUrl(collection: string, sourceId: string): string {
  return `${imageApiPath(collection, sourceId)}/original`;
}

/**
 * A dynamic segment as a page receives it. Next hands pages their params URL-encoded (route handlers
 * get them decoded), so "oak%2F01.jpg" must become "oak/01.jpg" before it is looked up.
 */
export function pageParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

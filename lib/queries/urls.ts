// Paths to the query pages and API. Query ids, like image ids, travel as one URL-encoded segment.
// Free of server imports.

const seg = encodeURIComponent;

export const queriesPath = (collection: string) => `/collections/${seg(collection)}/queries`;
export const newQueryPath = (collection: string) => `${queriesPath(collection)}/new`;
export const queryEditPath = (collection: string, queryId: string) => `${queriesPath(collection)}/${seg(queryId)}/edit`;

/** The judging grid; a lead may open another annotator's queue (read-only). */
export function judgePath(collection: string, queryId: string, annotator?: string): string {
  return `${queriesPath(collection)}/${seg(queryId)}${annotator ? `?annotator=${seg(annotator)}` : ""}`;
}

/** An annotator's judgments of the query, latest first, to look over and change. */
export function judgedPath(collection: string, queryId: string, annotator?: string): string {
  return `${queriesPath(collection)}/${seg(queryId)}/judged${annotator ? `?annotator=${seg(annotator)}` : ""}`;
}

export const queryApiPath = (collection: string, queryId: string) =>
  `/api/collections/${seg(collection)}/queries/${seg(queryId)}`;

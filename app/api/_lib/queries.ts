import type { z } from "zod";
import { findCollection } from "@/lib/browse/collections";
import { findQueryRef, findQueryRefFast, type QueryRef } from "@/lib/queries/queries";
import { HttpError } from "./route";

// Shared pieces of the query and judging route handlers.

/**
 * The query a URL names (collection name, query id), or a 404 saying which of the two is missing.
 * `fast`: may answer from a lookup a few seconds old (the judgment and queue endpoints, called constantly).
 */
export async function queryRefOr404(
  collection: string,
  queryId: string,
  opts: { fast?: boolean } = {},
): Promise<QueryRef> {
  const ref = await (opts.fast ? findQueryRefFast : findQueryRef)(collection, queryId);
  if (ref) return ref;
  // only on a miss: is it the collection that is not there, or the query?
  const message = (await findCollection(collection))
    ? `No query ${queryId} in ${collection}`
    : `No collection named ${collection}`;
  throw new HttpError(404, message);
}

/** The first problem zod found, saying where: "writes.3.value: value is one of ...". */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.map(String).join(".");
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** A JSON body, or undefined when there is none or it is not JSON (zod then says what was expected). */
export async function jsonBody(request: Request): Promise<unknown> {
  return request.json().catch(() => undefined);
}

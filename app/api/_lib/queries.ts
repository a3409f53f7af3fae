import type { z } from "zod";
import { findQueryRef, findQueryRefFast, type QueryRef } from "@/lib/queries/queries";
import { jsonError } from "./http";

// Shared pieces of the query and judging route handlers.

/**
 * The query a URL names (collection name, query id), or a 404 response to return as is. `fast`: may
 * answer from a lookup a few seconds old (the judgment and queue endpoints, called constantly).
 */
export async function queryRefOr404(
  collection: string,
  queryId: string,
  opts: { fast?: boolean } = {},
): Promise<QueryRef | Response> {
  const found = await (opts.fast ? findQueryRefFast : findQueryRef)(collection, queryId);
  if ("missing" in found) {
    return jsonError(
      404,
      found.missing === "collection" ? `No collection named ${collection}` : `No query ${queryId} in ${collection}`,
    );
  }
  return found;
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

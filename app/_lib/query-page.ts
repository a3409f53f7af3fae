import { notFound } from "next/navigation";
import type { Permission } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { findCollection } from "@/lib/browse/collections";
import { pageParam } from "@/lib/browse/urls";
import { findQuery } from "@/lib/queries/queries";

// What every page of one query starts from (the editor, the judging grid, the review page): the
// signed-in user, the collection and the query the URL names, or a 404.

export type QueryPageParams = Promise<{ name: string; queryId: string }>;

export async function loadQuery(params: QueryPageParams, permission: Permission) {
  const user = await requireUser(permission);
  const { name, queryId } = await params;
  const collection = await findCollection(pageParam(name));
  if (!collection) notFound();
  const query = await findQuery(collection.id, pageParam(queryId));
  if (!query) notFound();
  return { user, collection, query };
}

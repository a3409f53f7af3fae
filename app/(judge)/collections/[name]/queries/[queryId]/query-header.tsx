import type { ReactNode } from "react";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { loadQuery, type QueryPageParams } from "@/app/_lib/query-page";
import { listUsers } from "@/lib/auth/users";
import { collectionPath } from "@/lib/browse/urls";
import { seesEveryone } from "@/lib/judgments/visibility";
import type { QueryRecord } from "@/lib/queries/queries";
import { queriesPath } from "@/lib/queries/urls";

// What the judging grid and the review page both start from: the signed-in user, the query, and whose
// judgments to show (an expert always their own; a lead anyone's, picked by ?annotator=).

export type Person = { id: string; name: string };

export async function loadQueryPage(params: QueryPageParams, searchParams: Promise<{ annotator?: string }>) {
  const { user, collection, query } = await loadQuery(params, "judgments.write");
  const lead = seesEveryone(user.role);
  const people: Person[] = lead
    ? (await listUsers()).map((u) => ({ id: u.id, name: u.name }))
    : [{ id: user.id, name: user.name }];
  const requested = lead ? (await searchParams).annotator : undefined;
  const annotator = people.find((p) => p.id === requested) ?? { id: user.id, name: user.name };
  return { user, collection, query, lead, people, annotator };
}

export function QueryHeader({
  collection,
  query,
  actions,
}: {
  collection: string;
  query: QueryRecord;
  actions: ReactNode;
}) {
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection), label: collection },
          { href: queriesPath(collection), label: "Queries" },
        ]}
        current={query.id}
      />
      <header className="mb-3 flex flex-wrap items-start justify-between gap-x-6 gap-y-2">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold tracking-tight whitespace-pre-wrap" data-testid="query-text">
            {query.text}
          </h1>
          <p className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-sm text-stone-600">
            {[query.supercategory, query.category, query.iconicGroup].filter(Boolean).join(" · ") || "No category yet"}
            {query.taxonScope.length > 0 && (
              <span data-testid="query-scope">
                Scope:{" "}
                {query.taxonScope.map((t, i) => (
                  <span key={`${t.rank}:${t.name}`}>
                    {i > 0 && ", "}
                    {t.rank} <i>{t.name}</i>
                  </span>
                ))}
              </span>
            )}
          </p>
          {query.notes && <p className="mt-1 max-w-3xl text-sm whitespace-pre-wrap text-stone-700">{query.notes}</p>}
        </div>
        <div className="flex shrink-0 gap-2">{actions}</div>
      </header>
    </>
  );
}

export const headerLinkClass =
  "rounded-md border border-stone-300 bg-white px-3 py-1.5 text-sm font-medium text-stone-800 hover:bg-stone-100";

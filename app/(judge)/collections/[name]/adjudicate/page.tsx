import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { requireUser } from "@/lib/auth/session";
import { adjudicatePath, agreementPath } from "@/lib/benchmark/urls";
import { findCollection } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { findQuery, listQueries } from "@/lib/queries/queries";
import { AdjudicationWorkspace } from "./adjudication-workspace";
import { headerLinkClass } from "../queries/[queryId]/query-header";

// The lead's adjudication queue, full screen like judging: disagreements and unsure judgments, every
// judgment and who made it on each card; ?query= keeps it to one query.

type Props = { params: Promise<{ name: string }>; searchParams: Promise<{ query?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Adjudicate · ${pageParam((await params).name)}` };
}

export default async function AdjudicatePage({ params, searchParams }: Props) {
  await requireUser("judgments.adjudicate");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const requested = (await searchParams).query;
  const query = requested ? await findQuery(collection.id, requested) : null;
  if (requested && !query) notFound();
  const queries = await listQueries(collection.id);
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
          ...(query ? [{ href: adjudicatePath(collection.name), label: "Adjudicate" }] : []),
        ]}
        current={query ? query.id : "Adjudicate"}
      />
      <header className="mb-3 flex flex-wrap items-start justify-between gap-x-6 gap-y-2">
        <div className="min-w-0">
          <h1 className="text-xl font-semibold tracking-tight" data-testid="adjudication-title">
            {query ? <span className="whitespace-pre-wrap">{query.text}</span> : "Adjudication queue"}
          </h1>
          <p className="mt-1 text-sm text-stone-600">
            Where annotators disagree or said unsure, your label is the final one.
          </p>
        </div>
        <div className="flex shrink-0 items-center gap-2">
          {/* a plain GET form: the grid's keys leave a select alone */}
          <form method="get" className="flex items-center gap-1.5 text-sm" data-testid="adjudication-filter">
            <label htmlFor="adjudicate-query" className="text-stone-600">
              Query
            </label>
            <select
              id="adjudicate-query"
              name="query"
              defaultValue={query?.id ?? ""}
              className="max-w-xs rounded-md border border-stone-300 bg-white px-2 py-1.5"
            >
              <option value="">All queries</option>
              {queries.map((q) => (
                <option key={q.id} value={q.id}>
                  {q.id}: {q.text}
                </option>
              ))}
            </select>
            <button type="submit" className={headerLinkClass}>
              Show
            </button>
          </form>
          <Link href={agreementPath(collection.name)} className={headerLinkClass}>
            Agreement
          </Link>
        </div>
      </header>
      <AdjudicationWorkspace collection={collection.name} query={query?.id ?? null} />
    </>
  );
}

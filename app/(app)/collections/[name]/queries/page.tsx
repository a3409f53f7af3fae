import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { PageTitle, tableFrameClass, tableHeadClass } from "@/app/_components/ui";
import { can } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { findCollection } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { listQueries } from "@/lib/queries/queries";
import { judgePath, newQueryPath, queryEditPath } from "@/lib/queries/urls";
import { ImportQueriesForm } from "./import-queries-form";
import { QueryStatusBadge } from "./query-status";
import { RecallCell } from "./recall-cell";

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Queries · ${pageParam((await params).name)}` };
}

export default async function QueriesPage({ params }: Props) {
  const user = await requireUser("collections.read");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const queries = await listQueries(collection.id);
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
        ]}
      />
      <div className="flex items-start justify-between gap-4">
        <PageTitle
          sub={`${queries.length} ${queries.length === 1 ? "query" : "queries"} about ${collection.name}. Open one to judge its candidates.`}
        >
          Queries
        </PageTitle>
        <Link
          href={newQueryPath(collection.name)}
          className="shrink-0 rounded-md bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-600"
        >
          New query
        </Link>
      </div>
      {can(user, "queries.import") && <ImportQueriesForm collection={collection.name} />}
      {queries.length === 0 ? (
        <div className="rounded-xl border border-dashed border-stone-300 bg-white p-10 text-center text-sm text-stone-600">
          No queries yet. Write one, or import INQUIRE&apos;s query CSV.
        </div>
      ) : (
        <div className={tableFrameClass}>
          <table className="w-full text-left text-sm" data-testid="query-table">
            <thead className={tableHeadClass}>
              <tr>
                <th className="px-3 py-2 font-medium">Id</th>
                <th className="px-3 py-2 font-medium">Query</th>
                <th className="px-3 py-2 font-medium">Supercategory</th>
                <th className="px-3 py-2 font-medium">Category</th>
                <th className="px-3 py-2 font-medium">Iconic group</th>
                <th className="px-3 py-2 font-medium">Split</th>
                <th className="px-3 py-2 font-medium">Status</th>
                <th className="px-3 py-2 text-right font-medium">Judged</th>
                <th className="px-3 py-2 text-right font-medium">Relevant</th>
                <th className="px-3 py-2 text-right font-medium">Candidates</th>
                <th className="px-3 py-2 text-right font-medium" title="Estimated recall with its 95% interval">
                  Recall
                </th>
                <th className="px-3 py-2">
                  <span className="sr-only">Edit</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-100">
              {queries.map((q) => (
                <tr
                  key={q.id}
                  data-query-id={q.id}
                  data-status={q.status}
                  className={q.status === "finished" ? "bg-emerald-50/60 hover:bg-emerald-50" : "hover:bg-stone-50"}
                >
                  <td className="px-3 py-2 font-mono text-xs text-stone-500">{q.id}</td>
                  <td className="px-3 py-2">
                    <Link
                      href={judgePath(collection.name, q.id)}
                      className="font-medium text-emerald-800 hover:underline"
                    >
                      {q.text}
                    </Link>
                  </td>
                  <td className="px-3 py-2">{q.supercategory ?? "—"}</td>
                  <td className="px-3 py-2">{q.category ?? "—"}</td>
                  <td className="px-3 py-2">{q.iconicGroup ?? "—"}</td>
                  <td className="px-3 py-2">{q.split ?? "—"}</td>
                  <td className="px-3 py-2 whitespace-nowrap">
                    <QueryStatusBadge status={q.status} />
                    {q.looksComplete && q.status !== "finished" && q.status !== "frozen" && (
                      <span
                        className="ml-1.5 text-xs font-medium text-emerald-800"
                        data-testid="looks-complete"
                        title="The stopping signals agree: a lead can finish it"
                      >
                        looks complete
                      </span>
                    )}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{q.judged.toLocaleString("en-US")}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{q.relevant.toLocaleString("en-US")}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{q.candidates.toLocaleString("en-US")}</td>
                  <td className="px-3 py-2 text-right tabular-nums">
                    <RecallCell recall={q.recall} />
                  </td>
                  <td className="px-3 py-2 text-right">
                    <Link
                      href={queryEditPath(collection.name, q.id)}
                      className="text-stone-600 hover:text-stone-900 hover:underline"
                    >
                      Edit
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

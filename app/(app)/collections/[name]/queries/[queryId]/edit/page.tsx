import type { Metadata } from "next";
import Link from "next/link";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { PageTitle } from "@/app/_components/ui";
import { loadQuery } from "@/app/_lib/query-page";
import { learningDisplay } from "@/lib/active-learning/display";
import { learningSummary } from "@/lib/active-learning/summary";
import { can } from "@/lib/auth/permissions";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { modelsWithVectors } from "@/lib/models/registry";
import { listRevisions } from "@/lib/queries/queries";
import { judgePath, queriesPath } from "@/lib/queries/urls";
import { QueryForm } from "../../query-form";
import { QueryStatusBadge } from "../../query-status";
import { FinishControls } from "./finish-controls";

type Props = { params: Promise<{ name: string; queryId: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Edit query ${pageParam((await params).queryId)}` };
}

export default async function EditQueryPage({ params }: Props) {
  const { user, collection, query } = await loadQuery(params, "queries.write");
  const [revisions, withVectors, learning] = await Promise.all([
    listRevisions(query.rowId),
    modelsWithVectors(collection.id),
    learningSummary(query.rowId),
  ]);
  const display = learningDisplay(learning);
  const models = withVectors.map((m) => ({ name: m.name, kind: m.kind }));
  const { text, supercategory, category, iconicGroup, taxonScope, notes, examples, split } = query;
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
          { href: queriesPath(collection.name), label: "Queries" },
        ]}
      />
      <div className="flex items-start justify-between gap-4">
        <PageTitle sub={`Query ${query.id} · revision ${query.revision}`}>Edit query</PageTitle>
        <Link
          href={judgePath(collection.name, query.id)}
          className="shrink-0 rounded-md bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-emerald-800"
        >
          Judge
        </Link>
      </div>
      <div className="grid gap-8 xl:grid-cols-[1fr_22rem]">
        <QueryForm
          key={query.revision}
          collection={collection.name}
          queryId={query.id}
          revision={query.revision}
          initial={{ text, supercategory, category, iconicGroup, taxonScope, notes, examples, split }}
          canSetSplit={can(user, "queries.set-split")}
          models={models}
        />
        <div className="space-y-6">
          <section aria-labelledby="status-title" className="rounded-lg border border-stone-200 bg-white px-3 py-3">
            <h2 id="status-title" className="mb-2 text-xs font-semibold tracking-wide text-stone-500 uppercase">
              Status
            </h2>
            <p className="flex flex-wrap items-center gap-2 text-sm">
              <QueryStatusBadge status={query.status} />
              {display.looksComplete && query.status !== "finished" && (
                <span
                  className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900"
                  data-testid="looks-complete"
                >
                  Looks complete
                </span>
              )}
            </p>
            <p className="mt-2 text-sm text-stone-700">
              {query.status === "finished" && learning?.finishedBy
                ? `Finished by ${learning.finishedBy}.`
                : display.headline}
            </p>
            <p className="mt-1 text-xs text-stone-600" data-testid="recall-estimate">
              {display.estimate.text}
            </p>
            {can(user, "queries.finish") && (
              <div className="mt-3">
                <FinishControls
                  collection={collection.name}
                  queryId={query.id}
                  status={query.status}
                  looksComplete={display.looksComplete}
                />
              </div>
            )}
          </section>
          <section aria-labelledby="history-title">
            <h2 id="history-title" className="mb-2 text-xs font-semibold tracking-wide text-stone-500 uppercase">
              History
            </h2>
            <ol className="space-y-2" data-testid="query-history">
              {[...revisions].reverse().map((r) => (
                <li key={r.number} className="rounded-lg border border-stone-200 bg-white px-3 py-2 text-sm">
                  <p className="flex justify-between gap-2 text-xs text-stone-500">
                    <span>
                      Revision {r.number} · {r.editor ?? "by import or script"}
                    </span>
                    <time dateTime={new Date(r.at).toISOString()}>
                      {new Date(r.at).toISOString().replace("T", " ").slice(0, 16)} UTC
                    </time>
                  </p>
                  <p className="mt-1 whitespace-pre-wrap text-stone-800">&ldquo;{r.snapshot.text}&rdquo;</p>
                  <p className="mt-1 text-xs text-stone-500">
                    {r.number === 1 ? "created" : `changed: ${r.changed.join(", ")}`}
                  </p>
                </li>
              ))}
            </ol>
          </section>
        </div>
      </div>
    </>
  );
}

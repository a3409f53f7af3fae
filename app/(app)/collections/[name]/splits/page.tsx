import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { PageTitle, tableFrameClass, tableHeadClass, thClass as th, tdClass as td } from "@/app/_components/ui";
import { requireUser } from "@/lib/auth/session";
import { findCollection } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { queryEditPath } from "@/lib/queries/urls";
import { DEFAULT_VAL_SHARE } from "@/lib/splits/assign";
import { DEFAULT_SPLIT_SEED, listSplitQueries, splitCounts } from "@/lib/splits/splits";
import { DrawForm, MoveButton } from "./split-controls";

// Val/test splits (lib/splits): counts per split and supercategory, the lead's seeded stratified draw,
// each query with its split and a move, frozen ones marked (an export froze them; they never move).

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Splits · ${pageParam((await params).name)}` };
}

export default async function SplitsPage({ params }: Props) {
  await requireUser("queries.set-split");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const queries = await listSplitQueries(collection.id);
  const counts = splitCounts(queries);
  const total = (k: "val" | "test" | "none") => counts.reduce((s, c) => s + c[k], 0);
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
        ]}
      />
      <PageTitle sub="Val and test per query, stratified by supercategory. A query's rerank set rows follow its split; an export freezes the splits it publishes.">
        Splits
      </PageTitle>
      <div className="mb-6 grid gap-6 lg:grid-cols-2">
        <div className={tableFrameClass}>
          <table className="w-full text-left text-sm" data-testid="split-counts">
            <thead className={tableHeadClass}>
              <tr>
                <th className={th}>Supercategory</th>
                <th className={th}>Val</th>
                <th className={th}>Test</th>
                <th className={th}>No split</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-100 tabular-nums">
              {counts.map((c) => (
                <tr key={c.supercategory ?? ""} data-supercategory={c.supercategory ?? ""}>
                  <td className={td}>{c.supercategory ?? "(none)"}</td>
                  <td className={td}>{c.val}</td>
                  <td className={td}>{c.test}</td>
                  <td className={td}>{c.none}</td>
                </tr>
              ))}
              <tr className="font-medium">
                <td className={td}>All</td>
                <td className={td}>{total("val")}</td>
                <td className={td}>{total("test")}</td>
                <td className={td}>{total("none")}</td>
              </tr>
            </tbody>
          </table>
        </div>
        <DrawForm collection={collection.name} seed={DEFAULT_SPLIT_SEED} valPercent={DEFAULT_VAL_SHARE * 100} />
      </div>
      <div className={tableFrameClass}>
        <table className="w-full text-left text-sm" data-testid="split-queries">
          <thead className={tableHeadClass}>
            <tr>
              <th className={th}>Id</th>
              <th className={th}>Query</th>
              <th className={th}>Supercategory</th>
              <th className={th}>Status</th>
              <th className={th}>Split</th>
              <th className={th}></th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {queries.map((q) => (
              <tr key={q.queryRowId} data-query={q.queryId} data-split={q.split ?? ""}>
                <td className={`${td} font-mono text-xs`}>
                  <Link href={queryEditPath(collection.name, q.queryId)} className="underline">
                    {q.queryId}
                  </Link>
                </td>
                <td className={td}>{q.text}</td>
                <td className={td}>{q.supercategory ?? "—"}</td>
                <td className={td}>{q.status}</td>
                <td className={td}>{q.split ?? "—"}</td>
                <td className={td}>
                  {q.splitFrozenAt ? (
                    <span className="text-xs text-stone-500" title={q.splitFrozenAt.toISOString()}>
                      frozen by an export
                    </span>
                  ) : (
                    <MoveButton
                      collection={collection.name}
                      queryId={q.queryId}
                      to={q.split === "val" ? "test" : "val"}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

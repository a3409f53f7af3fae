import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { PageTitle, cx, tableFrameClass, tableHeadClass, thClass as th, tdClass as td } from "@/app/_components/ui";
import { requireUser } from "@/lib/auth/session";
import { rerankPath } from "@/lib/benchmark/urls";
import { findCollection } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { modelsWithVectors } from "@/lib/models/registry";
import { judgePath, queryEditPath } from "@/lib/queries/urls";
import { rerankSetQueries } from "@/lib/rerank/read";
import { rerankSetsWithBuilds } from "@/lib/rerank/sets";
import { BuildProgress } from "./build-progress";
import { PinForm } from "./pin-form";

// Rerank sets (lib/rerank): the collection's versions, each pinned to a model (name, file checksum, hub
// revision, date) and frozen once exported; one version's queries with their place by the inclusion
// rule; the queries left out for having no relevant image in their top 100; the lead's pin form.

type Props = { params: Promise<{ name: string }>; searchParams: Promise<{ version?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Rerank sets · ${pageParam((await params).name)}` };
}

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace("T", " ") + " UTC" : "—");
const STATUS_LABEL = { included: "included", "no-relevant": "left out: no relevant", unjudged: "waiting for labels" };

export default async function RerankPage({ params, searchParams }: Props) {
  await requireUser("rerank.manage");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const [sets, models] = await Promise.all([rerankSetsWithBuilds(collection.id), modelsWithVectors(collection.id)]);
  const asked = Number((await searchParams).version);
  const shown = sets.find((s) => s.version === asked) ?? sets[0];
  const queries = shown ? await rerankSetQueries(shown.id) : [];
  const leftOut = queries.filter((q) => q.status === "no-relevant");
  const initialSets = sets.map((s) => ({ version: s.version, build: s.build }));
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
        ]}
      />
      <PageTitle sub="Each finished query's top 100 by a pinned model, every image judged; queries with no relevant image in their top 100 are left out, as INQUIRE-Rerank did. An export freezes the version it uses; pinning again makes a new one.">
        Rerank sets
      </PageTitle>
      <div className="mb-6 max-w-xl">
        <PinForm collection={collection.name} models={models.map((m) => ({ name: m.name, kind: m.kind }))} />
      </div>
      <div className={cx("mb-6", tableFrameClass)}>
        <table className="w-full text-left text-sm" data-testid="rerank-versions">
          <thead className={tableHeadClass}>
            <tr>
              <th className={th}>Version</th>
              <th className={th}>Model</th>
              <th className={th}>Checksum / revision</th>
              <th className={th}>Pinned</th>
              <th className={th}>Built</th>
              <th className={th}>Frozen</th>
              <th className={th}>Included · left out · waiting</th>
              <th className={th}>Build</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {sets.length === 0 && (
              <tr>
                <td className={td} colSpan={8}>
                  No model pinned yet.
                </td>
              </tr>
            )}
            {sets.map((s) => (
              <tr key={s.id} data-version={s.version} className={s.id === shown?.id ? "bg-emerald-50/50" : undefined}>
                <td className={td}>
                  <Link href={`${rerankPath(collection.name)}?version=${s.version}`} className="underline">
                    v{s.version}
                  </Link>
                </td>
                <td className={td}>{s.modelName}</td>
                <td className={`${td} font-mono text-xs`} title={s.modelChecksum}>
                  {s.modelChecksum.slice(0, 19)}…{s.modelRevision && <div>rev {s.modelRevision}</div>}
                </td>
                <td className={`${td} text-xs`}>{when(s.pinnedAt)}</td>
                <td className={`${td} text-xs`}>{when(s.builtAt)}</td>
                <td className={`${td} text-xs`}>{s.frozenAt ? `frozen ${when(s.frozenAt)}` : "no"}</td>
                <td className={`${td} tabular-nums`}>
                  {s.counts.included} · {s.counts["no-relevant"]} · {s.counts.unjudged}
                </td>
                <td className={td}>
                  <BuildProgress
                    collection={collection.name}
                    version={s.version}
                    initialSets={initialSets}
                    frozen={!!s.frozenAt}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown && (
        <>
          <h2 className="mb-2 text-sm font-semibold text-stone-800">
            Version {shown.version}: {queries.length} finished queries
          </h2>
          <div className={cx("mb-6", tableFrameClass)}>
            <table className="w-full text-left text-sm" data-testid="rerank-queries">
              <thead className={tableHeadClass}>
                <tr>
                  <th className={th}>Id</th>
                  <th className={th}>Query</th>
                  <th className={th}>Split</th>
                  <th className={th}>Status</th>
                  <th className={th}>Relevant</th>
                  <th className={th}>Still to judge</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-stone-100">
                {queries.map((q) => (
                  <tr key={q.queryRowId} data-query={q.queryId} data-status={q.status}>
                    <td className={`${td} font-mono text-xs`}>
                      <Link href={queryEditPath(collection.name, q.queryId)} className="underline">
                        {q.queryId}
                      </Link>
                    </td>
                    <td className={td}>{q.text}</td>
                    <td className={td}>{q.split ?? "—"}</td>
                    <td className={td}>{STATUS_LABEL[q.status]}</td>
                    <td className={`${td} tabular-nums`}>{q.relevant}</td>
                    <td className={`${td} tabular-nums`}>
                      {q.unjudged > 0 ? (
                        <Link href={judgePath(collection.name, q.queryId)} className="underline">
                          {q.unjudged} to judge
                        </Link>
                      ) : (
                        0
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <section className="rounded-xl border border-stone-200 bg-white p-4 text-sm" data-testid="rerank-left-out">
            <h2 className="mb-1 font-semibold text-stone-800">Left out: no relevant image in the top {shown.depth}</h2>
            {leftOut.length === 0 ? (
              <p className="text-stone-500">None.</p>
            ) : (
              <ul className="list-disc pl-5">
                {leftOut.map((q) => (
                  <li key={q.queryRowId}>
                    <span className="font-mono text-xs text-stone-500">{q.queryId}</span> {q.text}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </>
  );
}

import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { PageTitle } from "@/app/_components/ui";
import { requireUser } from "@/lib/auth/session";
import { findCollection } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { exportPlan } from "@/lib/export/plan";
import { exportJson } from "@/lib/export/rows";
import { exportStatuses } from "@/lib/jobs/export";
import { ExportPanel } from "./export-panel";

// The export (lib/export): what will be published (queries per split, those left out and why, the rerank
// set, annotation counts) before the lead starts it, the running export's progress, and the past
// exports, each downloadable as one zip.

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Export · ${pageParam((await params).name)}` };
}

const th = "px-3 py-2 font-medium";
const td = "px-3 py-1.5";

export default async function ExportPage({ params }: Props) {
  await requireUser("exports.create");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const [plan, exports] = await Promise.all([exportPlan(collection.id), exportStatuses(collection.id)]);
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
        ]}
      />
      <PageTitle sub="INQUIRE's files (queries per split, annotations by final label, the rerank set as Parquet and CSV), every judgment with its history, a dataset card and SHA256SUMS. Exporting freezes the published queries' splits and the rerank set; the same data exports to the same bytes.">
        Export
      </PageTitle>
      <section className="mb-6 rounded-xl border border-stone-200 bg-white p-4" data-testid="export-plan">
        <h2 className="mb-2 text-sm font-semibold text-stone-800">What a finished-only export publishes</h2>
        <ul className="space-y-0.5 text-sm text-stone-700">
          <li data-testid="plan-queries">
            {plan.queries.length} queries: val {plan.perSplit.val}, test {plan.perSplit.test}
          </li>
          <li data-testid="plan-rerank">
            {plan.rerankSet
              ? `rerank set version ${plan.rerankSet.version} (${plan.rerankSet.modelName})${plan.rerankSet.frozenAt ? ", frozen" : ""}`
              : "no built rerank set: no rerank files"}
          </li>
          <li data-testid="plan-judgments">
            {plan.judgments.toLocaleString("en-US")} judgments, {plan.adjudications.toLocaleString("en-US")}{" "}
            adjudications
          </li>
        </ul>
        {plan.leftOut.length > 0 && (
          <div className="mt-3 overflow-x-auto">
            <h3 className="mb-1 text-xs font-semibold tracking-wide text-stone-500 uppercase">Left out</h3>
            <table className="w-full text-left text-sm" data-testid="left-out">
              <thead className="border-b border-stone-200 text-xs text-stone-500">
                <tr>
                  <th className={th}>Query</th>
                  <th className={th}>Text</th>
                  <th className={th}>Why</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-stone-100">
                {plan.leftOut.map((q) => (
                  <tr key={q.query_id}>
                    <td className={td}>{q.query_id}</td>
                    <td className={td}>{q.text}</td>
                    <td className={td}>{q.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ExportPanel
        collection={collection.name}
        rerankVersion={plan.rerankSet?.version ?? null}
        initialExports={JSON.parse(JSON.stringify(exports.map(exportJson)))}
      />
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { Chart } from "@/app/_components/chart";
import { PageTitle, cx, tableFrameClass, tableHeadClass, thClass as th, tdClass as td } from "@/app/_components/ui";
import { can } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { reportPath } from "@/lib/benchmark/urls";
import { findCollection } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { runsByCategoryOption } from "@/lib/charts/eval";
import { compareRuns } from "@/lib/eval/compare";
import { modelsWithVectors } from "@/lib/models/registry";
import { listRerankSets } from "@/lib/rerank/read";
import { ImportRunForm } from "./import-run-form";
import { RunProgress } from "./run-progress";
import { StartRunForm } from "./start-run-form";

// Model runs side by side (lib/eval/compare): each run's model, version, date, k and kind with its mean
// metrics over the finished queries, a chart per query category, and the forms to start or import one.

type Props = { params: Promise<{ name: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Runs · ${pageParam((await params).name)}` };
}

const num = (x: number | undefined | null) => (x === undefined || x === null ? "—" : x.toFixed(3));

export default async function RunsPage({ params }: Props) {
  const user = await requireUser("eval.read");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const mayRun = can(user, "eval.run");
  const [rows, models, sets] = await Promise.all([
    compareRuns(collection.id),
    mayRun ? modelsWithVectors(collection.id) : [],
    mayRun ? listRerankSets(collection.id) : [],
  ]);
  const builtSets = sets.filter((s) => s.builtAt).map((s) => s.version);
  const done = rows.filter((r) => r.mean);
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
        ]}
      />
      <PageTitle sub="Each run scores a model's ranking against the finished queries' final labels with INQUIRE's metrics (fractions, 0 to 1). Runs made elsewhere are imported from a run CSV.">
        Model runs
      </PageTitle>
      <div className={cx("mb-6", tableFrameClass)}>
        <table className="w-full text-left text-sm" data-testid="runs-table">
          <thead className={tableHeadClass}>
            <tr>
              <th className={th}>Run</th>
              <th className={th}>Model</th>
              <th className={th}>Version</th>
              <th className={th}>Date</th>
              <th className={th}>k</th>
              <th className={th}>Kind</th>
              <th className={th}>Queries</th>
              <th className={th}>AP</th>
              <th className={th}>nDCG</th>
              <th className={th}>MRR</th>
              <th className={th}>P@k</th>
              <th className={th}>R@k</th>
              <th className={th}>Report</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-100">
            {rows.length === 0 && (
              <tr>
                <td className={td} colSpan={13}>
                  No run yet.
                </td>
              </tr>
            )}
            {rows.map(({ run, mean, queries }) => (
              <tr key={run.id} data-run={run.id} data-model={run.modelName}>
                <td className={`${td} tabular-nums`}>#{run.id}</td>
                <td className={td}>
                  {run.modelName}
                  {run.secondModelName && <span className="text-stone-500"> → {run.secondModelName}</span>}
                </td>
                <td className={`${td} font-mono text-xs`} title={run.modelChecksum ?? undefined}>
                  {run.modelVersion ?? (run.modelChecksum ? `${run.modelChecksum.slice(0, 12)}…` : "—")}
                </td>
                <td className={`${td} text-xs`}>
                  {new Date(run.createdAt).toISOString().slice(0, 16).replace("T", " ")} UTC
                </td>
                <td className={`${td} tabular-nums`}>{run.k}</td>
                <td className={td}>
                  {run.kind}
                  {run.source === "imported" && <span className="text-stone-500"> (imported)</span>}
                </td>
                <td className={`${td} tabular-nums`}>
                  {mean ? (
                    queries
                  ) : (
                    <RunProgress
                      collection={collection.name}
                      runId={run.id}
                      initial={{
                        status: run.status,
                        phase: run.phase,
                        done: run.done,
                        total: run.total,
                        error: run.error,
                      }}
                    />
                  )}
                </td>
                <td className={`${td} tabular-nums`}>{num(mean?.ap)}</td>
                <td className={`${td} tabular-nums`}>{num(mean?.ndcg)}</td>
                <td className={`${td} tabular-nums`}>{num(mean?.mrr)}</td>
                <td className={`${td} tabular-nums`}>{num(mean?.precision)}</td>
                <td className={`${td} tabular-nums`}>{num(mean?.recall)}</td>
                <td className={td}>
                  {run.status === "done" && (
                    <Link href={reportPath(collection.name, run.id)} className="underline">
                      report
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {done.length > 0 && (
        <section className="mb-6 rounded-xl border border-stone-200 bg-white p-4">
          <h2 className="mb-2 text-sm font-semibold text-stone-800">AP@k per query category</h2>
          <Chart
            option={runsByCategoryOption(done, "ap")}
            height={320}
            label="AP@k of each run per query category"
            testId="runs-chart"
          />
        </section>
      )}
      {mayRun && (
        <div className="grid gap-4 md:grid-cols-2">
          <StartRunForm
            collection={collection.name}
            models={models.map((m) => ({ name: m.name, kind: m.kind }))}
            rerankSets={builtSets}
          />
          <ImportRunForm collection={collection.name} rerankSets={builtSets} />
        </div>
      )}
    </>
  );
}

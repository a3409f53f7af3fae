import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Breadcrumbs } from "@/app/_components/breadcrumbs";
import { Chart } from "@/app/_components/chart";
import { ErrorNote, inputClass, PageTitle } from "@/app/_components/ui";
import { requireUser } from "@/lib/auth/session";
import { dashboardPath } from "@/lib/benchmark/urls";
import { findCollection } from "@/lib/browse/collections";
import { collectionPath, pageParam } from "@/lib/browse/urls";
import { judgmentsPerDayOption, relevantCurvesOption } from "@/lib/charts/dashboard";
import { readDashboard } from "@/lib/dashboard/read";
import { applyDashboardParams, DEFAULT_PARAMS, parseDashboardParams } from "@/lib/dashboard/table";
import { QUERY_STATUSES } from "@/lib/queries/fields";
import { CoverageMatrixTable } from "./coverage-matrix";
import { QueryTable } from "./query-table";

type Props = {
  params: Promise<{ name: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

/** Curves drawn at once: more lines than this are a tangle; the table's filters choose which. */
const CURVES_SHOWN = 12;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Dashboard · ${pageParam((await params).name)}` };
}

export default async function DashboardPage({ params, searchParams }: Props) {
  await requireUser("benchmark.read");
  const collection = await findCollection(pageParam((await params).name));
  if (!collection) notFound();
  const parsed = parseDashboardParams(await searchParams);
  const state = parsed.ok ? parsed.params : DEFAULT_PARAMS;
  const dashboard = await readDashboard(collection.id, { thin: state.thin });
  const rows = applyDashboardParams(dashboard.queries, state);
  const path = dashboardPath(collection.name);
  const supercategories = [...new Set(dashboard.queries.map((q) => q.supercategory).filter((s) => s !== null))].sort();
  const curves = rows.slice(0, CURVES_SHOWN).map((q) => {
    const c = dashboard.curves.find((x) => x.queryId === q.id)!;
    return { ...c, label: `${q.id}: ${q.text.length > 40 ? `${q.text.slice(0, 39)}…` : q.text}` };
  });
  const { totals, agreement } = dashboard;
  return (
    <>
      <Breadcrumbs
        trail={[
          { href: "/collections", label: "Collections" },
          { href: collectionPath(collection.name), label: collection.name },
        ]}
      />
      <PageTitle
        sub={
          `${totals.queries} queries (${totals.finished} finished), ${totals.judgments.toLocaleString("en-US")} judgments ` +
          `of ${totals.judged.toLocaleString("en-US")} images, ${totals.relevant.toLocaleString("en-US")} relevant by final label. ` +
          (agreement.pairs
            ? `Agreement over ${agreement.pairs.toLocaleString("en-US")} double-judged images: ${agreement.raw!.toFixed(2)}, kappa ${agreement.kappa === null ? "undefined" : agreement.kappa.toFixed(2)}.`
            : "No image judged twice yet.")
        }
      >
        Coverage dashboard
      </PageTitle>
      {!parsed.ok && (
        <div className="mb-4">
          <ErrorNote>Filters ignored: {parsed.error}</ErrorNote>
        </div>
      )}

      <form
        method="get"
        action={path}
        className="mb-4 flex flex-wrap items-end gap-3 text-sm"
        data-testid="dashboard-filters"
      >
        <input type="hidden" name="sort" value={state.sort} />
        <input type="hidden" name="dir" value={state.dir} />
        <label className="flex flex-col gap-1">
          <span className="text-xs text-stone-600">Status</span>
          <select name="status" defaultValue={state.status ?? ""} className={inputClass}>
            <option value="">any</option>
            {QUERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-stone-600">Supercategory</span>
          <select name="supercategory" defaultValue={state.supercategory ?? ""} className={inputClass}>
            <option value="">any</option>
            {supercategories.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-stone-600">Text or id</span>
          <input name="q" defaultValue={state.q ?? ""} className={inputClass} />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-stone-600">Thin below (relevant)</span>
          <input name="thin" type="number" min={0} defaultValue={state.thin} className={`${inputClass} w-24`} />
        </label>
        <button
          type="submit"
          className="rounded-md bg-emerald-700 px-3 py-1.5 font-medium text-white hover:bg-emerald-800"
        >
          Apply
        </button>
        <span className="text-xs text-stone-500">
          {rows.length} of {dashboard.queries.length} queries shown
        </span>
      </form>

      <QueryTable collection={collection.name} rows={rows} params={state} path={path} />

      <h2 className="mt-8 mb-2 text-lg font-semibold">Coverage by kind of query</h2>
      <p className="mb-2 text-sm text-stone-600">
        Relevant images (by final label) and queries per supercategory, category and iconic group;{" "}
        {dashboard.matrix.thinCells} {dashboard.matrix.thinCells === 1 ? "cell is" : "cells are"} thin (under{" "}
        {dashboard.matrix.threshold} relevant).
      </p>
      <CoverageMatrixTable matrix={dashboard.matrix} />

      <div className="mt-8 grid gap-6 lg:grid-cols-2">
        <section className="rounded-xl border border-stone-200 bg-white p-4">
          <h2 className="mb-1 text-lg font-semibold">Judgments per annotator per day</h2>
          <p className="mb-2 text-xs text-stone-500">Days in UTC; a judgment counts on the day it was first made.</p>
          <Chart
            option={judgmentsPerDayOption(dashboard.perDay)}
            label="Judgments per annotator per day, stacked bars"
            testId="chart-per-day"
          />
        </section>
        <section className="rounded-xl border border-stone-200 bg-white p-4">
          <h2 className="mb-1 text-lg font-semibold">Relevant found as judging goes on</h2>
          <p className="mb-2 text-xs text-stone-500">
            The first {curves.length} of the {rows.length} queries in the table&apos;s order; where a line goes flat,
            judging stopped finding relevant images.
          </p>
          <Chart
            option={relevantCurvesOption(curves)}
            label="Relevant images found against images judged, one line per query"
            testId="chart-curves"
          />
        </section>
      </div>
    </>
  );
}

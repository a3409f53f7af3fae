import Link from "next/link";
import { cx, tableFrameClass, tableHeadClass } from "@/app/_components/ui";
import type { DashboardQuery } from "@/lib/dashboard/rows";
import { ariaSort, dashboardSearch, sortedBy, type DashboardParams, type SortKey } from "@/lib/dashboard/table";
import { judgePath } from "@/lib/queries/urls";
import { QueryStatusBadge } from "../queries/query-status";

// The dashboard's per-query table: what lib/dashboard/table sorted and filtered, drawn. Each column
// header is a link to the same page sorted by it; each query's text links to its page.

const COLUMNS: { key: SortKey; label: string; numeric?: boolean; title?: string }[] = [
  { key: "id", label: "Id" },
  { key: "text", label: "Query" },
  { key: "supercategory", label: "Supercategory" },
  { key: "category", label: "Category" },
  { key: "iconicGroup", label: "Iconic group" },
  { key: "status", label: "Status" },
  { key: "judged", label: "Judged", numeric: true },
  { key: "relevant", label: "Relevant", numeric: true, title: "Relevant by final label" },
  { key: "unsure", label: "Unsure", numeric: true, title: "Final label unsure (all its judgments unsure)" },
  { key: "recall", label: "Recall", numeric: true, title: "Estimated recall with its 95% interval" },
  { key: "annotators", label: "Annotators", numeric: true },
  { key: "kappa", label: "Agreement", numeric: true, title: "Raw agreement and Cohen's kappa" },
];

const n = (x: number) => x.toLocaleString("en-US");

function Agreement({ a }: { a: DashboardQuery["agreement"] }) {
  if (!a.pairs) return <span className="text-stone-400">—</span>;
  return (
    <span title={`${a.pairs} images judged by two annotators`}>
      {a.raw!.toFixed(2)}{" "}
      <span className="text-xs text-stone-500">κ {a.kappa === null ? "undefined" : a.kappa.toFixed(2)}</span>
    </span>
  );
}

function Signals({ q }: { q: DashboardQuery }) {
  return (
    <details className="text-xs">
      <summary className={cx("cursor-pointer", q.looksComplete ? "font-medium text-emerald-800" : "text-stone-600")}>
        {q.looksComplete ? "Looks complete" : "Signals"}
      </summary>
      <p className="mt-1 text-stone-700">{q.headline}</p>
      <ul className="mt-1 space-y-0.5">
        {q.signals.map((s) => (
          <li key={s.id} data-signal={s.id}>
            <span className={s.met ? "text-emerald-700" : "text-stone-500"}>
              {s.met ? "✓" : s.met === false ? "·" : ""}
            </span>{" "}
            {s.label}: {s.text}
          </li>
        ))}
      </ul>
    </details>
  );
}

export function QueryTable({
  collection,
  rows,
  params,
  path,
}: {
  collection: string;
  rows: DashboardQuery[];
  params: DashboardParams;
  path: string;
}) {
  return (
    <div className={tableFrameClass}>
      <table className="w-full text-left text-sm" data-testid="dashboard-table">
        <thead className={tableHeadClass}>
          <tr>
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                aria-sort={ariaSort(params, c.key)}
                className={cx("px-3 py-2 font-medium whitespace-nowrap", c.numeric && "text-right")}
                title={c.title}
              >
                <Link href={`${path}${dashboardSearch(sortedBy(params, c.key))}`} className="hover:text-stone-900">
                  {c.label}
                  {params.sort === c.key && <span aria-hidden> {params.dir === "asc" ? "▲" : "▼"}</span>}
                </Link>
              </th>
            ))}
            <th className="px-3 py-2 font-medium">Stopping signals</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-100">
          {rows.map((q) => (
            <tr key={q.id} data-query-id={q.id} data-status={q.status} className="align-top hover:bg-stone-50">
              <td className="px-3 py-2 font-mono text-xs text-stone-500">{q.id}</td>
              <td className="px-3 py-2">
                <Link href={judgePath(collection, q.id)} className="font-medium text-emerald-800 hover:underline">
                  {q.text}
                </Link>
              </td>
              <td className="px-3 py-2">{q.supercategory ?? "—"}</td>
              <td className="px-3 py-2">{q.category ?? "—"}</td>
              <td className="px-3 py-2">{q.iconicGroup ?? "—"}</td>
              <td className="px-3 py-2 whitespace-nowrap">
                <QueryStatusBadge status={q.status} />
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{n(q.judged)}</td>
              <td className="px-3 py-2 text-right tabular-nums" data-testid="relevant">
                {n(q.relevant)}
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{n(q.unsure)}</td>
              <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums" title={q.recallText}>
                {q.recall ? (
                  <span data-testid="recall">
                    {q.recall.recall.toFixed(2)}{" "}
                    <span className="text-xs text-stone-500">
                      ({q.recall.low.toFixed(2)} to {q.recall.high.toFixed(2)})
                    </span>
                  </span>
                ) : (
                  <span className="cursor-help text-stone-400">
                    —<span className="sr-only"> {q.recallText}</span>
                  </span>
                )}
              </td>
              <td className="px-3 py-2 text-right text-xs">
                {q.annotators.length ? q.annotators.map((a) => `${a.name} (${n(a.judgments)})`).join(", ") : "—"}
              </td>
              <td className="px-3 py-2 text-right whitespace-nowrap tabular-nums">
                <Agreement a={q.agreement} />
              </td>
              <td className="min-w-56 px-3 py-2">
                <Signals q={q} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p className="p-6 text-center text-sm text-stone-500">No query matches these filters.</p>}
    </div>
  );
}

import { cx, tableFrameClass, tableHeadClass } from "@/app/_components/ui";
import type { CoverageMatrix } from "@/lib/dashboard/matrix";

// The coverage matrix drawn: supercategory and category down, iconic group across; each cell its
// queries and relevant images, thin cells (fewer relevant than the lead's threshold) marked.

export function CoverageMatrixTable({ matrix }: { matrix: CoverageMatrix }) {
  return (
    <div className={tableFrameClass}>
      <table className="w-full text-left text-sm" data-testid="coverage-matrix">
        <thead className={tableHeadClass}>
          <tr>
            <th className="px-3 py-2 font-medium">Supercategory</th>
            <th className="px-3 py-2 font-medium">Category</th>
            {matrix.iconicGroups.map((g) => (
              <th key={g} className="px-3 py-2 text-right font-medium">
                {g}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-stone-100">
          {matrix.rows.map((row) => (
            <tr key={`${row.supercategory}\u0000${row.category}`}>
              <td className="px-3 py-2">{row.supercategory}</td>
              <td className="px-3 py-2">{row.category}</td>
              {row.cells.map((cell, i) => (
                <td
                  key={matrix.iconicGroups[i]}
                  data-thin={cell?.thin ? "true" : undefined}
                  className={cx(
                    "px-3 py-2 text-right whitespace-nowrap tabular-nums",
                    cell?.thin && "bg-amber-50 font-medium text-amber-900",
                  )}
                  title={
                    cell
                      ? `${cell.queries} ${cell.queries === 1 ? "query" : "queries"}, ${cell.relevant} relevant${cell.thin ? ` (thin: under ${matrix.threshold})` : ""}`
                      : "no query"
                  }
                >
                  {cell ? (
                    <>
                      {cell.relevant.toLocaleString("en-US")} <span className="text-xs text-stone-500">rel</span> ·{" "}
                      {cell.queries} <span className="text-xs text-stone-500">q</span>
                      {cell.thin && <span className="ml-1 text-xs">thin</span>}
                    </>
                  ) : (
                    <span className="text-stone-300">—</span>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import type { EChartsCoreOption } from "echarts";
import type { RunComparisonRow } from "@/lib/eval/compare";
import type { Metrics } from "@/lib/eval/metrics";
import type { ProbeReport } from "@/lib/eval/report/probe";

// echarts options for model runs, as pure functions: the runs and report pages draw them in the browser
// (app/_components/chart.tsx: bar and line charts, grid, legend, tooltip; titles are the page's own
// headings), the report file on the server as SVG (lib/charts/svg.ts).

export type RunMetric = keyof Metrics;

export const METRIC_LABELS: Record<RunMetric, string> = {
  ap: "AP@k",
  ndcg: "nDCG@k",
  mrr: "MRR",
  precision: "P@k",
  recall: "R@k",
};

export function runLabel(row: Pick<RunComparisonRow, "run">): string {
  const r = row.run;
  return `#${r.id} ${r.modelName}${r.secondModelName ? ` → ${r.secondModelName}` : ""}`;
}

/** One bar per finished run in each query category: the runs side by side on one metric. */
export function runsByCategoryOption(rows: readonly RunComparisonRow[], metric: RunMetric = "ap"): EChartsCoreOption {
  const done = rows.filter((r) => r.mean);
  const categories = [...new Set(done.flatMap((r) => Object.keys(r.categories)))].sort();
  return {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 48, right: 16, top: 16, bottom: 64 },
    xAxis: { type: "category", data: categories, axisLabel: { interval: 0, rotate: categories.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", min: 0, max: 1 },
    series: done.map((r) => ({
      name: runLabel(r),
      type: "bar",
      data: categories.map((c) => (r.categories[c] ? Number(r.categories[c][metric].toFixed(4)) : null)),
    })),
  };
}

/** One run's metrics per category, one bar group per category. */
export function runCategoriesOption(categories: Record<string, Metrics & { queries: number }>): EChartsCoreOption {
  const names = Object.keys(categories).sort();
  const metrics: RunMetric[] = ["ap", "ndcg", "precision", "recall"];
  return {
    legend: { bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 64 },
    xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", min: 0, max: 1 },
    series: metrics.map((m) => ({
      name: METRIC_LABELS[m],
      type: "bar",
      data: names.map((n) => Number(categories[n][m].toFixed(4))),
    })),
  };
}

/** AP gained by the probe per category, with the ends of the interval across folds marked (categories without a number are left out). */
export function probeGainOption(probe: ProbeReport): EChartsCoreOption {
  const trusted = probe.categories.filter((c): c is Extract<typeof c, { gain: number }> => "gain" in c);
  return {
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 56, right: 16, top: 16, bottom: 56 },
    xAxis: { type: "category", data: trusted.map((c) => c.category), axisLabel: { interval: 0 } },
    yAxis: { type: "value", name: "AP gained" },
    series: [
      { name: "AP gained", type: "bar", data: trusted.map((c) => Number(c.gain.toFixed(4))), barWidth: "40%" },
      // the interval's ends as marks above and below each bar (line series with no line)
      ...(["low", "high"] as const).map((end) => ({
        name: end === "low" ? "95% interval, low" : "95% interval, high",
        type: "line",
        symbol: end === "low" ? "triangle" : "pin",
        symbolSize: 10,
        lineStyle: { opacity: 0 },
        data: trusted.map((c) => Number(c[end].toFixed(4))),
      })),
    ],
  };
}

import type { EChartsCoreOption } from "echarts/core";
import { curvePoints, type RelevantCurve } from "@/lib/dashboard/curve";

// The coverage dashboard's charts as echarts options: pure functions of the dashboard's numbers, so the
// page (app/_components/chart.tsx), the dataset card and the report (lib/charts/svg renderChartSvg) draw
// the same chart. Only bars, lines, grid, legend and tooltip: what the page's echarts build registers.

/** One annotator's judgments on one UTC day (lib/dashboard/read's DayCount). */
export type DayBar = { day: string; annotatorId: string; annotator: string; judgments: number };

const DAY_MS = 86_400_000;

/** Every UTC day from the first to the last, so a day without judgments shows as a gap. */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end && out.length < 3660; t += DAY_MS)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

const baseText = { fontFamily: "system-ui, sans-serif", fontSize: 11 };

/** Stacked bars: judgments per UTC day, one stack part per annotator. */
export function judgmentsPerDayOption(perDay: readonly DayBar[]): EChartsCoreOption {
  const days = perDay.length
    ? daysBetween(
        perDay[0].day,
        perDay.reduce((m, d) => (d.day > m ? d.day : m), ""),
      )
    : [];
  const column = new Map(days.map((d, i) => [d, i]));
  const annotators = new Map<string, { name: string; data: number[] }>();
  for (const d of perDay) {
    let a = annotators.get(d.annotatorId);
    if (!a) annotators.set(d.annotatorId, (a = { name: d.annotator, data: days.map(() => 0) }));
    a.data[column.get(d.day)!] += d.judgments;
  }
  return {
    textStyle: baseText,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { type: "scroll", top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 40 },
    xAxis: { type: "category", data: days, name: "day (UTC)", nameLocation: "middle", nameGap: 26 },
    yAxis: { type: "value", name: "judgments", minInterval: 1 },
    series: [...annotators.values()].map((a) => ({ type: "bar", stack: "judgments", name: a.name, data: a.data })),
  };
}

/** Lines, one per query: relevant found (by final label) against images judged, in judging order. */
export function relevantCurvesOption(
  curves: readonly (Pick<RelevantCurve, "judged" | "places"> & { label: string })[],
): EChartsCoreOption {
  return {
    textStyle: baseText,
    tooltip: { trigger: "item" },
    legend: { type: "scroll", top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 40 },
    xAxis: { type: "value", name: "judged", nameLocation: "middle", nameGap: 26, min: 0 },
    yAxis: { type: "value", name: "relevant found", min: 0, minInterval: 1 },
    series: curves.map((c) => ({
      type: "line",
      name: c.label,
      // flat between finds, up by one at each: the curve as it is, not a slope between finds
      step: "end",
      showSymbol: false,
      data: curvePoints(c),
    })),
  };
}

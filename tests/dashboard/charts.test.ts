import { describe, expect, it } from "vitest";
import { daysBetween, judgmentsPerDayOption, relevantCurvesOption } from "@/lib/charts/dashboard";
import { renderChartSvg } from "@/lib/charts/svg";
import { curvePoints, flatTail } from "@/lib/dashboard/curve";
import { coverageMatrix } from "@/lib/dashboard/matrix";

// The dashboard's pure pieces: the curve's corners, the matrix's cells, and the chart options, drawn
// on the server as the dataset card draws them.

describe("the relevant-found curve", () => {
  it("corners at each find, flat to the last judged", () => {
    expect(curvePoints({ judged: 8, places: [1, 2, 5] })).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
      [5, 3],
      [8, 3],
    ]);
    expect(curvePoints({ judged: 5, places: [5] })).toEqual([
      [0, 0],
      [5, 1],
    ]);
    expect(curvePoints({ judged: 0, places: [] })).toEqual([[0, 0]]);
    expect(flatTail({ judged: 8, places: [1, 2, 5] })).toBe(3);
  });
});

describe("the coverage matrix", () => {
  const q = (supercategory: string | null, category: string | null, iconicGroup: string | null, relevant: number) => ({
    supercategory,
    category,
    iconicGroup,
    relevant,
  });
  it("adds queries and relevant images per cell and marks the thin ones; missing names are (none), last", () => {
    const m = coverageMatrix(
      [
        q("Species", "fox", "Mammalia", 3),
        q("Species", "fox", "Mammalia", 4),
        q("Species", "fox", "Aves", 1),
        q(null, null, null, 9),
      ],
      5,
    );
    expect(m.iconicGroups).toEqual(["Aves", "Mammalia", "(none)"]);
    expect(m.rows).toEqual([
      {
        supercategory: "Species",
        category: "fox",
        cells: [{ queries: 1, relevant: 1, thin: true }, { queries: 2, relevant: 7, thin: false }, null],
      },
      { supercategory: "(none)", category: "(none)", cells: [null, null, { queries: 1, relevant: 9, thin: false }] },
    ]);
    expect(m.thinCells).toBe(1);
    expect(coverageMatrix([q("A", "b", "C", 0)], 0).thinCells).toBe(0);
  });
});

describe("the dashboard's charts", () => {
  it("stacks each annotator's judgments per UTC day, a day without any left as a gap", () => {
    expect(daysBetween("2026-10-30", "2026-11-02")).toEqual(["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]);
    const option = judgmentsPerDayOption([
      { day: "2026-11-01", annotatorId: "a", annotator: "Ann", judgments: 5 },
      { day: "2026-11-01", annotatorId: "b", annotator: "Bob", judgments: 2 },
      { day: "2026-11-03", annotatorId: "a", annotator: "Ann", judgments: 1 },
    ]) as { xAxis: { data: string[] }; series: { name: string; stack: string; data: number[] }[] };
    expect(option.xAxis.data).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
    expect(option.series.map((s) => [s.name, s.stack, s.data])).toEqual([
      ["Ann", "judgments", [5, 0, 1]],
      ["Bob", "judgments", [2, 0, 0]],
    ]);
  });

  it("draws one stepped line per query, and both charts render as SVG on the server", async () => {
    const option = relevantCurvesOption([
      { label: "1: red fox", judged: 6, places: [1, 3] },
      { label: "2: <b>heron</b>", judged: 4, places: [2] },
    ]) as { series: { name: string; step: string; data: [number, number][] }[] };
    expect(option.series.map((s) => s.name)).toEqual(["1: red fox", "2: <b>heron</b>"]);
    expect(option.series[0]).toMatchObject({
      type: "line",
      step: "end",
      data: [
        [0, 0],
        [1, 1],
        [3, 2],
        [6, 2],
      ],
    });
    const svg = await renderChartSvg(option, { width: 600, height: 300 });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("red fox");
    expect(svg).not.toContain("<b>heron"); // the label is text in the picture, not markup
    expect(await renderChartSvg(option, { width: 600, height: 300 })).toBe(svg);
    const bars = await renderChartSvg(
      judgmentsPerDayOption([{ day: "2026-11-01", annotatorId: "a", annotator: "Ann", judgments: 5 }]),
      { width: 400, height: 200 },
    );
    expect(bars).toContain("2026-11-01");
    expect(bars).toMatch(/<path[^>]+fill/);
  });
});

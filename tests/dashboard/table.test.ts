import { describe, expect, it } from "vitest";
import type { DashboardQuery } from "@/lib/dashboard/rows";
import {
  applyDashboardParams,
  ariaSort,
  compareIds,
  dashboardSearch,
  DEFAULT_PARAMS,
  parseDashboardParams,
  sortedBy,
} from "@/lib/dashboard/table";

// The dashboard table's sort and filters as URL parameters: parsed with their errors named, applied to
// rows, and written back into the links the column headers carry.

const row = (over: Partial<DashboardQuery>): DashboardQuery => ({
  rowId: 0,
  id: "1",
  text: "q",
  supercategory: null,
  category: null,
  iconicGroup: null,
  split: null,
  status: "labeling",
  judged: 0,
  relevant: 0,
  notRelevant: 0,
  unsure: 0,
  disagreement: 0,
  adjudicated: 0,
  needsAdjudication: 0,
  looksComplete: false,
  headline: "",
  recall: null,
  recallText: "",
  signals: [],
  annotators: [],
  agreement: { pairs: 0, raw: null, kappa: null },
  ...over,
});

const rows = [
  row({ id: "10", text: "Heron fishing", supercategory: "Behavior", status: "finished", relevant: 40, judged: 300 }),
  row({ id: "2", text: "red fox in snow", supercategory: "Species", relevant: 12, judged: 500 }),
  row({ id: "abc", text: "a heron at dusk", supercategory: "Context", status: "draft", relevant: 12 }),
  row({ id: "3", text: "oak galls", supercategory: "Appearance", recall: { recall: 0.9, low: 0.8, high: 1 } }),
  row({ id: "4", text: "fungi on logs", recall: { recall: 0.5, low: 0.2, high: 0.9 }, relevant: 3 }),
];
const ids = (r: DashboardQuery[]) => r.map((x) => x.id);
const parse = (query: string) => {
  const p = parseDashboardParams(new URLSearchParams(query));
  if (!p.ok) throw new Error(p.error);
  return p.params;
};

describe("the dashboard table's URL state", () => {
  it("defaults: ids in numeric order, other ids after them, thin below 5", () => {
    expect(DEFAULT_PARAMS).toEqual({ sort: "id", dir: "asc", thin: 5 });
    expect(ids(applyDashboardParams(rows, DEFAULT_PARAMS))).toEqual(["2", "3", "4", "10", "abc"]);
    expect(ids(applyDashboardParams(rows, parse("dir=desc")))).toEqual(["abc", "10", "4", "3", "2"]);
    expect(compareIds("9", "10")).toBeLessThan(0);
  });

  it("sorts by a count, ties broken by id, and puts missing values last either way", () => {
    expect(ids(applyDashboardParams(rows, parse("sort=relevant&dir=desc")))).toEqual(["10", "2", "abc", "4", "3"]);
    expect(ids(applyDashboardParams(rows, parse("sort=recall&dir=desc")))).toEqual(["3", "4", "2", "10", "abc"]);
    expect(ids(applyDashboardParams(rows, parse("sort=recall")))).toEqual(["4", "3", "2", "10", "abc"]);
    expect(ids(applyDashboardParams(rows, parse("sort=supercategory")))).toEqual(["3", "10", "abc", "2", "4"]);
    expect(ids(applyDashboardParams(rows, parse("sort=status")))).toEqual(["abc", "2", "3", "4", "10"]);
  });

  it("filters by status, supercategory and text (any case) or exact id", () => {
    expect(ids(applyDashboardParams(rows, parse("status=finished")))).toEqual(["10"]);
    expect(ids(applyDashboardParams(rows, parse("supercategory=Species")))).toEqual(["2"]);
    expect(ids(applyDashboardParams(rows, parse("q=HERON")))).toEqual(["10", "abc"]);
    expect(ids(applyDashboardParams(rows, parse("q=heron&status=draft")))).toEqual(["abc"]);
    expect(ids(applyDashboardParams(rows, parse("q=3")))).toEqual(["3"]);
    expect(ids(applyDashboardParams(rows, parse("status=&supercategory=&q=%20")))).toHaveLength(5);
  });

  it("names the bad parameter", () => {
    expect(parseDashboardParams(new URLSearchParams("sort=colour"))).toMatchObject({ ok: false, error: /^sort: / });
    expect(parseDashboardParams(new URLSearchParams("status=done"))).toMatchObject({ ok: false, error: /^status: / });
    expect(parseDashboardParams(new URLSearchParams("thin=-1"))).toMatchObject({ ok: false, error: /^thin: / });
    expect(parseDashboardParams({ thin: ["7", "8"], other: "x" })).toEqual({
      ok: true,
      params: { ...DEFAULT_PARAMS, thin: 7 },
    });
  });

  it("writes links: defaults left out, a header click sorts, a second flips", () => {
    expect(dashboardSearch(DEFAULT_PARAMS)).toBe("");
    const byRelevant = sortedBy(parse("status=labeling&q=fox"), "relevant");
    expect(byRelevant).toMatchObject({ sort: "relevant", dir: "desc" });
    expect(dashboardSearch(byRelevant)).toBe("?sort=relevant&dir=desc&status=labeling&q=fox");
    expect(sortedBy(byRelevant, "relevant").dir).toBe("asc");
    expect(sortedBy(DEFAULT_PARAMS, "text")).toMatchObject({ sort: "text", dir: "asc" });
    expect(parse(dashboardSearch(byRelevant).slice(1))).toEqual(byRelevant);
    expect(ariaSort(byRelevant, "relevant")).toBe("descending");
    expect(ariaSort(byRelevant, "id")).toBe("none");
  });
});

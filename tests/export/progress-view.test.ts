import { describe, expect, it } from "vitest";
import { exportBusy, exportPercent, exportProgressText, type ExportView } from "@/lib/export/progress-view";

const view = (v: Partial<ExportView>): ExportView => ({
  id: 1,
  status: "running",
  phase: null,
  done: null,
  total: null,
  error: null,
  ...v,
});

describe("the export page's progress line", () => {
  it("polls while queued or running, and says where it is", () => {
    expect(exportBusy(view({ status: "queued" }))).toBe(true);
    expect(exportBusy(view({ status: "running" }))).toBe(true);
    expect(exportBusy(view({ status: "done" }))).toBe(false);
    expect(exportBusy(null)).toBe(false);
    expect(exportProgressText(view({ status: "queued" }))).toBe("queued: waiting for the worker");
    expect(exportProgressText(view({ phase: "judgments", done: 3, total: 6 }))).toBe("judgments · step 4 of 6");
    expect(exportPercent(view({ phase: "judgments", done: 3, total: 6 }))).toBe(50);
    expect(exportProgressText(view({ status: "failed", error: "no space left" }))).toBe("failed: no space left");
    expect(exportPercent(view({ status: "done" }))).toBe(100);
  });
});

// What the export page says about one export, from the API's JSON: whether to keep polling, and the
// progress line. Free of server imports; the page's component only draws it (tests/export/progress-view).

export type ExportView = {
  id: number;
  status: "queued" | "running" | "done" | "failed";
  phase: string | null;
  done: number | null;
  total: number | null;
  error: string | null;
};

export const exportBusy = (e: Pick<ExportView, "status"> | null | undefined) =>
  e?.status === "queued" || e?.status === "running";

/** "queued", "judgments · step 4 of 6", "done", or the failure's message. */
export function exportProgressText(e: ExportView): string {
  if (e.status === "queued") return "queued: waiting for the worker";
  if (e.status === "failed") return `failed: ${e.error ?? "the export did not finish"}`;
  if (e.status === "done") return "done";
  const step = e.total ? ` · step ${Math.min((e.done ?? 0) + 1, e.total)} of ${e.total}` : "";
  return `${e.phase ?? "starting"}${step}`;
}

/** 0 to 100 for the progress bar. */
export function exportPercent(e: ExportView): number {
  if (e.status === "done") return 100;
  return e.total ? Math.round((100 * Math.min(e.done ?? 0, e.total)) / e.total) : 0;
}

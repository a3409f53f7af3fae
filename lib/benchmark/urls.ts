import type { Permission } from "@/lib/auth/permissions";

// Paths to a collection's benchmark pages (the lead's side: from judgments to files others download,
// and the evaluator's runs and report). Free of server imports.

const seg = encodeURIComponent;
const base = (collection: string) => `/collections/${seg(collection)}`;

export const dashboardPath = (collection: string) => `${base(collection)}/dashboard`;
export const agreementPath = (collection: string) => `${base(collection)}/agreement`;
/** The lead's adjudication queue (full-screen grid, like judging). */
export const adjudicatePath = (collection: string) => `${base(collection)}/adjudicate`;
export const rerankPath = (collection: string) => `${base(collection)}/rerank`;
export const splitsPath = (collection: string) => `${base(collection)}/splits`;
export const exportPath = (collection: string) => `${base(collection)}/export`;
export const runsPath = (collection: string) => `${base(collection)}/runs`;
export const reportPath = (collection: string, runId: number | string) =>
  `${runsPath(collection)}/${seg(String(runId))}/report`;

/** The collection's benchmark pages in the order a lead works through them, each with what it needs. */
export const BENCHMARK_PAGES: readonly { label: string; path: (collection: string) => string; needs: Permission }[] = [
  { label: "Dashboard", path: dashboardPath, needs: "benchmark.read" },
  { label: "Agreement", path: agreementPath, needs: "agreement.assign" },
  { label: "Adjudicate", path: adjudicatePath, needs: "judgments.adjudicate" },
  { label: "Rerank sets", path: rerankPath, needs: "rerank.manage" },
  { label: "Splits", path: splitsPath, needs: "queries.set-split" },
  { label: "Export", path: exportPath, needs: "exports.create" },
  { label: "Runs", path: runsPath, needs: "eval.read" },
];

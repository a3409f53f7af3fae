import { finalLabels } from "@/lib/agreement/labels";
import { agreementFromJudgments } from "@/lib/agreement/read";
import { db } from "@/lib/db/client";
import type { Split } from "@/lib/queries/fields";
import { annotationLines, annotationsCsv } from "./annotations";
import { cardData } from "./card-data";
import { cardCharts, datasetCard } from "./card";
import { sha256, sha256sums } from "./checksums";
import { inquireQueriesCsv, splitQueries, type InquireQueryLine } from "./inquire-queries";
import { judgmentsJsonl } from "./judgments-file";
import { readExportJudgments } from "./judgments-read";
import { exportPlan, type ExportOptions, type ExportPlan } from "./plan";
import { rerankCsv, rerankParquet, type RerankQuery } from "./rerank-files";
import { rerankRowsFor } from "./rerank-rows";

// Every file of an export, made in memory from the plan: the same data gives the same bytes (sorted
// orders, no clock). Writing them (lib/export/write.ts) is a separate step, so a full disk fails there
// and only there.

export const SPLITS: readonly Split[] = ["val", "test"];

export type ExportProgress = { phase: string; done: number; total: number };
export type ExportFiles = {
  plan: ExportPlan;
  /** file name (with "/" for charts/) to its bytes, SHA256SUMS included */
  files: Map<string, Uint8Array>;
  checksums: Record<string, string>;
};

const PHASES = ["queries", "annotations", "rerank set", "judgments", "dataset card", "checksums"] as const;

export async function buildExport(
  collectionId: number,
  opts: ExportOptions = {},
  onProgress: (p: ExportProgress) => void | Promise<void> = () => {},
): Promise<ExportFiles> {
  let step = 0;
  const phase = async (name: (typeof PHASES)[number]) =>
    onProgress({ phase: name, done: step++, total: PHASES.length });
  const plan = await exportPlan(collectionId, opts);
  const files = new Map<string, Uint8Array>();
  const put = (name: string, content: string | Uint8Array) =>
    files.set(name, typeof content === "string" ? Buffer.from(content, "utf8") : content);

  await phase("queries");
  const lines = new Map<Split, InquireQueryLine[]>();
  for (const split of SPLITS) {
    const ids = plan.queries.filter((q) => q.split === split).map((q) => q.sourceId);
    lines.set(split, await splitQueries(collectionId, split, ids));
    put(`inquire_queries_${split}.csv`, inquireQueriesCsv(lines.get(split)!));
  }

  await phase("annotations");
  // the judgments read once: the final labels (annotations, rerank relevance, judgments.jsonl, the card)
  // and the card's agreement all come from this one read
  const queryIds = plan.queries.map((q) => q.id);
  const judged = await readExportJudgments(queryIds);
  const labels = await finalLabels(queryIds, db(), judged.byQuery);
  const annotations = await annotationLines(plan.queries, labels);
  put("inquire_annotations.csv", annotationsCsv(annotations));

  await phase("rerank set");
  const rowIdOf = new Map(plan.queries.map((q) => [q.sourceId, q.id]));
  let rerank: { val: number; test: number; leftOut: { queryId: string; reason: string }[] } | null = null;
  const rerankImages: string[] = [];
  if (plan.rerankSet) {
    rerank = { val: 0, test: 0, leftOut: [] };
    const setId = plan.rerankSet.id;
    const bySplit = new Map<Split, Map<number, RerankQuery>>();
    for (const split of SPLITS)
      bySplit.set(
        split,
        new Map(
          lines.get(split)!.map((l) => {
            const id = rowIdOf.get(l.queryId)!;
            const q = {
              id,
              sourceId: l.queryId,
              text: l.text,
              supercategory: l.supercategory,
              category: l.category,
              iconicGroup: l.iconicGroup,
            };
            return [id, q];
          }),
        ),
      );
    // one read of the set for both splits: a query's rows go to its split's file
    const { rows: all, leftOut } = await rerankRowsFor(
      setId,
      SPLITS.flatMap((s) => [...bySplit.get(s)!.keys()]),
      labels,
    );
    for (const split of SPLITS) {
      const queries = bySplit.get(split)!;
      const rows = all.filter((r) => queries.has(r.queryRowId));
      rerank[split] = new Set(rows.map((r) => r.queryRowId)).size;
      for (const r of rows) rerankImages.push(r.imageId);
      put(`inquire_rerank_${split}.parquet`, rerankParquet(rows, queries));
      put(`inquire_rerank_${split}.csv`, rerankCsv(rows, queries));
    }
    for (const q of plan.queries) {
      const why = leftOut.get(q.id);
      if (why) rerank.leftOut.push({ queryId: q.sourceId, reason: why });
    }
  }

  await phase("judgments");
  put("judgments.jsonl", (await judgmentsJsonl(plan.queries, labels, judged, opts.annotatorNames ?? false)).bytes);

  await phase("dataset card");
  const data = await cardData(plan, labels, annotations, rerankImages, {
    agreement: agreementFromJudgments(judged.byQuery),
    annotators: new Set(judged.rows.map((j) => j.annotatorId)).size,
  });
  for (const [name, svg] of Object.entries(await cardCharts(data))) put(name, svg);
  const names = [...files.keys(), "README.md", "SHA256SUMS"].sort();
  put("README.md", datasetCard({ plan, data, files: names, rerank }));

  await phase("checksums");
  const checksums: Record<string, string> = {};
  for (const [name, bytes] of files) checksums[name] = sha256(bytes);
  put("SHA256SUMS", sha256sums(checksums));
  await onProgress({ phase: "done", done: PHASES.length, total: PHASES.length });
  return { plan, files, checksums };
}

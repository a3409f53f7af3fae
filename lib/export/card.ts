import { renderChartSvg } from "@/lib/charts/svg";
import type { CardData, CardQuery } from "./card-data";
import type { ExportPlan } from "./plan";

// The dataset card, README.md, and its charts as SVG files beside it. Markdown tables from the data;
// nothing from the clock, so the same data gives the same card. A recall estimate is printed only when
// lib/recall trusts it; otherwise the card says "not enough audits", never a number.

export type CardInput = {
  plan: ExportPlan;
  data: CardData;
  files: readonly string[];
  rerank: { val: number; test: number; leftOut: { queryId: string; reason: string }[] } | null;
};

const cell = (v: string | number | null | undefined) =>
  v === null || v === undefined || v === "" ? "" : String(v).replaceAll("|", "\\|").replace(/\s+/g, " ");
const table = (head: string[], rows: (string | number | null)[][]) =>
  [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
const pct = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));

export function recallText(q: Pick<CardQuery, "estimate">): string {
  const e = q.estimate;
  if (!e || !e.trusted) return "not enough audits";
  return `${e.recall.toFixed(3)} (95% ${e.recallLow.toFixed(3)}–${e.recallHigh.toFixed(3)})`;
}

function grouped(queries: readonly CardQuery[], key: (q: CardQuery) => string): [string, number, number][] {
  const out = new Map<string, [number, number]>();
  for (const q of queries) {
    const k = key(q);
    const [n, r] = out.get(k) ?? [0, 0];
    out.set(k, [n + 1, r + q.relevant]);
  }
  return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, [n, r]]) => [k, n, r]);
}

export const CHART_FILES = { categories: "charts/queries-per-category.svg", relevant: "charts/relevant-per-query.svg" };

export async function cardCharts(data: CardData): Promise<Record<string, string>> {
  const cats = grouped(data.queries, (q) => `${q.supercategory ?? "-"} / ${q.category ?? "-"}`);
  const categories = await renderChartSvg(
    {
      title: { text: "Queries and relevant images per category", left: "center", textStyle: { fontSize: 14 } },
      grid: { left: 260, right: 40, top: 50, bottom: 40 },
      legend: { bottom: 0 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: cats.map((c) => c[0]), inverse: true },
      series: [
        { name: "queries", type: "bar", data: cats.map((c) => c[1]) },
        { name: "relevant images", type: "bar", data: cats.map((c) => c[2]) },
      ],
    },
    { width: 800, height: Math.max(240, 80 + cats.length * 36) },
  );
  const sorted = [...data.queries].sort((a, b) => b.relevant - a.relevant || (a.queryId < b.queryId ? -1 : 1));
  const relevant = await renderChartSvg(
    {
      title: { text: "Relevant images per query (final labels)", left: "center", textStyle: { fontSize: 14 } },
      grid: { left: 60, right: 30, top: 50, bottom: 50 },
      xAxis: { type: "category", data: sorted.map((q) => q.queryId), name: "query", axisLabel: { show: false } },
      yAxis: { type: "value", name: "relevant" },
      series: [{ type: "bar", data: sorted.map((q) => q.relevant) }],
    },
    { width: 800, height: 320 },
  );
  return { [CHART_FILES.categories]: categories, [CHART_FILES.relevant]: relevant };
}

export function datasetCard({ plan, data, files, rerank }: CardInput): string {
  const q = data.queries;
  const relevantTotal = q.reduce((s, x) => s + x.relevant, 0);
  const agreementRows = plan.queries
    .map((pq) => [pq.sourceId, data.agreement.perQuery.get(String(pq.id))] as const)
    .filter(([, a]) => a && a.pairs > 0)
    .map(([id, a]) => [id, a!.pairs, pct(a!.raw), pct(a!.kappa)]);
  const overall = data.agreement.overall;
  const set = plan.rerankSet;
  const out: string[] = [
    `# ${plan.collection.name}: a text-to-image retrieval benchmark`,
    "",
    plan.collection.description ? `${plan.collection.description}\n` : "",
    `Expert-written queries over the photos of the collection ${plan.collection.name}, each labeled exhaustively: every`,
    "image an annotator looked at is judged, and the query was finished only when the stopping signals and a",
    "random audit of the unjudged images agreed nothing relevant was left. The files follow INQUIRE's layout, so",
    "INQUIRE's scripts and `fieldmark eval` read them unchanged.",
    "",
    `- queries: ${q.length} (val ${plan.perSplit.val}, test ${plan.perSplit.test})`,
    `- relevant (query, image) pairs: ${relevantTotal}`,
    `- judgments: ${plan.judgments} by ${data.annotators} annotators; adjudications: ${plan.adjudications}`,
    "",
    "## Files",
    "",
    table(
      ["file", "what it holds"],
      files.map((f) => [f, FILE_NOTES.find(([re]) => re.test(f))?.[1] ?? ""]),
    ),
    "",
    "## Queries per category",
    "",
    table(
      ["supercategory", "category", "queries", "relevant images"],
      grouped(q, (x) => `${x.supercategory ?? ""}\u0000${x.category ?? ""}`).map(([k, n, r]) => [
        ...k.split("\u0000"),
        n,
        r,
      ]),
    ),
    "",
    `![Queries and relevant images per category](${CHART_FILES.categories})`,
    "",
    "## Queries per iconic group",
    "",
    table(
      ["iconic group", "queries", "relevant images"],
      grouped(q, (x) => x.iconicGroup ?? ""),
    ),
    "",
    `![Relevant images per query](${CHART_FILES.relevant})`,
    "",
    "## Recall per query",
    "",
    "The share of a query's relevant images its labels are estimated to hold, from a stratified random audit of",
    "the images no annotator was shown (median and 95% interval). Where the audits are too few to trust, the card",
    "says so instead of printing a number.",
    "",
    table(
      ["query_id", "split", "status", "judged", "relevant", "recall estimate"],
      q.map((x) => [x.queryId, x.split, x.status, x.judged, x.relevant, recallText(x)]),
    ),
    "",
    "## Agreement",
    "",
    "A blind overlap sample was judged again by a second expert; disagreements and unsure judgments went to the",
    "lead, whose adjudication is the final label. Raw agreement and Cohen's kappa over the three judgments.",
    "",
    `Overall: ${overall.pairs} pairs, raw agreement ${pct(overall.raw)}, kappa ${pct(overall.kappa)}.`,
    "",
    agreementRows.length
      ? table(["query_id", "pairs", "raw agreement", "kappa"], agreementRows)
      : "No image was judged twice.",
    "",
    "## Rerank set",
    "",
    ...(set && rerank
      ? [
          `Version ${set.version}: each included query's top ${set.depth} over the whole collection by the pinned model.`,
          "",
          `- model: ${set.modelName}`,
          `- checksum: ${set.modelChecksum}`,
          ...(set.modelRevision ? [`- revision: ${set.modelRevision}`] : []),
          `- pinned: ${set.pinnedAt.toISOString().slice(0, 10)}`,
          `- queries: val ${rerank.val}, test ${rerank.test}`,
          "",
          "`clip_score` is the pinned model's score. INQUIRE-Rerank's `image` column (the photo's bytes) is not",
          "copied; `inat24_file_name` names the photo.",
          ...(rerank.leftOut.length
            ? [
                "",
                table(
                  ["query_id", "left out of the rerank set"],
                  rerank.leftOut.map((l) => [l.queryId, l.reason]),
                ),
              ]
            : []),
        ]
      : ["No rerank set was exported."]),
    "",
    "## Licences of the images",
    "",
    "The photos are not in this export; these are the licences of those its files name.",
    "",
    table(
      ["licence", "images"],
      data.licences.map((l) => [l.license, l.images]),
    ),
    "",
    "## How it was made",
    "",
    "Queries were written by experts (or imported from INQUIRE). Candidates came from text-to-image search,",
    "taxonomy and metadata filters, and an active learner retrained as the experts judged, in a keyboard grid.",
    "Final labels: the lead's adjudication, else the annotators' agreed judgment, else the single judgment.",
    "Annotators are named annotator-N, numbered by their first judgment in this export.",
    "",
    ...(plan.leftOut.length
      ? [
          "## Left out",
          "",
          table(
            ["query_id", "status", "why"],
            plan.leftOut.map((l) => [l.query_id, l.status, l.reason]),
          ),
          "",
        ]
      : []),
  ];
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

const FILE_NOTES: [RegExp, string][] = [
  [/^inquire_queries_(val|test)\.csv$/, "the queries of one split, as INQUIRE's files (pandas' index column first)"],
  [/^inquire_annotations\.csv$/, "one row per relevant (query, image) pair, by final label"],
  [/^inquire_rerank_(val|test)\.parquet$/, "the rerank set of one split, INQUIRE-Rerank's columns"],
  [/^inquire_rerank_(val|test)\.csv$/, "the same rows as CSV with query_id first (`fieldmark eval --rerank`)"],
  [/^judgments\.jsonl$/, "every judgment with its history, the adjudications and each judged pair's final label"],
  [/^charts\//, "a chart of this card"],
  [/^README\.md$/, "this card"],
  [/^SHA256SUMS$/, "sha256sum -c SHA256SUMS checks every file"],
];

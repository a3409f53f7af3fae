import { Option, type Command } from "commander";
import { printJson } from "../run";

// `fieldmark eval`: scores a run file against labels with INQUIRE's metrics. Plain files only: it never
// opens or creates a database, so anyone can score a run against INQUIRE's own published files.

const HELP = `
Files:
  --queries      INQUIRE's query CSV (,query_id,query_text,supercategory,category,iconic_group)
  --annotations  one row per relevant pair: query_id,image_id[,image_path] (inquire_annotations.csv);
                 rows of queries not in --queries are skipped; a query's total relevant count is its rows
  --run          query_id,image_id,score rows; a higher score ranks higher
  --rerank       a rerank set (query_id,inat24_image_id,relevant, other INQUIRE-Rerank columns allowed)

Ranking: each query's run rows are sorted by score, best first; equal scores are broken by ascending
image id (numerically when both ids are whole numbers, else by code point); the top k are scored.

Full-rank metrics at k, as INQUIRE's src/metrics.py: AP@k (scikit-learn's AP over the top k, times the
relevant found over min(total relevant, k), so missed positives count), nDCG@k (missed relevant images
appended at the bottom), MRR, precision@k, recall@k. A query with no rows in the run scores 0 and counts
in the mean; a run with fewer than k rows for a query is scored as if the rest were not relevant.
A query with no relevant image in the annotations is left out of the mean (and listed).

Rerank (--rerank): the run's scores re-order each query's set (images it does not score go last); AP,
nDCG and MRR over the whole set with the set's relevant images as the total (INQUIRE's rerank
evaluation); precision and recall at k within the set. Queries without a set or with no relevant image
in it are left out (and listed). --annotations is not needed then.

All metrics are fractions (0 to 1); INQUIRE's scripts print AP and nDCG x 100.`;

const fmt = (x: number) => x.toFixed(4);

export function registerEvalCommand(program: Command): void {
  program
    .command("eval")
    .description("score a run against a benchmark's labels with INQUIRE's metrics (plain files, no database)")
    .requiredOption("--queries <csv>", "the queries CSV")
    .option("--annotations <csv>", "the relevant (query_id, image_id) pairs; needed for full-rank")
    .requiredOption("--run <csv>", "the run: query_id,image_id,score")
    .option("--k <n>", "score the top k of each query", "50")
    .option("--rerank <csv>", "score as a rerank of this set instead of full-rank")
    .addOption(
      new Option("--by <field>", "group means by this query field")
        .choices(["supercategory", "category", "iconic_group"])
        .default("supercategory"),
    )
    .option("--json", 'print {"mean":{...},"per_query":[...],"groups":{...}} with metrics as fractions')
    .addHelpText("after", HELP)
    .action(
      async (opts: {
        queries: string;
        annotations?: string;
        run: string;
        k: string;
        rerank?: string;
        by: "supercategory" | "category" | "iconic_group";
        json?: boolean;
      }) => {
        const k = Number(opts.k);
        if (!/^\d+$/.test(opts.k) || k < 1) throw new Error(`--k must be a whole number of at least 1 (got ${opts.k})`);
        if (!opts.rerank && !opts.annotations)
          throw new Error("full-rank evaluation needs --annotations (or give --rerank)");
        // imported here so `fieldmark eval` loads only what it uses
        const { evaluateFiles } = await import("@/lib/eval/evaluate");
        const report = evaluateFiles({ ...opts, k });
        if (opts.json) return printJson(report);
        const rows = [
          ["", "queries", "AP", "nDCG", "MRR", `P@${k}`, `R@${k}`],
          [
            "mean",
            String(report.per_query.length),
            ...[report.mean.ap, report.mean.ndcg, report.mean.mrr, report.mean.precision, report.mean.recall].map(fmt),
          ],
          ...Object.entries(report.groups).map(([name, g]) => [
            name,
            String(g.queries),
            ...[g.ap, g.ndcg, g.mrr, g.precision, g.recall].map(fmt),
          ]),
        ];
        const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
        console.log(
          `${report.task === "rerank" ? "rerank" : "full-rank"} evaluation, k = ${k}, grouped by ${report.group_by}`,
        );
        for (const r of rows)
          console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
        for (const q of report.left_out) console.log(`left out: query ${q.query_id}: ${q.reason}`);
      },
    );
}

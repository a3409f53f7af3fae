import { Option, type Command } from "commander";
import { printJson, withDatabase } from "../run";
import type { DatabaseEvalOpts } from "./eval-database";

// `fieldmark eval`: scores a run file against labels with INQUIRE's metrics. With --queries (plain
// files) it never opens or creates a database, so anyone can score a run against INQUIRE's own
// published files. With --collection it scores a registered model's run over the collection's finished
// queries, or imports a run CSV, and keeps the run (cli/commands/eval-database.ts).

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

All metrics are fractions (0 to 1); INQUIRE's scripts print AP and nDCG x 100.

In the database (--collection): the collection's finished queries against their final labels.
  fieldmark eval --collection <c> --model <m> [--k 50]                 full-rank over the collection
  fieldmark eval --collection <c> --model <m> --second-model <m2>      two-stage: m's top k re-ordered by m2
  fieldmark eval --collection <c> --model <m> --rerank-set <version>   rerank over a rerank set
  fieldmark eval --collection <c> --import-run <csv> --name <model>    a run made elsewhere (ids users see)
A CLIP model ranks by the query's text, an image-only model by similarity to the query's examples.
The run is kept and shown on the collection's runs page; \`fieldmark report\` writes its report.`;

const fmt = (x: number) => x.toFixed(4);

export function registerEvalCommand(program: Command): void {
  program
    .command("eval")
    .description("score a run against a benchmark's labels with INQUIRE's metrics (plain files, no database)")
    .option("--queries <csv>", "the queries CSV (plain files)")
    .option("--annotations <csv>", "the relevant (query_id, image_id) pairs; needed for full-rank")
    .option("--run <csv>", "the run: query_id,image_id,score (plain files)")
    .option("--k <n>", "score the top k of each query", "50")
    .option("--rerank <csv>", "score as a rerank of this set instead of full-rank")
    .addOption(
      new Option("--by <field>", "group means by this query field")
        .choices(["supercategory", "category", "iconic_group"])
        .default("supercategory"),
    )
    .option("--json", 'print {"mean":{...},"per_query":[...],"groups":{...}} with metrics as fractions')
    .option("--collection <name>", "score in the database: this collection's finished queries")
    .option("--model <name>", "with --collection: the registered model to run")
    .option("--second-model <name>", "with --collection: re-order the first model's top k by this model")
    .option("--rerank-set <version>", "with --collection: re-order this rerank set version instead")
    .option("--import-run <csv>", "with --collection: import a run made elsewhere (query_id,image_id,score)")
    .option("--name <model>", "with --import-run: the name of the model that made the run")
    .addHelpText("after", HELP)
    .action(
      async (
        opts: {
          queries?: string;
          annotations?: string;
          run?: string;
          k: string;
          rerank?: string;
          by: "supercategory" | "category" | "iconic_group";
          json?: boolean;
        } & DatabaseEvalOpts,
      ) => {
        const k = Number(opts.k);
        if (!/^\d+$/.test(opts.k) || k < 1) throw new Error(`--k must be a whole number of at least 1 (got ${opts.k})`);
        if (opts.collection) {
          if (opts.queries || opts.run)
            throw new Error("give either --collection or the files (--queries, --run), not both");
          const { runInDatabase } = await import("./eval-database");
          return withDatabase(() => runInDatabase({ ...opts, collection: opts.collection! }, k));
        }
        if (!opts.queries || !opts.run) throw new Error("give --queries and --run (plain files), or --collection");
        if (!opts.rerank && !opts.annotations)
          throw new Error("full-rank evaluation needs --annotations (or give --rerank)");
        // imported here so `fieldmark eval` loads only what it uses
        const { evaluateFiles } = await import("@/lib/eval/evaluate");
        const report = evaluateFiles({ ...opts, queries: opts.queries, run: opts.run, k });
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

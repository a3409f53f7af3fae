import path from "node:path";
import type { Command } from "commander";
import { progressBar } from "../progress";
import { printJson, withDatabase } from "../run";
import { collectionNamed } from "./lookup";

// fieldmark export --collection <c> --out <dir> [--include-unfinished] [--rerank-set <version>]
// [--annotator-names]: the benchmark's files in INQUIRE's layout, with its dataset card and SHA256SUMS.

const HELP = `
Files: inquire_queries_val.csv, inquire_queries_test.csv, inquire_annotations.csv (relevant pairs by final
label), inquire_rerank_<split>.parquet and .csv (the rerank set, INQUIRE-Rerank's columns), judgments.jsonl
(every judgment with its history, adjudications and final labels), README.md (the dataset card) with its
charts/, and SHA256SUMS (check with \`sha256sum -c SHA256SUMS\` inside the folder).

Without --include-unfinished only finished queries are exported; those left out are listed with why.
Queries without a val/test split are always left out. The export freezes the published queries' splits
and the rerank set. The same data exports to the same bytes.`;

export function registerExportCommand(program: Command): void {
  program
    .command("export")
    .description("write a collection's benchmark as INQUIRE-compatible files, a dataset card and SHA256SUMS")
    .requiredOption("--collection <name>", "the collection")
    .requiredOption("--out <dir>", "a new or empty folder to write into")
    .option("--include-unfinished", "export queries that are not finished too")
    .option("--rerank-set <version>", "the rerank set version (default: the newest built one)")
    .option("--annotator-names", "real annotator names in judgments.jsonl instead of annotator-N")
    .option("--json", "print the result as JSON")
    .addHelpText("after", HELP)
    .action(
      async (opts: {
        collection: string;
        out: string;
        includeUnfinished?: boolean;
        rerankSet?: string;
        annotatorNames?: boolean;
        json?: boolean;
      }) => {
        if (opts.rerankSet !== undefined && !/^\d+$/.test(opts.rerankSet))
          throw new Error(`--rerank-set must be a version number (got ${opts.rerankSet})`);
        const out = path.resolve(opts.out);
        const { checkOutDir, writeExport } = await import("@/lib/export/write");
        checkOutDir(out); // before the database opens: a wrong folder is said at once
        await withDatabase(
          async () => {
            const collection = await collectionNamed(opts.collection);
            const bar = progressBar(`exporting ${collection.name}`);
            const started = Date.now();
            const written = await writeExport(
              collection.id,
              out,
              {
                includeUnfinished: opts.includeUnfinished ?? false,
                rerankSetVersion: opts.rerankSet === undefined ? undefined : Number(opts.rerankSet),
                annotatorNames: opts.annotatorNames ?? false,
              },
              ({ phase, done, total }) => bar.update(done, total, phase),
            );
            bar.end();
            const { plan } = written;
            if (opts.json)
              return printJson({
                out,
                queries: plan.perSplit,
                rerank_set: plan.rerankSet?.version ?? null,
                left_out: plan.leftOut,
                checksums: written.checksums,
              });
            console.log(
              `exported ${plan.queries.length} queries (val ${plan.perSplit.val}, test ${plan.perSplit.test}), ` +
                `${plan.judgments.toLocaleString("en-US")} judgments, ${written.files.size} files to ${out} ` +
                `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
            );
            console.log(
              plan.rerankSet
                ? `rerank set version ${plan.rerankSet.version} (${plan.rerankSet.modelName})`
                : "no rerank set built: no rerank files",
            );
            for (const q of plan.leftOut) console.log(`left out: query ${q.query_id}: ${q.reason}`);
            console.log(`check the files with: (cd ${out} && sha256sum -c SHA256SUMS)`);
          },
          { thread: true }, // the database works on one core while the files are made on the other
        );
      },
    );
}

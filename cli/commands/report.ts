import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { withDatabase } from "../run";
import { collectionNamed } from "./lookup";

// `fieldmark report --collection <c> --run <id> --out report.html`: a run's PoC report as one
// self-contained HTML file (thumbnails embedded, charts as SVG), printable to PDF from a browser.

export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description("write a model run's report (where it errs, what still needs an expert, whether retraining pays)")
    .requiredOption("--collection <name>", "the collection the run was made on")
    .requiredOption("--run <id>", "the run's id (see the collection's runs page or `fieldmark eval --collection`)")
    .option("--out <file>", "the HTML file to write", "report.html")
    .option("--threshold <p>", "precision@k below which a query still needs an expert (0 to 1)", "0.5")
    .action(async (opts: { collection: string; run: string; out: string; threshold: string }) => {
      const runId = Number(opts.run);
      if (!/^\d+$/.test(opts.run)) throw new Error(`--run must be a run id (got ${opts.run})`);
      const threshold = Number(opts.threshold);
      if (!(threshold >= 0 && threshold <= 1))
        throw new Error(`--threshold must be from 0 to 1 (got ${opts.threshold})`);
      const out = path.resolve(opts.out);
      await withDatabase(async () => {
        const collection = await collectionNamed(opts.collection);
        const { reportHtmlFile } = await import("@/lib/eval/report/file");
        const made = await reportHtmlFile(collection, runId, { threshold });
        if (!made) throw new Error(`collection "${collection.name}" has no run ${runId}`);
        fs.writeFileSync(out, made.html);
        console.log(`wrote ${out} (${(made.html.length / 1024).toFixed(0)} KiB): ${made.report.summary}`);
      });
    });
}

import fs from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { SPLITS, type Split } from "@/lib/queries/fields";
import { importInquireQueries } from "@/lib/queries/inquire-csv";
import { parseInquireQueriesCsv } from "@/lib/queries/inquire-file";
import { listQueries } from "@/lib/queries/queries";
import { printJson, withDatabase } from "../run";
import { collectionNamed } from "./lookup";

// `fieldmark queries import <csv> --collection <c> [--split val|test]`
// `fieldmark queries list --collection <c> [--json]`

/** INQUIRE's query ids are integers; print them as numbers, as its CSVs hold them, and any other id as text. */
const queryIdForJson = (id: string): number | string => (/^[0-9]{1,15}$/.test(id) ? Number(id) : id);

export function registerQueryCommands(program: Command): void {
  const queries = program.command("queries").description("the queries of a collection");
  queries
    .command("import")
    .description(
      "import queries from an INQUIRE query CSV (,query_id,query_text,supercategory,category,iconic_group), keeping its ids",
    )
    .argument("<csv>", "the CSV file, e.g. inquire_queries_val.csv")
    .requiredOption("--collection <name>", "the collection the queries are about")
    .addOption(new Option("--split <split>", "mark every imported query as this split").choices(SPLITS))
    .action(async (file: string, opts: { collection: string; split?: Split }) => {
      const full = path.resolve(file);
      if (!fs.existsSync(full)) throw new Error(`${full} does not exist`);
      const rows = parseInquireQueriesCsv(fs.readFileSync(full), path.basename(full));
      const result = await withDatabase(async () =>
        importInquireQueries((await collectionNamed(opts.collection)).id, rows, { split: opts.split }),
      );
      console.log(
        `${result.total} queries in ${path.basename(full)}: ${result.created} new, ${result.updated} updated, ${result.unchanged} unchanged`,
      );
    });
  queries
    .command("list")
    .description("list the collection's queries")
    .requiredOption("--collection <name>", "the collection")
    .option("--json", 'print JSON: [{"query_id", "query_text", "supercategory", "category", "iconic_group", "split"}]')
    .action(async (opts: { collection: string; json?: boolean }) => {
      const rows = await withDatabase(async () => listQueries((await collectionNamed(opts.collection)).id));
      if (opts.json) {
        printJson(
          rows.map((q) => ({
            query_id: queryIdForJson(q.id),
            query_text: q.text,
            supercategory: q.supercategory,
            category: q.category,
            iconic_group: q.iconicGroup,
            split: q.split,
          })),
        );
        return;
      }
      if (rows.length === 0) {
        console.log(
          `no queries in ${opts.collection} yet: write one in the app, or \`fieldmark queries import <csv> --collection ${opts.collection}\``,
        );
        return;
      }
      const idWidth = Math.max(2, ...rows.map((q) => q.id.length));
      console.log(
        `${"id".padEnd(idWidth)}  ${"split".padEnd(5)}  ${"judged".padStart(7)}  ${"relevant".padStart(8)}  query`,
      );
      for (const q of rows) {
        console.log(
          `${q.id.padEnd(idWidth)}  ${(q.split ?? "").padEnd(5)}  ${String(q.judged).padStart(7)}  ${String(q.relevant).padStart(8)}  ${q.text}`,
        );
      }
    });
}

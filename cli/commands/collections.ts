import type { Command } from "commander";
import { listCollections } from "@/lib/collections/list";
import { printJson, withDatabase } from "../run";

// `fieldmark collections list [--json]`: the collection summary of lib/collections/list (the numbers
// GET /api/collections gives), as a table or as the JSON the README documents.

export function registerCollectionCommands(program: Command): void {
  const collections = program.command("collections").description("collections of images");
  collections
    .command("list")
    .description("list collections with their numbers of images and taxa")
    .option("--json", 'print JSON: [{"name": ..., "images": N, "taxa": N}]')
    .action(async (opts: { json?: boolean }) => {
      const rows = await withDatabase(() => listCollections());
      if (opts.json) {
        printJson(rows.map(({ name, images, taxa }) => ({ name, images, taxa })));
        return;
      }
      if (rows.length === 0) {
        console.log(
          "no collections yet: import one with `fieldmark import <train.json|manifest.csv|folder> --collection <name>`",
        );
        return;
      }
      const width = Math.max(4, ...rows.map((r) => r.name.length));
      console.log(`${"name".padEnd(width)}  ${"images".padStart(10)}  ${"taxa".padStart(8)}`);
      for (const r of rows) {
        console.log(
          `${r.name.padEnd(width)}  ${r.images.toLocaleString("en-US").padStart(10)}  ${r.taxa.toLocaleString("en-US").padStart(8)}`,
        );
      }
    });
}

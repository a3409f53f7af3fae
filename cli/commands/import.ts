import path from "node:path";
import type { Command } from "commander";
import { importCollection, ImportInterruptedError, type ImportProgress, type ImportResult } from "@/lib/collections";
import { stopBoss } from "@/lib/jobs/boss";
import { enqueueThumbnails } from "@/lib/jobs/thumbnails";
import { printJson, withDatabase } from "../run";

// `fieldmark import <train.json|manifest.csv|folder> --collection <name> [--images-root <folder|url>]`

const n = (x: number) => x.toLocaleString("en-US");

/** A progress line on stderr: rewritten in place on a terminal, one line every few seconds in a log. */
function progressPrinter(collection: string) {
  const tty = process.stderr.isTTY;
  let lastPhase = "";
  let lastLog = 0;
  let width = 0;
  return {
    update(p: ImportProgress) {
      const pct = p.bytesTotal && p.bytesRead !== null ? ` (${Math.floor((100 * p.bytesRead) / p.bytesTotal)}%)` : "";
      const what = p.phase === "reading" ? `reading: ${n(p.records)} records${pct}` : `${p.phase}`;
      const line = `importing into "${collection}": ${what}`;
      if (tty) {
        process.stderr.write(`\r${line.padEnd(width)}`);
        width = line.length;
      } else if (p.phase !== lastPhase || Date.now() - lastLog > 5_000) {
        process.stderr.write(`${line}\n`);
        lastLog = Date.now();
      }
      lastPhase = p.phase;
    },
    end() {
      if (tty && width) process.stderr.write("\n");
      width = 0;
    },
  };
}

function summary(r: ImportResult): string {
  const name = path.basename(r.source);
  if (r.alreadyImported) {
    return `${name} was already imported into "${r.collection}" (import ${r.importId}): ${n(r.images.inSource)} images, ${n(r.taxa.inSource)} categories; nothing to do`;
  }
  return (
    `imported ${name} into "${r.collection}"${r.resumed ? " (resumed)" : ""}: ` +
    `${n(r.images.inSource)} images (${n(r.images.added)} new), ${n(r.taxa.inSource)} categories (${n(r.taxa.added)} new), ` +
    `${n(r.annotations)} annotations in ${r.seconds.toFixed(1)} s; images root ${r.imagesRoot}`
  );
}

export function registerImportCommand(program: Command): void {
  program
    .command("import")
    .description("import a collection: an iNaturalist/COCO-style train.json, a CSV manifest or a folder of images")
    .argument("<source>", "train.json, manifest.csv, or a folder of images")
    .requiredOption("--collection <name>", "the collection to import into (created if it does not exist)")
    .option(
      "--images-root <root>",
      "folder or http(s) base URL that image paths are relative to (default: the folder of the source)",
    )
    .option("--batch-size <records>", "records written per batch (default 10000): smaller uses less memory", (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--batch-size must be a positive whole number, got ${v}`);
      return n;
    })
    .option("--json", "print the result as JSON")
    .action(
      async (source: string, opts: { collection: string; imagesRoot?: string; batchSize?: number; json?: boolean }) => {
        const abort = new AbortController();
        const onSigint = () => abort.abort(new Error("Ctrl-C"));
        process.once("SIGINT", onSigint);
        const progress = progressPrinter(opts.collection);
        try {
          const result = await withDatabase(async () => {
            const r = await importCollection({
              source,
              collection: opts.collection,
              imagesRoot: opts.imagesRoot,
              batchSize: opts.batchSize,
              signal: abort.signal,
              onProgress: (p) => progress.update(p),
            });
            // thumbnails are made by the worker: now if the app runs, else when it next starts
            if (!r.alreadyImported) {
              try {
                await enqueueThumbnails(r.collectionId);
              } finally {
                await stopBoss();
              }
            }
            return r;
          });
          progress.end();
          if (opts.json) printJson(result);
          else console.log(summary(result));
        } catch (e) {
          progress.end();
          if (e instanceof ImportInterruptedError) process.exitCode = 130;
          throw e;
        } finally {
          process.off("SIGINT", onSigint);
        }
      },
    );
}

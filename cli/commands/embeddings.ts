import { type Command, InvalidArgumentError, Option } from "commander";
import { buildIndex } from "@/lib/vectors/hnsw";
import { importEmbeddings, type EmbeddingsImportResult } from "@/lib/vectors/import-npy";
import { printJson, withDatabase } from "../run";
import { collectionNamed, modelNamed } from "./lookup";

// fieldmark embeddings import <folder> --collection <c> --model <m>
//   [--match auto|id|path] [--id-column <col>] [--ids <file>] [--allow-unknown] [--half] [--no-index]
// fieldmark embeddings index --model <m> [--m 16] [--ef-construction 200] [--memory 2GB]

const n = (x: number) => x.toLocaleString("en-US");

function progressLine() {
  const tty = process.stderr.isTTY;
  let last = 0;
  let lastPhase = "";
  return (p: { phase: string; done: number; total: number }) => {
    const line = `${p.phase}: ${n(p.done)} / ${n(p.total)}`;
    if (tty) process.stderr.write(`${p.phase !== lastPhase && lastPhase ? "\n" : "\r"}${line.padEnd(60)}`);
    else if (p.phase !== lastPhase || Date.now() - last > 5_000) {
      process.stderr.write(`${line}\n`);
      last = Date.now();
    }
    lastPhase = p.phase;
  };
}

function positiveInt(v: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 1) throw new InvalidArgumentError("must be a positive integer");
  return x;
}

export function registerEmbeddingsCommand(program: Command): void {
  const embeddings = program.command("embeddings").description("precomputed image embeddings and their index");
  embeddings
    .command("import <folder>")
    .description(
      "import precomputed image embeddings: img_emb/img_emb_<n>.npy (float16/32) with ids in metadata/metadata_<n>.parquet, metadata_<n>.txt or ids.txt",
    )
    .requiredOption("--collection <name>", "collection the images belong to")
    .requiredOption("--model <name>", "registered model the vectors come from (its dimension must match)")
    .addOption(
      new Option("--match <how>", "match ids to images by source id, by path, or id then path")
        .choices(["auto", "id", "path"])
        .default("auto"),
    )
    .option(
      "--id-column <column>",
      "parquet column with the ids or paths (default: image_id, id, image_path, path, ...)",
    )
    .option("--ids <file>", "one ids file (one per line) for all shards, in shard order")
    .option("--allow-unknown", "skip vectors whose id matches no image instead of failing")
    .option("--half", "store as halfvec (half the space) if the model has no vectors yet")
    .option("--no-index", "do not rebuild the HNSW index afterwards")
    .option("--json", "print the result as JSON")
    .action(
      async (
        folder: string,
        opts: {
          collection: string;
          model: string;
          match: "auto" | "id" | "path";
          idColumn?: string;
          ids?: string;
          allowUnknown?: boolean;
          half?: boolean;
          index: boolean;
          json?: boolean;
        },
      ) => {
        const result: EmbeddingsImportResult = await withDatabase(async () => {
          const collection = await collectionNamed(opts.collection);
          const model = await modelNamed(opts.model);
          return importEmbeddings(folder, {
            collectionId: collection.id,
            modelId: model.id,
            match: opts.match,
            idColumn: opts.idColumn,
            idsFile: opts.ids,
            allowUnknown: opts.allowUnknown,
            half: opts.half,
            buildIndex: opts.index,
            onProgress: progressLine(),
          });
        });
        if (process.stderr.isTTY) process.stderr.write("\n");
        if (opts.json) return printJson(result);
        const extra = [
          result.skippedUnknown ? `${n(result.skippedUnknown)} unknown ids skipped` : "",
          result.duplicates ? `${n(result.duplicates)} repeated images (last vector kept)` : "",
          result.indexSeconds !== undefined ? `index built in ${result.indexSeconds.toFixed(1)} s` : "",
        ].filter(Boolean);
        console.log(
          `imported ${n(result.vectors)} vectors from ${result.shards} shard(s) into "${opts.model}"${extra.length ? `; ${extra.join("; ")}` : ""}`,
        );
      },
    );

  embeddings
    .command("index")
    .description("(re)build a model's HNSW index (cosine) after a bulk load")
    .requiredOption("--model <name>", "model")
    .option("--m <n>", "graph degree", positiveInt, 16)
    .option("--ef-construction <n>", "candidate list while building", positiveInt, 200)
    .option("--memory <size>", "maintenance_work_mem for the build, e.g. 2GB")
    .action(async (opts: { model: string; m: number; efConstruction: number; memory?: string }) => {
      const progress = progressLine();
      const r = await withDatabase(async () => {
        const model = await modelNamed(opts.model);
        return buildIndex(model.id, {
          m: opts.m,
          efConstruction: opts.efConstruction,
          maintenanceWorkMem: opts.memory,
          onProgress: (p) => progress({ phase: p.phase, done: p.tuplesDone, total: p.tuplesTotal }),
        });
      });
      if (process.stderr.isTTY) process.stderr.write("\n");
      console.log(
        `index of "${opts.model}": ${n(r.rows)} vectors, ${(r.sizeBytes / 2 ** 20).toFixed(1)} MB, built in ${r.seconds.toFixed(1)} s`,
      );
    });
}

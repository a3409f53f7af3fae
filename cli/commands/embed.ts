import type { Command } from "commander";
import { embeddingProgress } from "@/lib/embeddings/embed-images";
import { enqueueEmbedding, pendingEmbeddingJobs } from "@/lib/jobs/embeddings";
import { buildIndex } from "@/lib/vectors/hnsw";
import { startWorker } from "@/workers";
import { progressBar } from "../progress";
import { withDatabase } from "../run";
import { collectionNamed, modelNamed } from "./lookup";

// `fieldmark embed --collection c --model m`: queues the images without a vector, then works on the
// queue here too (beside any running workers) with a progress bar, and builds the HNSW index.

export function registerEmbedCommand(program: Command): void {
  program
    .command("embed")
    .description(
      "embed a collection's images with a registered model (resumable: only images without a vector are queued)",
    )
    .requiredOption("--collection <name>")
    .requiredOption("--model <name>")
    .option("--no-work", "only queue the jobs for the running workers; do not work or wait here")
    .option("--no-index", "do not build the HNSW index when done")
    .action(async (opts: { collection: string; model: string; work: boolean; index: boolean }) => {
      await withDatabase(async () => {
        const collection = await collectionNamed(opts.collection);
        const model = await modelNamed(opts.model);
        const queued = await enqueueEmbedding(collection.id, model.id);
        console.error(`queued ${queued.images.toLocaleString("en-US")} images in ${queued.chunks} jobs`);
        if (!opts.work) return;
        const worker = await startWorker();
        const bar = progressBar(`embedding ${collection.name} with ${model.name}`);
        try {
          let p = await embeddingProgress(collection.id, model.id);
          while (p.embedded < p.total) {
            bar.update(p.embedded, p.total, p.unreadable ? `(${p.unreadable} unreadable)` : "");
            await new Promise((r) => setTimeout(r, 1000));
            p = await embeddingProgress(collection.id, model.id);
            if (p.embedded < p.total && (await pendingEmbeddingJobs()) === 0) {
              throw new Error(
                `${p.total - p.embedded} images still have no vector and no job is left: the jobs failed (see the worker's log); run embed again to retry them`,
              );
            }
          }
          bar.update(p.embedded, p.total, p.unreadable ? `(${p.unreadable} unreadable)` : "");
        } finally {
          bar.end();
          await worker.stop();
        }
        if (opts.index) {
          const r = await buildIndex(model.id);
          console.error(
            `HNSW index built: ${r.rows.toLocaleString("en-US")} vectors, ${(r.sizeBytes / 2 ** 20).toFixed(1)} MB, in ${(r.seconds + r.sortSeconds).toFixed(1)} s`,
          );
        }
      });
    });
}

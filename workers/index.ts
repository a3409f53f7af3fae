import { boss, QUEUES, stopBoss } from "@/lib/jobs/boss";
import { closeEncoders } from "@/lib/models/encoder-cache";
import { handleCandidateJobs } from "./candidates";
import { handleEmbeddingJobs } from "./embeddings";
import { handleEvalJobs } from "./eval";
import { handleExportJobs } from "./export";
import { handleImportJobs, watchOrphanedImports } from "./imports";
import { handleIndexJobs } from "./indexes";
import { handleLearningJobs } from "./learning";
import { handleModelFetchJobs } from "./model-fetch";
import { handleRerankJobs } from "./rerank";
import { handleThumbnailJobs } from "./thumbnails";

// The background worker: pg-boss handlers that call into lib/. Several worker processes may run
// against one database; pg-boss hands each job to one of them.

export async function startWorker(): Promise<{ stop: () => Promise<void> }> {
  const b = await boss();
  await b.work(QUEUES.thumbnails, { batchSize: 1, pollingIntervalSeconds: 1 }, handleThumbnailJobs);
  await b.work(QUEUES.imports, { batchSize: 1, pollingIntervalSeconds: 1 }, handleImportJobs);
  await b.work(QUEUES.embeddings, { batchSize: 1, pollingIntervalSeconds: 1 }, handleEmbeddingJobs);
  await b.work(QUEUES.indexes, { batchSize: 1, pollingIntervalSeconds: 1 }, handleIndexJobs);
  await b.work(QUEUES.candidates, { batchSize: 1, pollingIntervalSeconds: 1 }, handleCandidateJobs);
  // polled twice as often: a round must land before the expert finishes the page they are on
  await b.work(QUEUES.learning, { batchSize: 1, pollingIntervalSeconds: 0.5 }, handleLearningJobs);
  await b.work(QUEUES.rerank, { batchSize: 1, pollingIntervalSeconds: 1 }, handleRerankJobs);
  const stopWatching = watchOrphanedImports();
  await b.work(QUEUES.eval, { batchSize: 1, pollingIntervalSeconds: 1 }, handleEvalJobs);
  await b.work(QUEUES.modelFetch, { batchSize: 1, pollingIntervalSeconds: 1 }, handleModelFetchJobs);
  await b.work(QUEUES.exports, { batchSize: 1, pollingIntervalSeconds: 1 }, handleExportJobs);
  return {
    stop: async () => {
      stopWatching();
      await stopBoss({ graceful: true, timeout: 15_000 });
      await closeEncoders();
    },
  };
}

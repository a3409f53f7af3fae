import type { Command } from "commander";
import { openDatabase } from "@/lib/db/open";
import { startWorker } from "@/workers";

export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("run the background worker (thumbnails, and later embedding and candidate jobs) until stopped")
    .action(async () => {
      const database = await openDatabase();
      const worker = await startWorker();
      console.log(`worker: ready (${database.kind})`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await worker.stop();
      await database.close();
      console.log("worker: stopped");
    });
}

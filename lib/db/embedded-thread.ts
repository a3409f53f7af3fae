import { Worker } from "node:worker_threads";
import type { EmbeddedServer } from "./embedded";

// The embedded database served from a worker thread of this process, for a command that both reads a
// lot and does a lot with it in JS (`fieldmark export` while the tool is stopped): PGlite's queries then
// run on one core and the command's JS on the other, as when `fieldmark start` serves it from its own
// process. Clients connect over the same socket as ever; the thread ends with the process.

type Reply = { url: string; port: number } | { error: string } | { stopped: true };

export function startEmbeddedThread(dataDir: string, port = 0): Promise<EmbeddedServer> {
  const worker = new Worker(new URL("./embedded-thread-entry.mjs", import.meta.url), { workerData: { dataDir, port } });
  return new Promise((resolve, reject) => {
    const failed = (e: Error) => reject(new Error(`Could not start the embedded database: ${e.message}`));
    const exited = (code: number) => failed(new Error(`its thread ended (exit code ${code}) before it was ready`));
    worker.once("error", failed);
    worker.once("exit", exited);
    worker.once("message", (reply: Reply) => {
      if ("error" in reply) return reject(new Error(reply.error));
      if (!("url" in reply)) return;
      worker.off("error", failed);
      worker.off("exit", exited);
      let stopping: Promise<void> | undefined;
      resolve({
        url: reply.url,
        port: reply.port,
        stop: () =>
          (stopping ??= new Promise<void>((done, fail) => {
            worker.once("message", () => done());
            worker.once("error", fail);
            worker.once("exit", () => done());
            worker.postMessage("stop");
          })),
      });
    });
  });
}

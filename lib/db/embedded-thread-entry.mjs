// The worker thread that serves the embedded database (lib/db/embedded-thread.ts starts it): plain JavaScript that
// loads the TypeScript of lib/db/embedded.ts through tsx, as bin/fieldmark.mjs does for the CLI.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../../tsconfig.json", import.meta.url).pathname });
const { startEmbedded } = await import("./embedded.ts");
try {
  const server = await startEmbedded(workerData.dataDir, workerData.port);
  parentPort.postMessage({ url: server.url, port: server.port });
  parentPort.once("message", async () => {
    await server.stop();
    parentPort.postMessage({ stopped: true });
    parentPort.close();
  });
} catch (e) {
  parentPort.postMessage({ error: e instanceof Error ? e.message : String(e) });
  parentPort.close();
}

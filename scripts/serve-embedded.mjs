// The embedded database as `fieldmark start` serves it (lib/db/embedded.ts), alone in a process of its
// own on a fixed port (0: any free one), so a test can kill it with SIGKILL and start it again where
// clients expect it, and a bench can measure a client in another process.
// Usage: node scripts/serve-embedded.mjs <data dir> <port> (tests/faults and bench/export use it)
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
const { startEmbedded } = await import("../lib/db/embedded.ts");
const [dataDir, port] = process.argv.slice(2);
const server = await startEmbedded(dataDir, Number(port));
console.log(`ready ${server.url}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

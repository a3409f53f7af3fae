import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

// PGlite is a single-process database. Fieldmark serves it over the PostgreSQL wire protocol so the
// app, the worker and the CLI all talk to it exactly as they talk to a real PostgreSQL (one code path).
// The process that owns it writes server.json in the data folder; others connect to that port.

export type EmbeddedServer = { url: string; port: number; stop: () => Promise<void> };

const INFO_FILE = "server.json";

export function embeddedUrl(port: number): string {
  return `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The URL of an embedded server another process is already running on this data folder, if any. */
export async function findRunningEmbedded(dataDir: string): Promise<string | undefined> {
  const file = path.join(dataDir, INFO_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    const info = JSON.parse(fs.readFileSync(file, "utf8")) as { pid: number; port: number };
    if (info.pid !== process.pid && pidAlive(info.pid) && (await portOpen(info.port))) return embeddedUrl(info.port);
  } catch {
    // a torn or stale file: treat as no server
  }
  return undefined;
}

type Enqueue = (handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void) => Promise<number>;

// Extended-protocol messages that only make sense together with what follows them up to a Sync:
// Parse, Bind, Describe, Execute, Close.
const HELD_MESSAGES = new Set([0x50, 0x42, 0x44, 0x45, 0x43]);

/**
 * pglite-socket queues each wire-protocol message of each connection on its own, so another
 * connection's query can run between a client's Parse and its Bind and take over the unnamed
 * statement (seen as "invalid input syntax" errors under load; worse, a silent wrong query when the
 * types agree). Holding a connection's Parse/Bind/Describe/Execute/Close until its Sync (or Flush)
 * queues each exchange whole, and PGlite runs it in one go.
 */
function queueWholeExchanges(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue?: { enqueue: Enqueue } }).queryQueue;
  if (!queue || typeof queue.enqueue !== "function")
    throw new Error(
      "pglite-socket's query queue is not where Fieldmark expects it: check lib/db/embedded.ts against this pglite-socket version",
    );
  const enqueue = queue.enqueue.bind(queue);
  const held = new Map<number, Uint8Array[]>();
  queue.enqueue = (handlerId, message, onData) => {
    if (HELD_MESSAGES.has(message[0])) {
      const list = held.get(handlerId) ?? [];
      list.push(message);
      held.set(handlerId, list);
      return Promise.resolve(0);
    }
    const before = held.get(handlerId);
    if (!before) return enqueue(handlerId, message, onData);
    held.delete(handlerId);
    return enqueue(handlerId, Buffer.concat([...before, message]), onData);
  };
}

/** A port no one listens on now, for a server about to start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startEmbedded(dataDir: string, port = 0): Promise<EmbeddedServer> {
  const dbDir = path.join(dataDir, "pglite");
  fs.mkdirSync(dataDir, { recursive: true });
  let db: PGlite;
  try {
    db = await PGlite.create(dbDir, { extensions: { vector } });
  } catch (e) {
    throw new Error(`Could not open the embedded database in ${dbDir}: ${(e as Error).message}`);
  }
  // Several clients (app pool, worker, pg-boss) share it; the socket server queues their queries and
  // keeps a transaction on the connection that opened it.
  const actualPort = port || (await freePort());
  const server = new PGLiteSocketServer({ db, port: actualPort, host: "127.0.0.1", maxConnections: 100 });
  queueWholeExchanges(server);
  await server.start();
  const infoFile = path.join(dataDir, INFO_FILE);
  fs.writeFileSync(infoFile, JSON.stringify({ pid: process.pid, port: actualPort }));
  let stopped = false;
  return {
    url: embeddedUrl(actualPort),
    port: actualPort,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        const info = JSON.parse(fs.readFileSync(infoFile, "utf8"));
        if (info.pid === process.pid) fs.rmSync(infoFile, { force: true });
      } catch {
        /* already gone */
      }
      await server.stop();
      await db.close();
    },
  };
}

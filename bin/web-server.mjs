#!/usr/bin/env node
// The production web server: the built Next.js app (what `next start` serves) in one process per core.
// One Node process runs JavaScript on one core, and with fifty experts judging at once the app's own
// request handling, not the database, is what runs out first (bench/label): a second process on the
// second core roughly doubles what the app can take. node:cluster shares the one port between them.
//
//   node bin/web-server.mjs [--port 3000] [--host 0.0.0.0] [--workers N]
//   FIELDMARK_WEB_WORKERS=N sets the number of processes (default: the cores, at most 4; 1 = no cluster)
//   FIELDMARK_TRUSTED_PROXIES=addresses,ranges: the reverse proxies whose X-Forwarded-For/-Proto/-Host
//   count (lib/auth/forwarding.mjs); from anyone else those headers are dropped and the socket decides
import cluster from "node:cluster";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { acceptForwarding, parseTrustedProxies, secureCookies } from "../lib/auth/forwarding.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const port = Number(arg("port") ?? process.env.PORT ?? 3000);
const host = arg("host") ?? process.env.HOSTNAME ?? "0.0.0.0";
const workers = Number(arg("workers") ?? process.env.FIELDMARK_WEB_WORKERS ?? Math.min(os.availableParallelism(), 4));
if (!Number.isInteger(port) || port < 1 || port > 65535)
  throw new Error(`--port must be a port number, not ${arg("port") ?? process.env.PORT}`);
if (!Number.isInteger(workers) || workers < 1)
  throw new Error(`--workers (FIELDMARK_WEB_WORKERS) must be a whole number of at least 1, not ${workers}`);
const trustedProxies = (() => {
  try {
    return parseTrustedProxies(process.env.FIELDMARK_TRUSTED_PROXIES);
  } catch (e) {
    throw new Error(`Bad environment variable FIELDMARK_TRUSTED_PROXIES: ${e.message}`); // at start, not per request
  }
})();
process.env.NODE_ENV = "production";

if (cluster.isPrimary && workers > 1) {
  let stopping = false;
  const fork = () => cluster.fork({ FIELDMARK_WEB_WORKER: "1" });
  for (let i = 0; i < workers; i++) fork();
  let ready = 0;
  cluster.on("message", (_worker, message) => {
    if (message === "listening" && ++ready === workers)
      console.log(`web server: ${workers} processes on http://${host}:${port}`);
  });
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    // a process that died is replaced, so one crash never halves the app for good
    console.error(`web server process ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
    fork();
  });
  const stop = (signal) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill(signal);
    const timer = setTimeout(() => process.exit(0), 10_000);
    timer.unref();
    cluster.on("exit", () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
} else {
  const { default: next } = await import("next");
  // The URLs the app makes for itself (request.url in route handlers, which the auth library checks a
  // sign-in's Origin against) name the host as `next start` does: localhost for a wildcard address.
  const appHost = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  const app = next({ dev: false, dir: ROOT, hostname: appHost, port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const server = http.createServer((req, res) => {
    // The client's address and scheme, from the socket or a trusted proxy, before Next reads any header:
    // sign-in's rate limit is per client, and cookies are Secure when the page came over HTTPS.
    if (acceptForwarding(req, trustedProxies).https) secureCookies(res);
    return handle(req, res);
  });
  // as `next start` does: keep idle sockets open a little longer than the usual proxy's 60 s
  server.keepAliveTimeout = 65_000;
  server.listen(port, host, () => {
    if (process.send) process.send("listening");
    else console.log(`web server: 1 process on http://${host}:${port}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

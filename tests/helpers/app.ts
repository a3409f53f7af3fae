import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { createUser } from "@/lib/auth/users";
import { freePort } from "@/lib/db/embedded";
import { createTestDatabase, type TestDatabase } from "./db";
import { ensureBuilt } from "./next-build";
import { seedCollection, type SeededCollection } from "./seed";
import { postgresAdminUrl } from "./services";

// Runs the real app for browser tests: a fresh database (PostgreSQL when configured, else PGlite served
// from this process), accounts made with createUser, the small seed collection, then the web server
// (bin/web-server.mjs, as `fieldmark start` runs it) on a free port, once `next build` is fresh.

const ROOT = path.resolve(import.meta.dirname, "../..");
const WEB_SERVER = path.join(ROOT, "bin/web-server.mjs");

export const ADMIN = {
  email: "admin@example.org",
  name: "Ada Admin",
  password: "admin-password-1",
  role: "admin" as const,
};
export const EXPERT = {
  email: "expert@example.org",
  name: "Eli Expert",
  password: "expert-password-1",
  role: "expert" as const,
};

export type TestApp = {
  url: string;
  database: TestDatabase;
  /** undefined when started with { seed: false } */
  collection?: SeededCollection;
  /** what the server printed, for failure messages */
  output: () => string;
  stop: () => Promise<void>;
};

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the web server exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok && (await res.json()).ok === true) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the app did not become healthy within 60 s:\n${output()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }, 5000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    try {
      process.kill(-child.pid!, "SIGTERM"); // its own process group: nothing it started outlives it
    } catch {
      clearTimeout(kill);
      resolve();
    }
  });
}

export async function startTestApp(opts: { seed?: boolean } = {}): Promise<TestApp> {
  await ensureBuilt();
  const database = await createTestDatabase(postgresAdminUrl ? "postgres" : "pglite");
  let child: ChildProcess | undefined;
  try {
    let collection: SeededCollection | undefined;
    if (opts.seed !== false) {
      await createUser(ADMIN);
      await createUser(EXPERT);
      collection = await seedCollection(path.join(database.filesDir, "images"));
    }
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let log = "";
    child = spawn(process.execPath, [WEB_SERVER, "--port", String(port), "--host", "127.0.0.1"], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        PORT: String(port),
        DATABASE_URL: database.url,
        FIELDMARK_DB_KIND: database.kind,
        FIELDMARK_DATA_DIR: database.dataDir, // thumbnails and the auth secret stay in the temp folder
        BETTER_AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
      },
    });
    child.stdout!.on("data", (d) => {
      log += d;
    });
    child.stderr!.on("data", (d) => {
      log += d;
    });
    const output = () => log;
    await waitForHealth(url, child, output);
    const running = child;
    return {
      url,
      database,
      collection,
      output,
      stop: async () => {
        await stopProcess(running);
        await database.close();
      },
    };
  } catch (e) {
    if (child) await stopProcess(child);
    await database.close();
    throw e;
  }
}

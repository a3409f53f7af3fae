import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createUser } from "@/lib/auth/users";
import { freePort } from "@/lib/db/embedded";
import { createTestDatabase, type TestDatabase } from "./db";
import { seedCollection, type SeededCollection } from "./seed";
import { postgresAdminUrl } from "./services";

// Runs the real app for browser tests: a fresh database (PostgreSQL when configured, else PGlite served
// from this process), accounts made with createUser, the small seed collection, then the web server
// (bin/web-server.mjs, as `fieldmark start` runs it) on a free port. `next build` runs only when the
// sources are newer than the last build.

const ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const WEB_SERVER = path.join(ROOT, "bin/web-server.mjs");
const BUILD_ID = path.join(ROOT, ".next/BUILD_ID");
const BUILD_LOCK = path.join(ROOT, ".next-build.lock");
const SOURCES = ["app", "lib", "proxy.ts", "next.config.js", "postcss.config.mjs", "package.json", "tsconfig.json"];

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

function newestMtime(p: string): number {
  const full = path.join(ROOT, p);
  if (!fs.existsSync(full)) return 0;
  const stat = fs.statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(full)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

function buildIsFresh(): boolean {
  if (!fs.existsSync(BUILD_ID)) return false;
  const built = fs.statSync(BUILD_ID).mtimeMs;
  return SOURCES.every((s) => newestMtime(s) < built);
}

/** `next build`, unless .next is newer than every source. Test files may race here, hence the lock. */
export async function ensureBuilt(): Promise<void> {
  if (buildIsFresh()) return;
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(BUILD_LOCK);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10 * 60_000) fs.rmSync(BUILD_LOCK, { recursive: true, force: true }); // left by a killed run
      if (Date.now() > deadline) throw new Error("gave up waiting for another next build to finish");
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    if (buildIsFresh()) return; // another test file built it while we waited
    const r = spawnSync(process.execPath, [NEXT_BIN, "build"], {
      cwd: ROOT,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`next build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

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

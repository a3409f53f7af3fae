import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { TestDatabase } from "../helpers/db";

// Shared by the fault tests: real processes started from the CLI, waited on and killed.

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const CLI = path.join(ROOT, "bin", "fieldmark.mjs");

export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export type Child = { process: ChildProcess; output: () => string; exited: Promise<number | null> };

/** `fieldmark <args>` as a child process; its stdout and stderr kept for failure messages. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}

/** `fieldmark worker` against a test database (pg-boss's maintenance every second, so an expired job returns fast). */
export function spawnWorker(t: TestDatabase, extraEnv: Record<string, string> = {}): Child {
  return spawnCli(["worker"], {
    ...process.env,
    DATABASE_URL: t.url,
    FIELDMARK_DB_KIND: t.kind,
    FIELDMARK_DATA_DIR: t.dataDir,
    FIELDMARK_JOB_MAINTENANCE_SECONDS: "1",
    ...extraEnv,
  });
}

export async function kill9(child: Child): Promise<void> {
  child.process.kill("SIGKILL");
  await child.exited;
}

export async function stopGracefully(child: Child): Promise<void> {
  if (child.process.exitCode !== null) return;
  child.process.kill("SIGTERM");
  await child.exited;
}

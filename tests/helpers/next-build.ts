import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildIsCurrent } from "../../cli/build-freshness"; // relative: vitest.config loads this file without the @ alias

// `next build` for the tests that run the app, when `fieldmark start` would build too (cli/build-freshness),
// once for all test files (a lock folder; they may race here). tests/sequencer.ts starts it in the
// background and runs the files that do not need the app meanwhile.

const ROOT = path.resolve(import.meta.dirname, "../..");
const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
const BUILD_LOCK = path.join(ROOT, ".next-build.lock");

/** `next build`, unless .next is newer than every source. Test files may race here, hence the lock. */
export async function ensureBuilt(): Promise<void> {
  if (buildIsCurrent()) return;
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
    if (buildIsCurrent()) return; // another test file built it while we waited
    const child = spawn(process.execPath, [NEXT_BIN, "build"], {
      cwd: ROOT,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const status = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", resolve);
    });
    if (status !== 0) throw new Error(`next build failed:\n${output}`);
  } finally {
    fs.rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

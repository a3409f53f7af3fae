import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { freePort } from "@/lib/db/embedded";
import { ensureBuilt } from "../helpers/next-build";
import { launchBrowser, signIn, type TestBrowser } from "../helpers/browser";
import { browserEnabled, servicesRequired } from "../helpers/services";

// The default deployment as a newcomer runs it: `fieldmark start` (what `npm start` runs) with no
// DATABASE_URL, so the embedded PGlite database, the web server and the worker, in a fresh data folder.
// In the browser: the first admin at /setup, an import from the import page, a query, judgments by
// keyboard, a reload; then Ctrl-C, a second start on the same folder, and the judgments are all there.

const ROOT = path.resolve(import.meta.dirname, "../..");
const NATURAL_MIX = path.resolve(ROOT, "../shared/fixtures/natural-mix");
const haveShared = fs.existsSync(path.join(NATURAL_MIX, "train.json"));
if (!haveShared && servicesRequired) throw new Error(`${NATURAL_MIX} is missing`);
const SKIP_REASON = "browser tests (skipped: set FIELDMARK_TEST_BROWSER=1 and have ../shared to run them)";
const ADMIN = { name: "Nora Newcomer", email: "nora@example.org", password: "first-admin-password" };

type Started = { child: ChildProcess; output: () => string };

async function startFieldmark(dataDir: string, port: number): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FIELDMARK_DATA_DIR: dataDir,
    PORT: String(port),
    // the admin allows the folder the photos are in, as README says
    FIELDMARK_IMAGE_ROOTS: NATURAL_MIX,
    FIELDMARK_WEB_WORKERS: "2",
  };
  delete env.DATABASE_URL;
  delete env.TEST; // Vitest sets it; better-auth would skip its own origin checks
  const child = spawn(process.execPath, [path.join(ROOT, "bin/fieldmark.mjs"), "start"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`fieldmark start exited with ${child.exitCode}:\n${log}`);
    const health = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null);
    if (health?.ok && (await health.json()).database === "pglite") break;
    if (Date.now() > deadline) throw new Error(`fieldmark start did not answer within 180 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return { child, output: () => log };
}

/** Ctrl-C, as a person stops it: everything it started must go. */
async function stop(started: Started): Promise<void> {
  if (started.child.exitCode !== null) return;
  const exited = new Promise((r) => started.child.once("exit", r));
  started.child.kill("SIGINT");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  if (started.child.exitCode === null) {
    started.child.kill("SIGKILL");
    throw new Error(`fieldmark start did not stop on Ctrl-C:\n${started.output()}`);
  }
}

describe.skipIf(!browserEnabled || !haveShared)(
  browserEnabled && haveShared ? "npm start with the embedded database, as a newcomer runs it" : SKIP_REASON,
  () => {
    let work: string;
    let dataDir: string;
    let port: number;
    let url: string;
    let started: Started | undefined;
    let browser: TestBrowser;
    let context: BrowserContext;
    let judged: string[] = [];
    let queryPath = "";

    beforeAll(async () => {
      await ensureBuilt(); // `fieldmark start` would build too; one build for every browser test
      work = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-npm-start-"));
      dataDir = path.join(work, ".data");
      port = await freePort();
      url = `http://localhost:${port}`;
      started = await startFieldmark(dataDir, port);
      browser = await launchBrowser();
      context = await browser.newContext();
    }, 600_000);
    afterAll(async () => {
      await browser?.close();
      if (started) await stop(started).catch(() => {});
      fs.rmSync(work, { recursive: true, force: true });
    });

    const focusedId = (page: Page) =>
      page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.imageId ?? null);

    it("makes the first admin, imports from the import page, writes a query and judges it by keyboard", async () => {
      const page = await context.newPage();
      await page.goto(`${url}/setup`);
      await page.fill("#name", ADMIN.name);
      await page.fill("#email", ADMIN.email);
      await page.fill("#password", ADMIN.password);
      await page.click("button[type=submit]");
      await page.waitForURL(/\/collections$/, { timeout: 30_000 });

      await page.goto(`${url}/import`);
      await page.fill("#collection", "natural-mix");
      await page.fill("#source", path.join(NATURAL_MIX, "train.json"));
      await page.click("main button[type=submit]"); // not the header's sign-out button
      // the page says how the import went: done, or failed with the importer's words
      await expect
        .poll(() => page.locator("main").innerText(), { timeout: 120_000 })
        .toMatch(/Imported into|failed|wrong|not allowed|error/i);
      expect(await page.locator("main").innerText()).toContain("Imported into");
      await page.goto(`${url}/collections/natural-mix`);
      await expect.poll(() => page.locator("[data-testid=image-count]").textContent()).toBe("409");

      await page.goto(`${url}/collections/natural-mix/queries/new`);
      await page.getByLabel("Query text").fill("shark");
      await page.click("main button[type=submit]");
      await page.waitForURL(/\/queries\/1$/, { timeout: 30_000 });
      queryPath = new URL(page.url()).pathname;
      // the worker surfaces candidates from the taxonomy (no image model is registered)
      const grid = page.locator("[data-testid=judging-grid]");
      await expect.poll(() => grid.locator("li").count(), { timeout: 60_000 }).toBeGreaterThan(1);
      await expect.poll(() => focusedId(page), { timeout: 10_000 }).not.toBeNull();
      for (const key of ["r", "n"]) {
        judged.push((await focusedId(page))!);
        await page.keyboard.press(key);
      }
      const sync = page.locator("[data-testid=sync-status]");
      await expect.poll(() => sync.getAttribute("data-state"), { timeout: 20_000 }).toBe("saved");

      await page.reload();
      await page.goto(`${url}${queryPath}/judged`);
      await expect.poll(() => page.locator("[data-testid=judged-list] li").count()).toBe(2);
      judged = judged.sort();
    }, 300_000);

    it("keeps every judgment through Ctrl-C and a second start on the same data folder", async () => {
      await stop(started!);
      started = await startFieldmark(dataDir, port);
      const page = await (await browser.newContext()).newPage();
      await signIn(page, url, ADMIN);
      await page.goto(`${url}${queryPath}/judged`);
      const items = page.locator("[data-testid=judged-list] li");
      // the first page after a restart waits for the processes to warm up (seconds on a loaded machine)
      await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(2);
      const ids = await items.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.imageId ?? ""));
      expect(ids.sort()).toEqual(judged);
      expect(await page.locator("[data-testid=count-relevant]").textContent()).toBe("1");
      expect(await page.locator("[data-testid=count-not_relevant]").textContent()).toBe("1");
    }, 300_000);
  },
);

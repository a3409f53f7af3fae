import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { unzipSync } from "fflate";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/lib/auth/users";
import { exportPath } from "@/lib/benchmark/urls";
import { db } from "@/lib/db/client";
import { startWorker } from "@/workers";
import { seedBenchmark } from "../export/fixture";
import { EXPERT, startTestApp, type TestApp } from "../helpers/app";
import { launchBrowser, signIn, type TestBrowser } from "../helpers/browser";
import { browserEnabled } from "../helpers/services";

// The export page in Chromium against `next start`, with the worker in this process writing into the
// app's data folder: a lead sees what will be published (queries per split, the left-out list with
// reasons, the rerank set), starts an export, watches it finish, downloads the one zip, and its
// SHA256SUMS verifies once unzipped. An expert is refused the page and the archive.

const SKIP_REASON = "browser export test (skipped: set FIELDMARK_TEST_BROWSER=1 to run it)";
const COLLECTION = "garden-survey";
const LEAD = { email: "lead@example.org", name: "Lee Lead", password: "lead-password-1", role: "lead" as const };

describe.skipIf(!browserEnabled)(browserEnabled ? "browser: exporting the benchmark" : SKIP_REASON, () => {
  let app: TestApp;
  let browser: TestBrowser;
  let worker: { stop: () => Promise<void> } | undefined;
  let lead: BrowserContext;
  let expert: BrowserContext;

  beforeAll(async () => {
    app = await startTestApp();
    await createUser(LEAD);
    await seedBenchmark(app.collection!);
    process.env.FIELDMARK_DATA_DIR = app.database.dataDir; // where the web server's archive route reads
    worker = await startWorker();
    browser = await launchBrowser();
    lead = await browser.newContext();
    await signIn(await lead.newPage(), app.url, LEAD);
    expert = await browser.newContext();
    await signIn(await expert.newPage(), app.url, EXPERT);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
  });

  it("shows the plan, runs an export to done, and downloads one archive whose checksums verify", async () => {
    const page = await lead.newPage();
    await page.goto(`${app.url}${exportPath(COLLECTION)}`);
    await expect.poll(() => page.locator("[data-testid=plan-queries]").textContent()).toBe("3 queries: val 1, test 2");
    expect(await page.locator("[data-testid=plan-rerank]").textContent()).toBe("rerank set version 1 (test-clip)");
    const leftOut = page.locator("[data-testid=left-out] tbody tr");
    expect(await leftOut.allTextContents()).toEqual([
      "3a monarch feedingnot finished (status labeling)",
      "4an oak in winterno split (val or test) assigned yet",
    ]);
    expect(await page.locator("[data-testid=exports]").textContent()).toContain("No export yet.");

    await page.click("[data-testid=start-export]");
    const row = page.locator("[data-testid=exports] tbody tr[data-export]");
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 60_000 }).toBe("done");
    const exportId = await row.getAttribute("data-export");
    // the page was drawn again once it finished: the set is frozen now
    await expect
      .poll(() => page.locator("[data-testid=plan-rerank]").textContent(), { timeout: 30_000 })
      .toBe("rerank set version 1 (test-clip), frozen");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click(`[data-testid=download-${exportId}]`),
    ]);
    expect(download.suggestedFilename()).toBe(`${COLLECTION}-export-${exportId}.zip`);
    const file = path.join(app.database.filesDir, "download.zip");
    await download.saveAs(file);
    const entries = unzipSync(new Uint8Array(fs.readFileSync(file)));
    const out = path.join(app.database.filesDir, "unzipped");
    for (const [name, bytes] of Object.entries(entries)) {
      fs.mkdirSync(path.dirname(path.join(out, name)), { recursive: true });
      fs.writeFileSync(path.join(out, name), bytes);
    }
    const folder = path.join(out, `${COLLECTION}-export-${exportId}`);
    expect(fs.readdirSync(folder)).toContain("inquire_annotations.csv");
    const checked = execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: folder }).toString();
    expect(
      checked
        .trim()
        .split("\n")
        .every((l) => l.endsWith(": OK")),
    ).toBe(true);
    expect(checked.trim().split("\n")).toHaveLength(11);
    const status = await db().query("SELECT status FROM exports WHERE id = $1", [Number(exportId)]);
    expect(status.rows[0].status).toBe("done");

    // an expert gets neither the page nor the archive
    const theirs = await expert.newPage();
    const answer = await theirs.goto(`${app.url}/api/collections/${COLLECTION}/exports/${exportId}/archive`);
    expect(answer?.status()).toBe(403);
  }, 180_000);
});

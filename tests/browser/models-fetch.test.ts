import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { db } from "@/lib/db/client";
import { startWorker } from "@/workers";
import { tempDir, tinyClipFolder } from "../models/model-folders";
import { ADMIN, EXPERT, startTestApp, type TestApp } from "../helpers/app";
import { launchBrowser, signIn, type TestBrowser } from "../helpers/browser";
import { browserEnabled } from "../helpers/services";
import { repoFilesFromFolder, startStandInHub, type StandInHub } from "../helpers/stand-in-hub";

// An admin fetches the stand-in model from the models page: the worker (in this process, HF_ENDPOINT at
// the stand-in hub) downloads it while the page shows its progress, until "ready" and the model's row.

const SKIP_REASON = "browser models-fetch test (skipped: set FIELDMARK_TEST_BROWSER=1 to run it)";
const REPO = "fieldmark/tiny-clip";

describe.skipIf(!browserEnabled)(browserEnabled ? "browser: fetching a model from the hub" : SKIP_REASON, () => {
  let app: TestApp;
  let hub: StandInHub;
  let browser: TestBrowser;
  let worker: { stop: () => Promise<void> } | undefined;
  let admin: BrowserContext;
  const saved = { endpoint: process.env.HF_ENDPOINT, dataDir: process.env.FIELDMARK_DATA_DIR };

  beforeAll(async () => {
    hub = await startStandInHub({ [REPO]: { files: repoFilesFromFolder(tinyClipFolder(path.join(tempDir(), "m"))) } });
    hub.setThrottle(1024 * 1024); // a few seconds, so the page shows the download under way
    app = await startTestApp();
    process.env.HF_ENDPOINT = hub.url;
    process.env.FIELDMARK_DATA_DIR = app.database.dataDir;
    worker = await startWorker();
    browser = await launchBrowser();
    admin = await browser.newContext();
    await signIn(await admin.newPage(), app.url, ADMIN);
  }, 900_000);

  afterAll(async () => {
    await worker?.stop();
    await browser?.close();
    await app?.stop();
    await hub?.close();
    for (const [k, v] of [
      ["HF_ENDPOINT", saved.endpoint],
      ["FIELDMARK_DATA_DIR", saved.dataDir],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  it("fetches the stand-in model and watches its progress to ready", async () => {
    const page = await admin.newPage();
    await page.goto(`${app.url}/models`);
    await page.getByLabel("Hub repository").fill(REPO);
    await page.locator("#fetch-name").fill("tiny-from-hub");
    await page.getByRole("button", { name: "Fetch" }).click();
    const status = page.getByTestId("fetch-progress").getByRole("status");
    await status.filter({ hasText: /downloading onnx\/.*MB/ }).waitFor({ timeout: 60_000 });
    const partway = Number(
      await page.getByRole("progressbar", { name: "Fetch progress" }).getAttribute("aria-valuenow"),
    );
    expect(partway).toBeLessThan(100);
    await status.filter({ hasText: /^ready \(commit [0-9a-f]{12}\)$/ }).waitFor({ timeout: 120_000 });
    expect(await page.getByRole("progressbar", { name: "Fetch progress" }).getAttribute("aria-valuenow")).toBe("100");
    // the page refreshes its table: the model is listed
    await page.getByTestId("models").getByRole("cell", { name: "tiny-from-hub", exact: true }).waitFor();
    const row = (await db().query("SELECT config->>'revision' AS revision FROM models WHERE name = 'tiny-from-hub'"))
      .rows[0];
    expect(row.revision).toBe(hub.commitOf(REPO));
  }, 180_000);

  it("refuses the fetch routes to an expert", async () => {
    const expert = await browser.newContext();
    const page = await expert.newPage();
    await signIn(page, app.url, EXPERT);
    const res = await page.request.post(`${app.url}/api/models/fetch`, {
      headers: { origin: app.url },
      data: { repo: REPO, name: "nope" },
    });
    expect(res.status()).toBe(403);
    await expert.close();
  });
});

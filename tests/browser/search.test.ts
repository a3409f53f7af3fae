import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { db } from "@/lib/db/client";
import { startWorker } from "@/workers";
import { ADMIN, EXPERT, startTestApp, type TestApp } from "../helpers/app";
import { launchBrowser, signIn, type TestBrowser } from "../helpers/browser";
import { CORRUPT_IMAGE_ID } from "../helpers/seed";
import { browserEnabled } from "../helpers/services";
import { tinyClipFolder } from "../models/model-folders";

// Search as a lead and an expert use it, in Chromium against `next start`: a tiny CLIP test model
// registered on the models page, the seed collection embedded from its page by a worker running in
// this process, then text, similar-image and taxonomy searches with the browse filters, and the
// search API's answers to bad requests. With FIELDMARK_TEST_SCREENSHOTS=<dir> it saves screenshots of
// the pages there, to look at.

const SKIP_REASON = "browser search tests (skipped: set FIELDMARK_TEST_BROWSER=1 to run them)";
const COLLECTION = "garden-survey";
const MODEL = "tiny-clip";

const resultIds = (page: Page) =>
  page.locator("[data-testid=search-results] a").evaluateAll((as) => as.map((a) => a.getAttribute("data-image-id")!));
const resultCount = (page: Page) => page.locator("[data-testid=result-count]").textContent();
const scores = async (page: Page) =>
  (await page.locator("[data-testid=search-results] [data-testid=score]").allTextContents()).map(Number);

/** With FIELDMARK_TEST_SCREENSHOTS=<dir>, a full-page screenshot there once the thumbnails in view have loaded. */
async function screenshot(page: Page, name: string) {
  const dir = process.env.FIELDMARK_TEST_SCREENSHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Which images are marked unreadable, and why: printed when a count is off. */
async function unreadableImages() {
  return (await db().query("SELECT source_id, status_reason FROM images WHERE status = 'unreadable' ORDER BY id")).rows;
}

function expectBestFirst(values: number[]) {
  for (let i = 1; i < values.length; i++) expect(values[i - 1]).toBeGreaterThanOrEqual(values[i]);
}

/** Searches by text load the model's text tower for each request: seconds on a busy machine. */
const SLOW = { timeout: 30_000 };

type ApiAnswer = {
  mode: string;
  strategy: string;
  results: { image_id: string; score: number; thumbnail: string; page: string }[];
  error?: string;
};

describe.skipIf(!browserEnabled)(browserEnabled ? "browser: models, embedding and search" : SKIP_REASON, () => {
  let app: TestApp;
  let browser: TestBrowser;
  let admin: BrowserContext;
  let worker: { stop: () => Promise<void> } | undefined;
  let groupOf: Map<string, string>;
  let familyOf: Map<string, string>;
  const readable = () => [...groupOf.keys()].filter((id) => id !== CORRUPT_IMAGE_ID);

  beforeAll(async () => {
    app = await startTestApp();
    process.env.FIELDMARK_DATA_DIR = app.database.dataDir; // the worker's derived-model cache stays in the temp folder
    worker = await startWorker();
    groupOf = new Map(app.collection!.images.map((i) => [i.sourceId, i.taxon.iconicGroup]));
    familyOf = new Map(app.collection!.images.map((i) => [i.sourceId, i.taxon.family]));
    browser = await launchBrowser();
    admin = await browser.newContext();
    await signIn(await admin.newPage(), app.url, ADMIN);
  }, 600_000);
  afterAll(async () => {
    await worker?.stop();
    await browser?.close();
    await app?.stop();
  });

  it("registers a model on the models page, showing every problem with a bad folder", async () => {
    const page = await admin.newPage();
    await page.goto(`${app.url}/collections`);
    await page.click("header a:text-is('Models')");
    await page.waitForURL(/\/models$/);
    expect(await page.locator("main").innerText()).toContain("No model is registered yet");

    const empty = path.join(app.database.dataDir, "not-a-model");
    fs.mkdirSync(empty);
    await page.fill("#folder", empty);
    await page.fill("#model-name", "broken");
    await page.click("button:text('Register')");
    const problem = page.locator("form [role=alert]");
    await expect.poll(() => problem.textContent(), SLOW).toContain(`model folder ${empty} is not usable`);
    expect(await problem.textContent()).toMatch(/missing model: no \.onnx file/);

    await page.fill("#folder", tinyClipFolder(path.join(app.database.dataDir, "tiny-clip")));
    await page.fill("#model-name", MODEL);
    await page.click("button:text('Register')");
    await expect
      .poll(() => page.locator("[role=status]").textContent(), SLOW)
      .toMatch(/^Registered tiny-clip: CLIP, \d+-d\.$/);
    await expect.poll(() => page.locator("[data-testid=models]").innerText(), SLOW).toContain(MODEL);
    const row = await page.locator("[data-testid=models] tr", { hasText: MODEL }).innerText();
    expect(row).toContain("CLIP (text and image)");
    expect(row).toContain(path.join(app.database.dataDir, "tiny-clip"));
    await screenshot(page, "models");
  });

  it("keeps the models page and the embedding controls from experts", async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, app.url, EXPERT);
    expect(await page.locator("header a", { hasText: "Models" }).count()).toBe(0);
    const res = await page.goto(`${app.url}/models`);
    expect(res?.status()).toBe(403);
    await page.goto(`${app.url}/collections/${COLLECTION}`);
    expect(await page.locator("a:text-is('Search')").count()).toBe(1);
    expect(await page.locator("section[aria-label=Embeddings]").count()).toBe(0);
    const post = await page.request.post(`${app.url}/api/collections/${COLLECTION}/embeddings`, {
      data: { model: MODEL },
    });
    expect(post.status()).toBe(403);
  });

  it("embeds the collection from its page, with progress, then builds the index", async () => {
    const page = await admin.newPage();
    await page.goto(`${app.url}/collections/${COLLECTION}`);
    const row = page.locator(`section[aria-label=Embeddings] li[data-model="${MODEL}"]`);
    // 24 images, or 23 once a thumbnail request has found the corrupt one
    await expect.poll(() => row.locator("[data-testid=embedded]").textContent(), SLOW).toMatch(/^0 \/ 2[34]$/);
    expect(await row.locator("[data-testid=index-state]").textContent()).toBe("no HNSW index");
    await row.locator("button:text('Embed')").click();
    // the worker in this process embeds; the panel polls until no job is left
    await expect
      .poll(() => row.locator("[data-testid=embedded]").textContent(), { timeout: 120_000 })
      .toBe("23 / 23")
      .catch(async (e) => {
        throw new Error(`${(e as Error).message}\nunreadable images: ${JSON.stringify(await unreadableImages())}`);
      });
    expect(await row.locator("[data-testid=unreadable]").textContent()).toBe(" · 1 unreadable");
    expect(await row.locator("button:text('Embedded')").isDisabled()).toBe(true);
    await expect.poll(() => row.locator("button:text('Build index')").isEnabled(), SLOW).toBe(true);
    await row.locator("button:text('Build index')").click();
    await expect
      .poll(() => row.locator("[data-testid=index-state]").textContent(), { timeout: 60_000 })
      .toMatch(/^HNSW index built/);
    await screenshot(page, "collection-embeddings");
  }, 240_000);

  it("searches by text: K results, best first, and the state is in the URL", async () => {
    const page = await admin.newPage();
    await page.goto(`${app.url}/collections/${COLLECTION}`);
    await page.click("a:text-is('Search')");
    await page.waitForURL(/\/search$/);
    await page.fill("#search-input", "an orange butterfly on a flower");
    expect(await page.locator("#search-model").inputValue()).toBe(MODEL);
    await page.selectOption("#search-k", "12");
    await page.click("button:text-is('Search')");
    await page.waitForURL(
      (u) =>
        u.searchParams.get("text") === "an orange butterfly on a flower" &&
        u.searchParams.get("model") === MODEL &&
        u.searchParams.get("k") === "12",
    );
    await expect.poll(() => resultCount(page), SLOW).toBe("12");
    const ids = await resultIds(page);
    expect(new Set(ids).size).toBe(12);
    expect(ids.every((id) => readable().includes(id))).toBe(true);
    expectBestFirst(await scores(page));
    // thumbnails load from the thumbnail route
    const first = page.locator("[data-testid=search-results] img").first();
    await expect
      .poll(() => first.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), SLOW)
      .toBeGreaterThan(0);

    // the API behind it gives the same list, with unrounded scores in order
    const api = (await (
      await page.request.get(
        `${app.url}/api/collections/${COLLECTION}/search?model=${MODEL}&text=${encodeURIComponent("an orange butterfly on a flower")}&k=12`,
      )
    ).json()) as ApiAnswer;
    expect(api.mode).toBe("text");
    expect(["index", "exact"]).toContain(api.strategy);
    expect(api.results.map((r) => r.image_id)).toEqual(ids);
    expectBestFirst(api.results.map((r) => r.score));
    expect(api.results[0].thumbnail).toBe(
      `/api/collections/${COLLECTION}/images/${encodeURIComponent(ids[0])}/thumbnail`,
    );

    // opened afresh, the URL shows the same search
    const again = await admin.newPage();
    await again.goto(page.url());
    expect(await again.locator("#search-input").inputValue()).toBe("an orange butterfly on a flower");
    await expect.poll(() => resultIds(again), SLOW).toEqual(ids);

    await screenshot(page, "search-text");
  });

  it("filters a text search by iconic group inside the search: only that group, and never fewer than K when K exist", async () => {
    const page = await admin.newPage();
    await page.goto(`${app.url}/collections/${COLLECTION}/search?model=${MODEL}&text=a+bird&k=12`);
    await expect.poll(() => resultCount(page), SLOW).toBe("12");

    await page.selectOption("#iconic-group", "Aves");
    await page.waitForURL(
      (u) =>
        u.searchParams.get("iconic_group") === "Aves" &&
        u.searchParams.get("text") === "a bird" &&
        u.searchParams.get("k") === "12",
    );
    const birds = readable().filter((id) => groupOf.get(id) === "Aves");
    await expect.poll(() => resultIds(page), SLOW).toHaveLength(birds.length); // 8 birds, fewer than K
    expect((await resultIds(page)).sort()).toEqual(birds.sort());
    expectBestFirst(await scores(page));

    await page.selectOption("#iconic-group", "Insecta");
    await page.waitForURL((u) => u.searchParams.get("iconic_group") === "Insecta");
    await expect
      .poll(
        () => resultIds(page).then((ids) => ids.length === 12 && ids.every((id) => groupOf.get(id) === "Insecta")),
        SLOW,
      )
      .toBe(true);
    expect(await page.locator("#search-input").inputValue()).toBe("a bird");
  });

  it("finds images similar to one from its image page", async () => {
    const page = await admin.newPage();
    const eagle = app.collection!.images.find((i) => i.taxon.commonName === "Bald Eagle")!.sourceId;
    await page.goto(`${app.url}/collections/${COLLECTION}/images/${encodeURIComponent(eagle)}`);
    await page.click("a:text-is('Find similar')");
    // the link names no model: the page adds one with vectors here
    await page.waitForURL(
      (u) =>
        u.pathname.endsWith("/search") &&
        u.searchParams.get("image") === eagle &&
        u.searchParams.get("model") === MODEL,
    );
    expect(await page.locator("[role=radio][aria-checked=true]").textContent()).toBe("Similar image");
    expect(await page.locator("img[alt='Query image']").count()).toBe(1);
    await expect.poll(() => resultCount(page), SLOW).toBe(String(readable().length - 1));
    const ids = await resultIds(page);
    expect(ids).not.toContain(eagle);
    expectBestFirst(await scores(page));
    await screenshot(page, "search-similar");

    // with a filter, similar images within the eagle's own family
    await page.fill("[role=combobox]", "Accipitridae");
    await page.locator("[role=option]", { hasText: /^Accipitridae/ }).click();
    await page.waitForURL(
      (u) => u.searchParams.get("taxon") === "Accipitridae" && u.searchParams.get("image") === eagle,
    );
    await expect.poll(() => resultIds(page), SLOW).toHaveLength(5);
    expect((await resultIds(page)).every((id) => familyOf.get(id) === "Accipitridae" && id !== eagle)).toBe(true);
  });

  it("searches taxon names without a model", async () => {
    const page = await admin.newPage();
    await page.goto(`${app.url}/collections/${COLLECTION}/search`);
    await page.click("[role=radio]:text('Taxonomy')");
    expect(await page.locator("#search-model").count()).toBe(0);
    await page.fill("#search-input", "swallowtail");
    await page.click("button:text-is('Search')");
    await page.waitForURL((u) => u.searchParams.get("q") === "swallowtail" && !u.searchParams.has("model"));
    await expect.poll(() => resultCount(page), SLOW).toBe("9");
    expect((await resultIds(page)).every((id) => familyOf.get(id) === "Papilionidae")).toBe(true);
    expect(await page.locator("section[aria-label=Results]").innerText()).toContain("taxonomy full-text search");
  });

  it("answers bad search requests with the parameter at fault", async () => {
    const page = await admin.newPage();
    const get = async (query: string, collection = COLLECTION) => {
      const res = await page.request.get(`${app.url}/api/collections/${collection}/search?${query}`);
      return { status: res.status(), error: ((await res.json()) as ApiAnswer).error };
    };
    expect(await get("text=heron")).toEqual({ status: 400, error: "model: a model is needed to search by text" });
    expect(await get(`model=${MODEL}`)).toMatchObject({
      status: 400,
      error: expect.stringMatching(/^text: give exactly one of text/),
    });
    expect(await get(`model=${MODEL}&text=heron&q=heron`)).toMatchObject({
      status: 400,
      error: expect.stringMatching(/^q: give exactly one/),
    });
    expect(await get(`model=${MODEL}&text=heron&k=0`)).toEqual({
      status: 400,
      error: "k: k must be a whole number from 1 to 1000",
    });
    expect(await get(`model=${MODEL}&text=heron&k=many`)).toEqual({
      status: 400,
      error: "k: k must be a whole number from 1 to 1000",
    });
    expect(await get(`model=${MODEL}&text=heron&from=2024-13-01`)).toEqual({
      status: 400,
      error: "from: Dates are YYYY-MM-DD",
    });
    expect(await get(`model=${MODEL}&text=heron&bbox=1,2,3`)).toMatchObject({
      status: 400,
      error: expect.stringMatching(/^bbox: /),
    });
    expect(await get("model=nope&text=heron")).toMatchObject({
      status: 404,
      error: expect.stringMatching(/^no model named "nope"/),
    });
    expect(await get(`model=${MODEL}&image=no-such-image`)).toEqual({
      status: 404,
      error: 'no image "no-such-image" in this collection',
    });
    expect(await get(`model=${MODEL}&image=${encodeURIComponent(CORRUPT_IMAGE_ID)}`)).toEqual({
      status: 404,
      error: `image "${CORRUPT_IMAGE_ID}" has no vector for model "${MODEL}": embed this collection with it first`,
    });
    expect(await get("q=oak", "no-such-collection")).toEqual({
      status: 404,
      error: 'no collection named "no-such-collection"',
    });

    const signedOut = await (await browser.newContext()).newPage();
    expect((await signedOut.request.get(`${app.url}/api/collections/${COLLECTION}/search?q=oak`)).status()).toBe(401);
  });
});

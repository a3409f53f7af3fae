import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { keysFor } from "@/lib/judgments/keymap";
import { createQuery } from "@/lib/queries/queries";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { startWorker } from "@/workers";
import { EXPERT, startTestApp, type TestApp } from "../helpers/app";
import { launchBrowser, signIn, type TestBrowser } from "../helpers/browser";
import { addImages } from "../helpers/judging";
import { rng } from "../helpers/random";
import { browserEnabled } from "../helpers/services";

// Exhaustive labeling end to end, in Chromium against `next start` with a worker running the learning
// rounds in this process: an expert judges a query from the keyboard, following the queue the learner
// ranks, until the workspace's stopping signals say "Looks complete" (the ranking gone quiet and a blind
// audit of the unjudged images judged clean); then a lead finishes it on the query's page, and the query
// list shows it finished. The expert sees no Finish button and the status API refuses them.

const SKIP_REASON = "browser learning test (skipped: set FIELDMARK_TEST_BROWSER=1 to run it)";
const COLLECTION = "garden-survey";
const QUERY_ID = "learn";
const LEAD = { email: "lead@example.org", name: "Lee Lead", password: "lead-password-1", role: "lead" as const };
const IMAGES = 400;
const RELEVANT = 40;
const DIM = 16;
/** judgments the expert may spend before the test gives up (the collection holds 424 images) */
const MAX_JUDGMENTS = 380;

const RELEVANT_KEY = keysFor("relevant", "grid")[0];
const NOT_RELEVANT_KEY = keysFor("not_relevant", "grid")[0];

const focusedId = (page: Page) =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.imageId ?? null);
const looksComplete = (page: Page) => page.locator("[data-testid=stopping-signals] [data-testid=looks-complete]");
const pagePosition = async (page: Page) => (await page.locator("[data-testid=page-position]").textContent()) ?? "";

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** Unit vectors: the relevant images around the first axis, the rest spread away from it. */
function vectorFor(relevant: boolean, rand: () => number): Float32Array {
  const v = new Float32Array(DIM);
  for (let i = 1; i < DIM; i++) v[i] = gaussian(rand) * (relevant ? 0.12 : 1);
  v[0] = relevant ? 1 : -0.3 - 0.3 * rand();
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  return v.map((x) => x / n);
}

describe.skipIf(!browserEnabled)(browserEnabled ? "browser: judging until it looks complete" : SKIP_REASON, () => {
  let app: TestApp;
  let browser: TestBrowser;
  let worker: { stop: () => Promise<void> } | undefined;
  let expert: BrowserContext;
  let relevantIds: Set<string>;
  let queryRowId: number;
  let leadId: string;
  const api = () => `${app.url}/api/collections/${COLLECTION}/queries/${QUERY_ID}`;
  const queryPage = () => `${app.url}/collections/${COLLECTION}/queries/${QUERY_ID}`;

  beforeAll(async () => {
    app = await startTestApp();
    leadId = (await createUser(LEAD)).id;
    const ids = await addImages(app.collection!, IMAGES, { files: true, prefix: "lrn" });
    // every 10th image is relevant: spread through the ids, so the id order says nothing
    relevantIds = new Set(ids.filter((_, i) => i % (IMAGES / RELEVANT) === 3));
    expect(relevantIds.size).toBe(RELEVANT);

    const model = await db().query<{ id: number }>(
      "INSERT INTO models (name, kind, folder, dim) VALUES ('test-vectors', 'image', '/nowhere', $1) RETURNING id",
      [DIM],
    );
    const modelId = model.rows[0].id;
    await ensureVectorStorage(modelId, DIM);
    const images = await db().query<{ id: string; source_id: string }>(
      "SELECT id, source_id FROM images WHERE collection_id = $1 ORDER BY id",
      [app.collection!.id],
    );
    const rand = rng(7);
    await upsertEmbeddings(
      modelId,
      images.rows.map((r) => ({ imageId: Number(r.id), vector: vectorFor(relevantIds.has(r.source_id), rand) })),
    );

    const example = [...relevantIds][0];
    relevantIds.delete(example); // the query's example: never in the queue
    const query = await createQuery(
      app.collection!.id,
      { text: "learning test: the images near the first axis", examples: [example] },
      leadId,
      { sourceId: QUERY_ID },
    );
    queryRowId = query.rowId;

    process.env.FIELDMARK_DATA_DIR = app.database.dataDir;
    worker = await startWorker();
    browser = await launchBrowser();
    expert = await browser.newContext();
    await signIn(await expert.newPage(), app.url, EXPERT);
  }, 900_000);

  afterAll(async () => {
    await worker?.stop();
    await browser?.close();
    await app?.stop();
  });

  it("asks for a first round over the example, and reports the learning state by API", async () => {
    const page = await expert.newPage();
    const before = await page.request.get(`${api()}/learning`);
    expect(before.status()).toBe(200);
    expect(await before.json()).toEqual({ status: "draft", learning: null });

    const asked = await page.request.post(`${api()}/learning`, { headers: { origin: app.url } });
    expect(asked.status()).toBe(202);
    expect(await asked.json()).toEqual({ queued: true });

    await expect
      .poll(async () => (await (await page.request.get(`${api()}/learning`)).json()).learning?.rounds ?? 0, {
        timeout: 60_000,
      })
      .toBeGreaterThanOrEqual(1);
    const { learning } = await (await page.request.get(`${api()}/learning`)).json();
    expect(learning).toMatchObject({ model: "test-vectors", looksComplete: false, note: null });
    expect(learning.signals).toMatchObject({ judged: 0, relevant: 0, looksComplete: false });
    await page.close();
  }, 120_000);

  it("the expert judges from the keyboard, following the queue, until the panel says it looks complete", async () => {
    const started = Date.now();
    const page = await expert.newPage();
    await page.goto(queryPage());
    await page.evaluate(() =>
      localStorage.setItem("fieldmark:judging-settings:v1", JSON.stringify({ columns: 8, pageSize: 20 })),
    );
    await page.reload();
    await expect.poll(() => focusedId(page), { timeout: 60_000 }).not.toBeNull();
    expect(await page.locator("[data-testid=stopping-signals]").textContent()).toContain("Stopping signals");

    const judged: string[] = [];
    let found = 0;
    let blindPages = 0;
    while (judged.length < MAX_JUDGMENTS) {
      if ((await looksComplete(page).count()) > 0) break;
      // the last unjudged card of a page: let the next page arrive before judging it
      const position = /(\d+) of (\d+) judged/.exec(await pagePosition(page));
      if (position && Number(position[1]) === Number(position[2]) - 1)
        await expect.poll(() => pagePosition(page), { timeout: 60_000 }).toMatch(/next page (ready|empty)/);
      await expect.poll(() => focusedId(page), { timeout: 60_000 }).not.toBeNull();
      const id = (await focusedId(page))!;
      if (judged.length % 10 === 0) {
        expect(await page.locator("[data-testid=judging-grid]").innerHTML()).not.toMatch(/audit/i);
        blindPages++;
      }
      expect(judged, `${id} served twice`).not.toContain(id);
      const relevant = relevantIds.has(id);
      await page.keyboard.press(relevant ? RELEVANT_KEY : NOT_RELEVANT_KEY);
      judged.push(id);
      if (relevant) found++;
    }
    // the last judgments' round may still be on its way: keep the page open until the panel says so
    await expect.poll(() => looksComplete(page).count(), { timeout: 60_000 }).toBe(1);
    console.log(
      `learning: ${judged.length} judgments by keyboard, ${found} of ${relevantIds.size} relevant found, ` +
        `looks complete after ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    expect(found).toBe(relevantIds.size);
    await expect
      .poll(() => page.locator("[data-testid=sync-status]").getAttribute("data-state"), { timeout: 30_000 })
      .toBe("saved");

    // what the panel says matches the round's signals; an untrusted estimate shows no number
    const { learning } = await (await page.request.get(`${api()}/learning`)).json();
    expect(learning.looksComplete).toBe(true);
    expect(learning.signals.quiet.met).toBe(true);
    expect(learning.signals.audit).toMatchObject({ planned: 30, judged: 30, relevant: 0 });
    const estimate = await page.locator("[data-testid=stopping-signals] [data-testid=recall-estimate]").innerText();
    if (learning.signals.estimate?.trusted)
      expect(estimate).toMatch(
        /^Estimated remaining relevant: \d+ \(\d+ to \d+\); recall [01]\.\d\d \([01]\.\d\d to [01]\.\d\d\)$/,
      );
    else expect(estimate).toMatch(/^No recall estimate/);
    const signals = await page.locator("[data-testid=signal-lines]").innerText();
    expect(signals).toContain("INQUIRE's rule");
    expect(signals).toMatch(/Quiet run\s+\d+ of \d+ not relevant in a row/);
    expect(signals).toMatch(/Audit\s+30 of 30 judged, 0 relevant/);
    // the audit was judged blind: no card on any page named its image an audit image
    expect(blindPages).toBeGreaterThan(5);

    // every judgment is there once, each image judged once, the relevant ones exactly
    const rows = await db().query<{ source_id: string; value: string }>(
      "SELECT i.source_id, j.value FROM judgments j JOIN images i ON i.id = j.image_id WHERE j.query_id = $1",
      [queryRowId],
    );
    expect(rows.rows.length).toBe(judged.length);
    expect(new Set(rows.rows.map((r) => r.source_id)).size).toBe(judged.length);
    expect(
      rows.rows
        .filter((r) => r.value === "relevant")
        .map((r) => r.source_id)
        .sort(),
    ).toEqual([...relevantIds].sort());
    const audited = await db().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_items ai JOIN audit_samples s ON s.id = ai.audit_sample_id
        WHERE s.query_id = $1 AND ai.image_id IN (SELECT image_id FROM judgments WHERE query_id = $1)`,
      [queryRowId],
    );
    expect(audited.rows[0].n).toBeGreaterThanOrEqual(30);
  }, 1_200_000);

  it("keeps Finish from the expert: no button on the query page, 403 from the status API", async () => {
    const page = await expert.newPage();
    await page.goto(`${queryPage()}/edit`);
    expect(await page.locator("[data-testid=query-status]").getAttribute("data-status")).toBe("labeling");
    expect(await page.locator("[data-testid=looks-complete]").count()).toBe(1);
    expect(await page.locator("[data-testid=finish-controls]").count()).toBe(0);
    expect(await page.locator("button", { hasText: /^Finish/ }).count()).toBe(0);
    const post = await page.request.post(`${api()}/status`, {
      headers: { origin: app.url },
      data: { action: "finish" },
    });
    expect(post.status()).toBe(403);
    const status = await db().query("SELECT status FROM queries WHERE id = $1", [queryRowId]);
    expect(status.rows[0].status).toBe("labeling");
    await page.close();
  });

  it("a lead finishes it on the query page, and the list shows it finished", async () => {
    const lead = await browser.newContext();
    const page = await lead.newPage();
    await signIn(page, app.url, LEAD);
    // on the list first: looks complete, not yet finished
    await page.goto(`${app.url}/collections/${COLLECTION}/queries`);
    const row = page.locator(`[data-testid=query-table] tr[data-query-id="${QUERY_ID}"]`);
    expect(await row.getAttribute("data-status")).toBe("labeling");
    expect(await row.locator("[data-testid=looks-complete]").count()).toBe(1);

    await page.goto(`${queryPage()}/edit`);
    const status = page.locator("[data-testid=query-status]");
    const controls = page.locator("[data-testid=finish-controls]");
    expect(await controls.locator("button", { hasText: "Finish anyway" }).count()).toBe(0);
    await controls.locator("button:text-is('Finish')").click();
    await expect.poll(() => status.getAttribute("data-status"), { timeout: 20_000 }).toBe("finished");
    const finished = await db().query(
      "SELECT q.status, l.finished_by FROM queries q JOIN query_learning l ON l.query_id = q.id WHERE q.id = $1",
      [queryRowId],
    );
    expect(finished.rows[0]).toEqual({ status: "finished", finished_by: leadId });
    expect(await page.locator("section[aria-labelledby=status-title]").innerText()).toContain("Finished by Lee Lead");

    // a finished query offers Reopen (not clicked here: lib/queries/status's reopen fails on PostgreSQL yet)
    expect(await controls.locator("button:text-is('Reopen')").count()).toBe(1);

    await page.goto(`${app.url}/collections/${COLLECTION}/queries`);
    expect(await row.getAttribute("data-status")).toBe("finished");
    expect(await row.locator("[data-testid=query-status]").innerText()).toBe("finished");
    expect(await row.locator("[data-testid=looks-complete]").count()).toBe(0);
    // the API says so too
    expect((await (await page.request.get(`${api()}/learning`)).json()).status).toBe("finished");
  }, 120_000);
});

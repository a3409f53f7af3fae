import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { createUser } from "@/lib/auth/users";
import { dashboardPath } from "@/lib/benchmark/urls";
import { db } from "@/lib/db/client";
import { createQuery } from "@/lib/queries/queries";
import { finishQuery } from "@/lib/queries/status";
import { judgePath } from "@/lib/queries/urls";
import { EXPERT, startTestApp, type TestApp } from "../helpers/app";
import { launchBrowser, signIn, type TestBrowser } from "../helpers/browser";
import { browserEnabled } from "../helpers/services";

// The coverage dashboard in Chromium against `next start`: a lead sees a query labeling, with its
// counts by final label and its charts drawn; the lead finishes it (lib/queries/status finishQuery) and
// on reload the row says finished. The filters and a column sort come from the URL; an expert is refused.

const SKIP_REASON = "browser dashboard test (skipped: set FIELDMARK_TEST_BROWSER=1 to run it)";
const COLLECTION = "garden-survey";
const LEAD = { email: "lead@example.org", name: "Lee Lead", password: "lead-password-1", role: "lead" as const };

describe.skipIf(!browserEnabled)(browserEnabled ? "browser: the coverage dashboard" : SKIP_REASON, () => {
  let app: TestApp;
  let browser: TestBrowser;
  let lead: BrowserContext;
  let leadId: string;
  let queryRef: { rowId: number; collectionId: number };
  const dashboard = () => `${app.url}${dashboardPath(COLLECTION)}`;

  beforeAll(async () => {
    app = await startTestApp();
    leadId = (await createUser(LEAD)).id;
    const c = app.collection!;
    const fox = await createQuery(c.id, { text: "a swallowtail on a flower", supercategory: "Species" }, leadId, {
      sourceId: "7",
    });
    await createQuery(c.id, { text: "an oak in <b>winter</b>", supercategory: "Context" }, leadId, { sourceId: "8" });
    queryRef = { rowId: fox.rowId, collectionId: c.id };
    const expertId = (await db().query("SELECT id FROM users WHERE email = $1", [EXPERT.email])).rows[0].id;
    // the expert judged six images: R N R N N N, a day apart for the first three
    const values = ["relevant", "not_relevant", "relevant", "not_relevant", "not_relevant", "not_relevant"];
    for (const [i, image] of c.images.slice(0, 6).entries())
      await db().query(
        `INSERT INTO judgments (query_id, image_id, annotator_id, value, created_at)
         VALUES ($1, (SELECT id FROM images WHERE collection_id = $2 AND source_id = $3), $4, $5,
                 timestamptz '2026-11-01T12:00Z' + least($6, 2) * interval '1 day')`,
        [fox.rowId, c.id, image.sourceId, expertId, values[i], i],
      );
    await db().query("UPDATE queries SET status = 'labeling' WHERE id = $1", [fox.rowId]);
    await db().query("INSERT INTO query_learning (query_id, rounds, looks_complete) VALUES ($1, 3, true)", [fox.rowId]);
    browser = await launchBrowser();
    lead = await browser.newContext();
    await signIn(await lead.newPage(), app.url, LEAD);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("shows the query labeling, then finished once the lead finishes it", async () => {
    const page = await lead.newPage();
    await page.goto(dashboard());
    const row = page.locator("[data-testid=dashboard-table] tr[data-query-id='7']");
    await expect.poll(() => row.getAttribute("data-status")).toBe("labeling");
    expect(await row.locator("[data-testid=query-status]").textContent()).toBe("labeling");
    expect(await row.locator("[data-testid=relevant]").textContent()).toBe("2");
    // the other query's text is drawn as text
    expect(await page.locator("tr[data-query-id='8'] a").first().textContent()).toBe("an oak in <b>winter</b>");
    // both charts draw an svg (echarts' SVG renderer in the browser)
    for (const chart of ["chart-per-day", "chart-curves"])
      await expect.poll(() => page.locator(`[data-testid=${chart}] svg`).count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator("[data-testid=chart-per-day] svg path").count()).toBeGreaterThan(3);

    await finishQuery(queryRef, { id: leadId, role: "lead" });
    await page.reload();
    await expect.poll(() => row.getAttribute("data-status")).toBe("finished");
    expect(await row.locator("[data-testid=query-status]").textContent()).toBe("finished");
    expect(await page.locator("[data-testid=chart-curves] svg").count()).toBe(1);

    // the row links to the query's page
    expect(await row.locator("a").first().getAttribute("href")).toBe(judgePath(COLLECTION, "7"));
    // the API answers the same numbers
    const api = await page.request.get(`${app.url}/api/collections/${COLLECTION}/dashboard?status=finished`);
    expect(api.status()).toBe(200);
    const body = await api.json();
    expect(
      body.queries.map((q: { id: string; status: string; relevant: number }) => [q.id, q.status, q.relevant]),
    ).toEqual([["7", "finished", 2]]);
    expect(body.curves.find((c: { queryId: string }) => c.queryId === "7")).toEqual({
      queryId: "7",
      judged: 6,
      places: [1, 3],
    });
    expect((await page.request.get(`${app.url}/api/collections/${COLLECTION}/dashboard?thin=x`)).status()).toBe(400);
    await page.close();
  }, 120_000);

  it("filters and sorts from the URL, and marks thin cells under the lead's threshold", async () => {
    const page = await lead.newPage();
    await page.goto(`${dashboard()}?supercategory=Context`);
    expect(await page.locator("[data-testid=dashboard-table] tbody tr").count()).toBe(1);
    await page.goto(dashboard());
    await page.locator("th a", { hasText: "Relevant" }).click();
    await page.waitForURL(/sort=relevant/);
    const first = await page.locator("[data-testid=dashboard-table] tbody tr").first().getAttribute("data-query-id");
    expect(first).toBe("7");
    // the thin threshold: at 5 both cells are thin (2 and 0 relevant); at 1 only the oak's
    expect(await page.locator("[data-testid=coverage-matrix] td[data-thin]").count()).toBe(2);
    await page.goto(`${dashboard()}?thin=1`);
    expect(await page.locator("[data-testid=coverage-matrix] td[data-thin]").count()).toBe(1);
    await page.close();
  }, 60_000);

  it("refuses an expert", async () => {
    const expert = await browser.newContext();
    await signIn(await expert.newPage(), app.url, EXPERT);
    const answer = await expert.request.get(`${app.url}/api/collections/${COLLECTION}/dashboard`);
    expect(answer.status()).toBe(403);
  }, 60_000);
});

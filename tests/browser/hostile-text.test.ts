import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { imagePagePath } from "@/lib/browse/urls";
import { db } from "@/lib/db/client";
import { createQuery } from "@/lib/queries/queries";
import { BENCHMARK_PAGES } from "@/lib/benchmark/urls";
import { judgedPath, judgePath, queriesPath, queryEditPath } from "@/lib/queries/urls";
import { ADMIN, startTestApp, type TestApp } from "../helpers/app";
import { launchBrowser, signIn, type TestBrowser } from "../helpers/browser";
import { addCandidates } from "../helpers/judging";
import { browserEnabled } from "../helpers/services";

// Script in a query's text and notes, in taxon names, image metadata and file names is text: every page
// that shows them draws the characters, and nothing in them runs. Each payload, if it ran, would set a
// window property or open a dialog; the test looks for both on every page.

const SKIP_REASON = "browser tests (skipped: set FIELDMARK_TEST_BROWSER=1 to run them)";

const payload = (n: number) => [
  `<script>window.__hostile=${n}</script>`,
  `<img src=x onerror="window.__hostile=${n + 1}">`,
  `"><svg onload=window.__hostile=${n + 2}>`,
  `javascript:window.__hostile=${n + 3}`,
];
const QUERY_TEXT = `${payload(10)[0]} heron ${payload(10)[1]}`;
const NOTES = payload(20).join(" ");
const TAXON = `Ardea ${payload(30)[1]}`;
const COMMON = payload(40)[0];
const IMAGE_ID = `x${payload(50)[2]}`;
const FILE_NAME = `hostile/${payload(60)[1]}.jpg`;
const RIGHTS = payload(70)[0];
const ANNOTATOR = `Ann ${payload(110)[0]}`;

describe.skipIf(!browserEnabled)(browserEnabled ? "browser: hostile text stays text" : SKIP_REASON, () => {
  let app: TestApp;
  let browser: TestBrowser;
  let context: BrowserContext;
  let queryId: string;

  beforeAll(async () => {
    app = await startTestApp();
    const c = app.collection!;
    const taxon = await db().query<{ id: number }>(
      `INSERT INTO taxa (collection_id, source_id, name, common_name, rank, kingdom, genus, species, iconic_group)
       VALUES ($1, 'hostile-taxon', $2, $3, 'species', 'Animalia', 'Ardea', 'hostilis', $4) RETURNING id`,
      [c.id, TAXON, COMMON, payload(80)[1]],
    );
    await db().query(
      `INSERT INTO images (collection_id, source_id, file_name, width, height, taxon_id, license, rights_holder)
       VALUES ($1, $2, $3, 320, 240, $4, $5, $6)`,
      [c.id, IMAGE_ID, FILE_NAME, taxon.rows[0].id, payload(90)[3], RIGHTS],
    );
    const query = await createQuery(c.id, { text: QUERY_TEXT, notes: NOTES, category: payload(100)[1] }, null);
    queryId = query.id;
    await addCandidates(c.id, query.rowId, [IMAGE_ID, ...c.images.slice(0, 5).map((i) => i.sourceId)]);
    browser = await launchBrowser();
    context = await browser.newContext();
    await signIn(await context.newPage(), app.url, ADMIN);
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Opens a page and says whether anything from the payloads ran there. */
  async function visit(path: string): Promise<Page> {
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const res = await page.goto(`${app.url}${path}`);
    expect(res?.status(), path).toBeLessThan(400);
    await page.waitForLoadState("networkidle");
    expect(await page.evaluate(() => (window as unknown as { __hostile?: number }).__hostile), path).toBeUndefined();
    expect(dialogs, path).toEqual([]);
    // no element the payloads would have made
    expect(await page.locator("img[src=x], svg[onload], script:not([src]):has-text('__hostile')").count(), path).toBe(
      0,
    );
    return page;
  }

  it("the query list and the editor show the query's text and notes as written", async () => {
    const list = await visit(queriesPath(app.collection!.name));
    expect(await list.getByText(QUERY_TEXT, { exact: false }).count()).toBeGreaterThan(0);
    const edit = await visit(queryEditPath(app.collection!.name, queryId));
    expect(
      await edit.locator("textarea, input").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    ).toEqual(expect.arrayContaining([QUERY_TEXT, NOTES]));
  });

  it("the judging grid and the review page draw the query and the image's taxon as text", async () => {
    const grid = await visit(judgePath(app.collection!.name, queryId));
    expect(await grid.getByText(QUERY_TEXT, { exact: false }).count()).toBeGreaterThan(0);
    // the card and the full image view name the taxon by its common name, here a script element's text
    await grid.locator("[data-testid=judging-grid] li").first().waitFor();
    expect(await grid.locator("[data-testid=judging-grid]").innerText()).toContain(COMMON);
    await grid.keyboard.press(" ");
    const viewer = grid.locator("[data-testid=image-viewer]");
    await expect.poll(() => viewer.getAttribute("data-image-id")).toBe(IMAGE_ID);
    await expect.poll(() => viewer.innerText()).toContain(COMMON);
    expect(await grid.evaluate(() => (window as unknown as { __hostile?: number }).__hostile)).toBeUndefined();
    await visit(judgedPath(app.collection!.name, queryId));
  });

  it("the collection, its search and the image page show hostile metadata and file names as text", async () => {
    const collection = await visit(`/collections/${app.collection!.name}?taxon=${encodeURIComponent(TAXON)}`);
    await expect.poll(() => collection.locator("[data-testid=image-count]").textContent()).toBe("1");
    const image = await visit(imagePagePath(app.collection!.name, IMAGE_ID));
    expect(await image.getByText(TAXON, { exact: false }).count()).toBeGreaterThan(0);
    expect(await image.getByText(RIGHTS, { exact: false }).count()).toBeGreaterThan(0);
    expect(await image.getByText(FILE_NAME, { exact: false }).count()).toBeGreaterThan(0);
    await visit(`/collections/${app.collection!.name}/search`);
  });

  it("the benchmark pages (dashboard, agreement, adjudication, rerank sets, splits, export, runs) draw query texts and annotators' names as text", async () => {
    const c = app.collection!;
    // two annotators disagree on the hostile image, one of them with a hostile name; the query is finished
    await db().query("INSERT INTO users (id, name, email) VALUES ('hostile-annotator', $1, 'hostile@example.org')", [
      ANNOTATOR,
    ]);
    const admin = (await db().query<{ id: string }>("SELECT id FROM users WHERE email = $1", [ADMIN.email])).rows[0].id;
    await db().query(
      `INSERT INTO judgments (query_id, image_id, annotator_id, value)
       SELECT q.id, i.id, a.who, a.value::"JudgmentValue"
         FROM queries q, images i, (VALUES ('hostile-annotator', 'relevant'), ($3, 'not_relevant')) a(who, value)
        WHERE q.collection_id = $1 AND q.source_id = $2 AND i.collection_id = $1 AND i.source_id = $4`,
      [c.id, queryId, admin, IMAGE_ID],
    );
    await db().query(
      "UPDATE queries SET status = 'finished', split = 'test' WHERE collection_id = $1 AND source_id = $2",
      [c.id, queryId],
    );
    const shows = { text: ["Dashboard", "Splits", "Adjudicate"], name: ["Agreement", "Adjudicate"] };
    for (const p of BENCHMARK_PAGES) {
      const page = await visit(p.path(c.name));
      if (shows.text.includes(p.label))
        await expect
          .poll(() => page.getByText(QUERY_TEXT, { exact: false }).count(), { message: p.label })
          .toBeGreaterThan(0);
      if (shows.name.includes(p.label))
        await expect
          .poll(() => page.getByText(ANNOTATOR, { exact: false }).count(), { message: p.label })
          .toBeGreaterThan(0);
      expect(
        await page.evaluate(() => (window as unknown as { __hostile?: number }).__hostile),
        p.label,
      ).toBeUndefined();
    }
  });
});

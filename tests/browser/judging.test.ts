import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { listJudgments } from "@/lib/judgments/list";
import { judgingKeys, keysFor, type GridMode, type KeyAction } from "@/lib/judgments/keymap";
import type { JudgmentValue } from "@/lib/judgments/values";
import { createQuery, findQuery, type QueryRef } from "@/lib/queries/queries";
import { ADMIN, EXPERT, startTestApp, type TestApp } from "../helpers/app";
import { launchBrowser, signIn, type TestBrowser } from "../helpers/browser";
import { addCandidates, addImages } from "../helpers/judging";
import { browserEnabled, servicesRequired } from "../helpers/services";

// The expert's workspace in Chromium against a real `next start`: writing a query, judging from the
// keyboard, surviving reloads and outages, two experts at once, importing INQUIRE's queries.

const SKIP_REASON = "browser tests (skipped: set FIELDMARK_TEST_BROWSER=1 to run them)";
const VAL = path.resolve(import.meta.dirname, "../../../shared/data/inquire/inquire_queries_val.csv");
if (browserEnabled && servicesRequired && !fs.existsSync(VAL)) throw new Error(`${VAL} is missing`);
const SECOND = {
  email: "second@example.org",
  name: "Sam Second",
  password: "second-password-1",
  role: "expert" as const,
};
/** What each judging key judges, from the grid's keymap. */
const KEY_VALUE = judgingKeys();
/** The key for `action` in `mode` from the grid's keymap: its main one, or the `nth` other. */
const key = (action: KeyAction, mode: GridMode = "grid", nth = 0) => keysFor(action, mode)[nth];

const grid = (page: Page) => page.locator("[data-testid=judging-grid]");
const cardIds = (page: Page) =>
  grid(page)
    .locator("button[data-image-id]")
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.imageId!));
const focusedId = (page: Page) =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.imageId ?? null);
/** The focused image, once one has the focus. */
async function focusedImage(page: Page): Promise<string> {
  await expect.poll(() => focusedId(page), { timeout: 10_000 }).not.toBeNull();
  return (await focusedId(page))!;
}
const syncState = (page: Page) => page.locator("[data-testid=sync-status]").getAttribute("data-state");

/** Presses one judging key per image and checks, each time, that the next image took the focus. */
async function judgeByKeyboard(page: Page, keys: string[]): Promise<string[]> {
  const judged: string[] = [];
  for (const key of keys) {
    const id = await focusedImage(page);
    await page.keyboard.press(key);
    judged.push(id);
  }
  return judged;
}

async function waitForNextPageReady(page: Page) {
  await expect
    .poll(() => page.locator("[data-testid=page-position]").textContent(), { timeout: 15_000 })
    .toContain("next page ready");
}

async function judgmentsOf(query: QueryRef, annotatorId: string): Promise<Map<string, JudgmentValue>> {
  return new Map((await listJudgments(query, { annotatorId })).map((j) => [j.imageId, j.value]));
}

describe.skipIf(!browserEnabled)(browserEnabled ? "browser: the expert's workspace" : SKIP_REASON, () => {
  let app: TestApp;
  let browser: TestBrowser;
  let expert: BrowserContext;
  let images: string[];
  let expertId: string;
  let secondId: string;

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchBrowser();
    secondId = (await createUser(SECOND)).id;
    expertId = (await db().query("SELECT id FROM users WHERE email = $1", [EXPERT.email])).rows[0].id;
    images = await addImages(app.collection!, 160, { files: true, prefix: "cand" });
    expert = await browser.newContext();
    await signIn(await expert.newPage(), app.url, EXPERT);
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function queryWithCandidates(sourceId: string, count: number): Promise<QueryRef> {
    const q = await createQuery(
      app.collection!.id,
      { text: `eagles ${sourceId}`, taxonScope: [{ rank: "genus", name: "Haliaeetus" }] },
      null,
      { sourceId },
    );
    await addCandidates(app.collection!.id, q.rowId, images.slice(0, count), { source: "text-image:test" });
    return { rowId: q.rowId, collectionId: app.collection!.id };
  }

  async function openGrid(page: Page, queryId: string, settings = { columns: 6, pageSize: 40 }) {
    await page.goto(`${app.url}/collections/garden-survey/queries/${queryId}`);
    await page.evaluate((s) => localStorage.setItem("fieldmark:judging-settings:v1", JSON.stringify(s)), settings);
    await page.reload();
    await expect.poll(() => focusedId(page), { timeout: 30_000 }).not.toBeNull();
  }

  it("writes a query with a taxon scope, its text kept exactly", async () => {
    const page = await expert.newPage();
    await page.goto(`${app.url}/collections/garden-survey/queries`);
    await page.click("text=New query");
    await page.waitForURL(/\/queries\/new$/);
    await page.locator("textarea[name=text]").fill("Bald eagle carrying a fish ");
    await page.selectOption("select[name=supercategory]", "Behavior");
    await page.fill("input[name=category]", "Feeding and Hydration");
    await page.fill("input[name=iconicGroup]", "Birds");
    await page.fill("[role=combobox]", "Haliae");
    await page
      .locator("[role=option]", { hasText: /^Haliaeetus/ })
      .first()
      .click();
    await expect.poll(() => page.locator("[data-testid=taxon-scope]").innerText()).toContain("Haliaeetus");
    await page.fill("[role=combobox]", "Turdidae");
    await page
      .locator("[role=option]", { hasText: /^Turdidae/ })
      .first()
      .click();
    // an example image found by taxon name in the picker (no model here: taxon names need none)
    await page.fill("[aria-label='Find example images']", "Haliaeetus");
    await page.click("[data-testid=example-picker] button:text('Find')");
    const firstResult = page.locator("[data-testid=example-picker] ul[aria-label='Search results'] button").first();
    await firstResult.waitFor({ timeout: 20_000 });
    const exampleId = (await firstResult.getAttribute("title"))!.replace(/^Add (.*) as an example$/, "$1");
    await firstResult.click();
    expect(await firstResult.getAttribute("aria-pressed")).toBe("true");
    expect(await page.locator(`img[alt='Example ${exampleId}']`).count()).toBe(1);
    await page.click("button:text('Create query')");
    await page.waitForURL(/\/queries\/1$/);
    expect(await page.locator("[data-testid=query-scope]").innerText()).toBe(
      "Scope: genus Haliaeetus, family Turdidae",
    );
    const saved = await findQuery(app.collection!.id, "1");
    expect(saved).toMatchObject({
      text: "Bald eagle carrying a fish ",
      supercategory: "Behavior",
      category: "Feeding and Hydration",
      iconicGroup: "Birds",
      taxonScope: [
        { rank: "genus", name: "Haliaeetus" },
        { rank: "family", name: "Turdidae" },
      ],
      createdBy: expertId,
      examples: [exampleId],
    });
    const genus = await db().query(
      "SELECT t.genus FROM images i JOIN taxa t ON t.id = i.taxon_id WHERE i.collection_id = $1 AND i.source_id = $2",
      [app.collection!.id, exampleId],
    );
    expect(genus.rows[0].genus).toBe("Haliaeetus");
    // and it is listed, with an editor that shows its history
    await page.goto(`${app.url}/collections/garden-survey/queries/1/edit`);
    expect(await page.locator("textarea[name=text]").inputValue()).toBe("Bald eagle carrying a fish ");
    expect(await page.locator("[data-testid=query-history]").innerText()).toContain("Revision 1 · Eli Expert");
  });

  it("judges 60 images by keyboard alone, undoes two, and after a reload everything is exactly as judged", async () => {
    const query = await queryWithCandidates("keys", 120);
    const page = await expert.newPage();
    await openGrid(page, "keys");
    expect(await cardIds(page)).toEqual(images.slice(0, 40));
    const pattern = ["r", "n", "n", "u", "0", "1", "n", "l", "h"]; // l then h: look ahead and come back
    const keys: string[] = [];
    for (let i = 0; keys.filter((k) => KEY_VALUE[k]).length < 60; i++) keys.push(pattern[i % pattern.length]);
    const expected = new Map<string, JudgmentValue>();
    let judgedCount = 0;
    for (const key of keys) {
      if (judgedCount === 39 && KEY_VALUE[key]) await waitForNextPageReady(page);
      const id = await focusedImage(page);
      await page.keyboard.press(key);
      if (KEY_VALUE[key]) {
        expected.set(id, KEY_VALUE[key]);
        judgedCount += 1;
      }
    }
    expect([...expected.keys()]).toEqual(images.slice(0, 60));
    expect(await grid(page).getAttribute("data-page")).toBe("1"); // the grid moved on to the second page
    // undo the last two
    await page.keyboard.press(key("undo"));
    await page.keyboard.press(key("undo"));
    expected.delete(images[59]);
    expected.delete(images[58]);
    expect(await focusedId(page)).toBe(images[58]);
    expect(await grid(page).locator(`[data-image-id="${images[59]}"]`).getAttribute("data-judgment")).toBe("none");
    await expect.poll(() => syncState(page), { timeout: 20_000 }).toBe("saved");

    expect(await judgmentsOf(query, expertId)).toEqual(expected);
    const events = await db().query(
      "SELECT count(*)::int AS n, count(DISTINCT client_id)::int AS d FROM judgment_events WHERE query_id = $1",
      [query.rowId],
    );
    expect(events.rows[0]).toEqual({ n: 62, d: 62 });
    const timed = await db().query(
      "SELECT count(*)::int AS n FROM judgments WHERE query_id = $1 AND time_spent_ms > 0",
      [query.rowId],
    );
    expect(timed.rows[0].n).toBeGreaterThan(50);

    await page.reload();
    await expect.poll(() => focusedId(page), { timeout: 30_000 }).toBe(images[58]);
    expect((await cardIds(page)).slice(0, 3)).toEqual([images[58], images[59], images[60]]);
    await expect.poll(() => page.locator("[data-testid=progress-judged]").textContent()).toBe("58");
    expect(await judgmentsOf(query, expertId)).toEqual(expected);
  });

  it("the other keys: full image with taxonomy, the key list, grid size, pages, and marking the rest not relevant", async () => {
    const query = await queryWithCandidates("other-keys", 60);
    const page = await expert.newPage();
    await openGrid(page, "other-keys", { columns: 6, pageSize: 20 });
    // Space opens the full image with its metadata and taxonomy; a judging key there judges it and moves on
    await page.keyboard.press(key("open")); // Space
    const viewer = page.locator("[data-testid=image-viewer]");
    await expect.poll(() => viewer.getAttribute("data-image-id")).toBe(images[0]);
    await expect.poll(() => viewer.innerText()).toContain("Accipitridae");
    expect(await viewer.innerText()).toContain("Haliaeetus leucocephalus");
    await page.keyboard.press(key("relevant", "viewer"));
    expect(await viewer.count()).toBe(0);
    expect(await focusedId(page)).toBe(images[1]);
    await page.keyboard.press(key("open", "grid", 1)); // Enter
    await expect.poll(() => viewer.getAttribute("data-image-id")).toBe(images[1]);
    await page.keyboard.press(key("close", "viewer")); // Escape
    expect(await focusedId(page)).toBe(images[1]);
    // ? lists the keys
    await page.keyboard.press(key("help"));
    expect(await page.locator("[data-testid=key-help]").innerText()).toContain(
      "mark the rest of this page not relevant",
    );
    await page.keyboard.press(key("close", "help"));
    // - and + change the number of columns, and with it what the up and down keys skip
    await page.keyboard.press(key("moreColumns")); // -
    expect(await page.locator("[data-testid=columns-select]").inputValue()).toBe("7");
    await page.keyboard.press(key("down", "grid", 1)); // j
    expect(await focusedId(page)).toBe(images[8]);
    await page.keyboard.press(key("fewerColumns")); // +
    await page.keyboard.press(key("up", "grid", 1)); // k
    expect(await focusedId(page)).toBe(images[2]);
    // a asks first; Escape keeps everything as it was
    await page.keyboard.press(key("markRest"));
    expect(await page.locator("[data-testid=confirm-rest]").innerText()).toContain(
      "19 unjudged images on this page will be marked",
    );
    await page.keyboard.press(key("cancel", "confirm")); // Escape
    expect(await grid(page).locator("[data-judgment=not_relevant]").count()).toBe(0);
    // confirmed, the other 19 are not relevant and the next page comes; one z brings them all back
    await waitForNextPageReady(page);
    await page.keyboard.press(key("markRest"));
    await page.keyboard.press(key("confirm", "confirm")); // Enter
    await expect.poll(() => grid(page).getAttribute("data-page")).toBe("1");
    expect(await cardIds(page)).toEqual(images.slice(20, 40));
    await page.keyboard.press(key("previousPage"));
    expect(await grid(page).locator("[data-judgment=not_relevant]").count()).toBe(19);
    await page.keyboard.press(key("nextPage"));
    await expect.poll(() => grid(page).getAttribute("data-page")).toBe("1");
    await page.keyboard.press(key("undo"));
    await expect.poll(() => grid(page).getAttribute("data-page")).toBe("0");
    expect(await grid(page).locator("[data-judgment=none]").count()).toBe(19);
    await expect.poll(() => syncState(page), { timeout: 20_000 }).toBe("saved");
    expect(await judgmentsOf(query, expertId)).toEqual(new Map([[images[0], "relevant"]]));
    const withdrawn = await db().query(
      "SELECT count(*)::int AS n FROM judgment_events WHERE query_id = $1 AND value IS NULL",
      [query.rowId],
    );
    expect(withdrawn.rows[0].n).toBe(19);
  });

  it("keeps judging while requests are blocked, survives a reload meanwhile, and saves everything once they pass", async () => {
    const query = await queryWithCandidates("outage", 120);
    const page = await expert.newPage();
    await openGrid(page, "outage", { columns: 6, pageSize: 60 });
    const expected = new Map<string, JudgmentValue>();
    for (const [id, key] of (await judgeByKeyboard(page, ["r", "n", "n", "n", "u"])).map(
      (id, i) => [id, ["r", "n", "n", "n", "u"][i]] as const,
    ))
      expected.set(id, KEY_VALUE[key]);
    await expect.poll(() => syncState(page)).toBe("saved");

    // the judgment endpoint goes away
    await page.route("**/queries/*/judgments", (route) => route.abort("internetdisconnected"));
    const offlineKeys = ["n", "r", "n", "n", "u", "n", "n", "r", "n", "n", "n", "n"];
    const offline = await judgeByKeyboard(page, offlineKeys);
    offline.forEach((id, i) => expected.set(id, KEY_VALUE[offlineKeys[i]]));
    await expect.poll(() => syncState(page)).toBe("waiting");
    expect(await page.locator("[data-testid=sync-status]").innerText()).toMatch(
      /12 not sent yet \(No connection to the server\).*kept in this browser/,
    );
    expect(await grid(page).locator("[data-sync=waiting]").count()).toBe(12);
    expect(
      await db()
        .query("SELECT count(*)::int AS n FROM judgments WHERE query_id = $1", [query.rowId])
        .then((r) => r.rows[0].n),
    ).toBe(5);

    // a reload while still cut off: the unsent judgments come back from this browser and are not offered again
    await page.reload();
    await expect.poll(() => focusedId(page), { timeout: 30_000 }).not.toBeNull();
    await expect.poll(() => page.locator("[data-testid=sync-status]").getAttribute("data-pending")).toBe("12");
    const offered = await cardIds(page);
    for (const id of expected.keys()) expect(offered).not.toContain(id);
    const moreKeys = ["r", "n", "u"];
    const more = await judgeByKeyboard(page, moreKeys);
    more.forEach((id, i) => expected.set(id, KEY_VALUE[moreKeys[i]]));
    await new Promise((r) => setTimeout(r, 3000));

    await page.unroute("**/queries/*/judgments");
    await page.locator("[data-testid=sync-status] button", { hasText: "Retry now" }).click();
    await expect.poll(() => syncState(page), { timeout: 20_000 }).toBe("saved");
    expect(await judgmentsOf(query, expertId)).toEqual(expected);
    const events = await db().query("SELECT count(*)::int AS n FROM judgment_events WHERE query_id = $1", [
      query.rowId,
    ]);
    expect(events.rows[0].n).toBe(expected.size);
  });

  it("two experts judge one query at the same time, each with their own judgments; a lead sees both", async () => {
    const query = await queryWithCandidates("pair", 100);
    const second = await browser.newContext();
    const [a, b] = [await expert.newPage(), await second.newPage()];
    await signIn(b, app.url, SECOND);
    await Promise.all([openGrid(a, "pair"), openGrid(b, "pair")]);
    const keysA = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? "r" : "n"));
    const keysB = Array.from({ length: 30 }, (_, i) => (i % 4 === 0 ? "u" : i % 4 === 1 ? "r" : "n"));
    const [idsA, idsB] = await Promise.all([judgeByKeyboard(a, keysA), judgeByKeyboard(b, keysB)]);
    expect(idsA).toEqual(images.slice(0, 30));
    expect(idsB).toEqual(images.slice(0, 30)); // each has their own queue: both start at the top
    await Promise.all([
      expect.poll(() => syncState(a), { timeout: 20_000 }).toBe("saved"),
      expect.poll(() => syncState(b), { timeout: 20_000 }).toBe("saved"),
    ]);
    expect(await judgmentsOf(query, expertId)).toEqual(new Map(idsA.map((id, i) => [id, KEY_VALUE[keysA[i]]])));
    expect(await judgmentsOf(query, secondId)).toEqual(new Map(idsB.map((id, i) => [id, KEY_VALUE[keysB[i]]])));

    // the lead sees everyone's progress, and can open either expert's queue (read-only)
    const lead = await (await browser.newContext()).newPage();
    await signIn(lead, app.url, ADMIN);
    await lead.goto(`${app.url}/collections/garden-survey/queries/pair`);
    await lead.locator("summary", { hasText: "Everyone on this query" }).click();
    const table = await lead.locator("[data-testid=progress-annotators]").innerText();
    expect(table).toMatch(/Eli Expert\s+30\s+10/);
    expect(table).toMatch(/Sam Second\s+30\s+8/);
    await lead.selectOption("[data-testid=annotator-select]", expertId);
    await lead.waitForURL(/annotator=/);
    await expect.poll(() => lead.locator("[data-testid=read-only-note]").textContent()).toContain("Eli Expert");
    await expect.poll(async () => (await cardIds(lead))[0]).toBe(images[30]);
    await lead.keyboard.press(key("relevant")); // read-only: nothing is written for anyone
    await new Promise((r) => setTimeout(r, 500));
    const count = await db().query("SELECT count(*)::int AS n FROM judgments WHERE query_id = $1", [query.rowId]);
    expect(count.rows[0].n).toBe(60);
  });

  it("one expert in two tabs judges different images; the review page lists them and changes one", async () => {
    const query = await queryWithCandidates("tabs", 120);
    const [a, b] = [await expert.newPage(), await expert.newPage()];
    // settings first, so each tab loads the grid once (a reload would keep its tab's holds anyway)
    await a.goto(`${app.url}/collections`);
    await a.evaluate(() =>
      localStorage.setItem("fieldmark:judging-settings:v1", JSON.stringify({ columns: 5, pageSize: 20 })),
    );
    await a.goto(`${app.url}/collections/garden-survey/queries/tabs`);
    await expect.poll(() => focusedId(a), { timeout: 30_000 }).not.toBeNull();
    await waitForNextPageReady(a); // tab A holds its page and the one fetched ahead
    await b.goto(`${app.url}/collections/garden-survey/queries/tabs`);
    await expect.poll(() => focusedId(b), { timeout: 30_000 }).not.toBeNull();
    const [shownA, shownB] = [await cardIds(a), await cardIds(b)];
    expect(shownA).toEqual(images.slice(0, 20));
    expect(shownB).toEqual(images.slice(40, 60)); // never what tab A holds: its page and the one fetched ahead
    await a.reload(); // a reload keeps the tab's place
    await expect.poll(() => focusedId(a), { timeout: 30_000 }).not.toBeNull();
    expect(await cardIds(a)).toEqual(images.slice(0, 20));
    // tabs of one window: only the tab in front has the keyboard focus
    await a.bringToFront();
    const idsA = await judgeByKeyboard(a, ["r", "n", "n", "u", "n"]);
    await b.bringToFront();
    const idsB = await judgeByKeyboard(b, ["n", "r", "n", "n", "n"]);
    await Promise.all([
      expect.poll(() => syncState(a), { timeout: 20_000 }).toBe("saved"),
      expect.poll(() => syncState(b), { timeout: 20_000 }).toBe("saved"),
    ]);
    const mine = await judgmentsOf(query, expertId);
    expect(mine.size).toBe(10);
    expect(new Set([...idsA, ...idsB]).size).toBe(10);

    // the review page: latest first, filtered by value, and a change made there is saved with its history
    const review = a;
    await review.bringToFront();
    await review.click("a:text('Review judged')");
    await review.waitForURL(/\/judged$/);
    await expect.poll(() => review.locator("[data-testid=judged-list] li").count(), { timeout: 15_000 }).toBe(10);
    await review.locator("[role=radio]", { hasText: "Relevant" }).first().click();
    await expect
      .poll(() =>
        review
          .locator("[data-testid=judged-list] li")
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.imageId).sort()),
      )
      .toEqual([idsA[0], idsB[1]].sort());
    const card = review.locator(`[data-testid=judged-list] li[data-image-id="${idsA[0]}"]`);
    await card.locator("button[aria-pressed]", { hasText: "Unsure" }).click();
    expect(await card.locator("[data-testid=judged-value]").innerText()).toBe("? Unsure");
    await expect
      .poll(async () => (await judgmentsOf(query, expertId)).get(idsA[0]), { timeout: 20_000 })
      .toBe("unsure");
    await expect
      .poll(() => review.locator("[data-testid=count-relevant]").textContent(), { timeout: 20_000 })
      .toBe("1");
    expect(await review.locator("[data-testid=count-all]").textContent()).toBe("10");
    const [j] = (await listJudgments(query, { annotatorId: expertId })).filter((x) => x.imageId === idsA[0]);
    expect(j.history.map((h) => h.value)).toEqual(["relevant"]);
    expect((await findQuery(app.collection!.id, "tabs"))?.status).toBe("labeling");
  });

  it("imports INQUIRE's 50 val queries from the UI and lists them with their categories", async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, app.url, ADMIN);
    await page.goto(`${app.url}/collections/garden-survey/queries`);
    await page.locator("summary", { hasText: "Import INQUIRE query CSV" }).click();
    await page.setInputFiles("#queries-file", VAL);
    await page.selectOption("#queries-split", "val");
    await page.click("button:text('Import')");
    await expect
      .poll(() => page.locator("[role=status]").textContent(), { timeout: 20_000 })
      .toBe("50 queries read: 50 new, 0 updated, 0 unchanged.");
    const rows = parse(fs.readFileSync(VAL), { columns: true }) as Record<string, string>[];
    const writtenAbove = (await db().query("SELECT count(*)::int AS n FROM queries WHERE split IS NULL")).rows[0].n;
    await expect.poll(() => page.locator("[data-testid=query-table] tbody tr").count()).toBe(50 + writtenAbove);
    for (const r of rows) {
      const cells = await page.locator(`tr[data-query-id="${r.query_id}"] td`).allInnerTexts();
      expect(cells.slice(0, 6).map((c) => c.trim())).toEqual([
        r.query_id,
        r.query_text.trim(),
        r.supercategory,
        r.category,
        r.iconic_group || "—",
        "val",
      ]);
    }
  });
});

import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { finalLabels } from "@/lib/agreement/labels";
import { agreementSummary } from "@/lib/agreement/summary";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { keysFor } from "@/lib/judgments/keymap";
import { listJudgments } from "@/lib/judgments/list";
import type { JudgmentValue } from "@/lib/judgments/values";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import { createQuery, type QueryRef } from "@/lib/queries/queries";
import { EXPERT, startTestApp, type TestApp } from "../helpers/app";
import { launchBrowser, signIn, type TestBrowser } from "../helpers/browser";
import { addCandidates, addImages } from "../helpers/judging";
import { browserEnabled } from "../helpers/services";

// Agreement in Chromium against a real `next start`: a lead sends a blind overlap sample from the
// agreement page, the second expert judges it in the ordinary grid without ever being shown the first
// judgment or who made it, and the lead adjudicates the disagreement from the keyboard.

const SKIP_REASON = "browser tests (skipped: set FIELDMARK_TEST_BROWSER=1 to run them)";
const SECOND = { email: "sam@example.org", name: "Sam Second", password: "second-password-1", role: "expert" as const };
const LEAD = { email: "lee@example.org", name: "Lee Lead", password: "lead-password-1", role: "lead" as const };

const focusedId = (page: Page) =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.imageId ?? null);
const cardIds = (page: Page) =>
  page
    .locator("[data-testid=judging-grid] button[data-image-id]")
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.imageId!));

describe.skipIf(!browserEnabled)(browserEnabled ? "browser: overlap and adjudication" : SKIP_REASON, () => {
  let app: TestApp;
  let browser: TestBrowser;
  let query: QueryRef;
  let queryId: string;
  let images: string[];
  let eliId: string;
  let samId: string;
  /** what Eli (the first annotator) said of his ten images */
  const ELI = "RNNRNUNNRN";
  const V = { R: "relevant", N: "not_relevant", U: "unsure" } as const;

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchBrowser();
    samId = (await createUser(SECOND)).id;
    await createUser(LEAD);
    eliId = (await db().query("SELECT id FROM users WHERE email = $1", [EXPERT.email])).rows[0].id;
    images = await addImages(app.collection!, 24, { files: true, prefix: "ovl" });
    const q = await createQuery(app.collection!.id, { text: "Eagle feeding chicks" }, eliId);
    query = { rowId: q.rowId, collectionId: app.collection!.id };
    queryId = q.id;
    await addCandidates(app.collection!.id, q.rowId, images, { source: "text-image:test" });
    const results = await applyJudgmentWrites(
      query,
      eliId,
      images.slice(0, 10).map((imageId, i) => ({
        clientId: crypto.randomUUID(),
        imageId,
        value: V[ELI[i] as keyof typeof V] as JudgmentValue,
        source: "text-image:test",
        timeSpentMs: 800,
      })),
    );
    expect(results.every((r) => r.status === "saved")).toBe(true);
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  let assigned: string[] = [];

  it("a lead sends the overlap sample from the agreement page", async () => {
    const lead = await browser.newContext();
    const page = await lead.newPage();
    await signIn(page, app.url, LEAD);
    await page.goto(`${app.url}/collections/garden-survey/agreement`);
    await page.locator(`[data-testid=overlap-form] input[value="${queryId}"]`).check();
    await page.selectOption("#overlap-assignee", samId);
    expect(await page.inputValue("#overlap-share")).toBe("10");
    await page.click("button:text('Send overlap sample')");
    // 10 judged: ceil(10%) = 1 sampled, and the one unsure
    await expect
      .poll(() => page.locator("[data-testid=overlap-outcomes]").innerText(), { timeout: 20_000 })
      .toContain("2 images in the sample, 2 newly sent");
    const { rows } = await db().query(
      `SELECT i.source_id AS id, o.reason FROM overlap_assignments o JOIN images i ON i.id = o.image_id
        WHERE o.query_id = $1 AND o.annotator_id = $2 ORDER BY i.source_id`,
      [query.rowId, samId],
    );
    expect(rows.map((r) => r.reason).sort()).toEqual(["sample", "unsure"]);
    expect(rows.find((r) => r.reason === "unsure").id).toBe(images[ELI.indexOf("U")]);
    assigned = rows.map((r) => r.id);
    // the API: the same numbers as the page's reader; refusals name the field
    const api = await page.evaluate(async () => (await fetch("/api/collections/garden-survey/agreement")).json());
    expect(api).toEqual(JSON.parse(JSON.stringify(await agreementSummary(app.collection!.id))));
    expect(api.queries.find((q: { queryId: string }) => q.queryId === queryId)).toMatchObject({
      judged: 10,
      overlapAssigned: 2,
      overlapDone: 0,
    });
    const post = (body: unknown) =>
      page.evaluate(
        async ([q, b]) => {
          const res = await fetch(`/api/collections/garden-survey/queries/${q}/overlap`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(b),
          });
          return { status: res.status, body: await res.json() };
        },
        [queryId, body] as const,
      );
    // Eli is the only annotator so far: he cannot be the second expert
    expect(await post({ assignee: eliId })).toMatchObject({ status: 400, body: { field: "assignee" } });
    expect(await post({ assignee: samId, share: 2 })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining("share") },
    });
    expect(await post({ assignee: samId })).toMatchObject({ status: 200, body: { chosen: 2, added: 0 } });
    await lead.close();
  });

  let disagreed: string;

  it("the second expert judges the sample first and blind: nothing on screen or on the wire shows Eli's judgment", async () => {
    const context: BrowserContext = await browser.newContext();
    const page = await context.newPage();
    const bodies: string[] = [];
    page.on("response", async (res) => {
      if (res.url().startsWith(app.url) && !/\.(js|css|jpg|png|woff2?)(\?|$)/.test(res.url()))
        bodies.push(await res.text().catch(() => ""));
    });
    await signIn(page, app.url, SECOND);
    await page.goto(`${app.url}/collections/garden-survey/queries/${queryId}`);
    await expect.poll(() => focusedId(page), { timeout: 30_000 }).not.toBeNull();
    const ids = await cardIds(page);
    expect(new Set(ids.slice(0, 2))).toEqual(new Set(assigned));
    for (const id of ids)
      expect(await page.locator(`[data-image-id="${id}"]`).getAttribute("data-judgment")).toBe("none");
    // judge both sample images from the keyboard, disagreeing with Eli where he was sure
    const said: Record<string, string> = {};
    for (let i = 0; i < 2; i++) {
      const id = (await focusedId(page))!;
      const eli = ELI[images.indexOf(id)];
      const value = eli === "R" ? "not_relevant" : "relevant";
      if (eli !== "U") disagreed = id;
      said[id] = value;
      await page.keyboard.press(keysFor(value)[0]);
    }
    await expect
      .poll(async () => (await listJudgments(query, { annotatorId: samId })).length, { timeout: 20_000 })
      .toBe(2);
    // the review page and the progress show Sam's own only
    await page.goto(`${app.url}/collections/garden-survey/queries/${queryId}/judged`);
    await expect.poll(() => page.locator("main").innerText(), { timeout: 20_000 }).toContain("Your judgments");
    await page.waitForLoadState("networkidle");
    const text = await page.locator("body").innerText();
    const html = await page.content();
    for (const trace of [EXPERT.name, eliId, "overlap"]) {
      expect(text).not.toContain(trace);
      expect(html).not.toContain(trace);
      for (const body of bodies) expect(body).not.toContain(trace);
    }
    expect(bodies.length).toBeGreaterThan(3);
    // Sam asking for Eli's judgments is refused
    const refused = await page.evaluate(
      async ([q, eli]) =>
        (await fetch(`/api/collections/garden-survey/queries/${q}/judgments?annotator=${eli}`)).status,
      [queryId, eliId],
    );
    expect(refused).toBe(403);
    await context.close();
  });

  it("the lead adjudicates the disagreement from the keyboard and the final label changes", async () => {
    expect(disagreed).toBeDefined();
    const imageRow = Number(
      (
        await db().query("SELECT id FROM images WHERE collection_id = $1 AND source_id = $2", [
          query.collectionId,
          disagreed,
        ])
      ).rows[0].id,
    );
    const before = (await finalLabels([query.rowId])).find((l) => l.imageId === imageRow)!;
    expect(before).toMatchObject({ value: null, basis: "disagreement", needsAdjudication: true });

    const lead = await browser.newContext();
    const page = await lead.newPage();
    await signIn(page, app.url, LEAD);
    await page.goto(`${app.url}/collections/garden-survey/adjudicate?query=${encodeURIComponent(queryId)}`);
    await expect.poll(() => focusedId(page), { timeout: 30_000 }).not.toBeNull();
    const key = `${queryId}/${disagreed}`;
    const openItems = () =>
      page.evaluate(
        async (q) =>
          (await (await fetch(`/api/collections/garden-survey/adjudications?query=${q}`)).json()) as {
            items: { imageId: string; judgments: { annotator: string }[] }[];
          },
        queryId,
      );
    const listed = (await openItems()).items.find((i) => i.imageId === disagreed)!;
    expect(listed.judgments.map((j) => j.annotator).sort()).toEqual([EXPERT.name, SECOND.name].sort());
    const unsure = await page.evaluate(
      async ([q, img]) =>
        (
          await fetch("/api/collections/garden-survey/adjudications", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ queryId: q, imageId: img, value: "unsure" }),
          })
        ).status,
      [queryId, disagreed] as const,
    );
    expect(unsure).toBe(400);
    const card = page.locator(`[data-image-id="${key}"]`);
    // both judgments, and who made them
    const shown = await card.locator("[data-testid=card-judgments]").innerText();
    expect(shown).toContain(EXPERT.name);
    expect(shown).toContain(SECOND.name);
    // move the focus onto it with the arrow key, then give the final label Eli gave
    const ids = await cardIds(page);
    for (let i = 0; i < ids.indexOf(key); i++) await page.keyboard.press(keysFor("right", "adjudicate")[0]);
    expect(await focusedId(page)).toBe(key);
    const eli = V[ELI[images.indexOf(disagreed)] as "R" | "N"];
    await page.keyboard.press(keysFor(eli, "adjudicate")[0]);
    await expect.poll(() => card.getAttribute("data-sync"), { timeout: 20_000 }).toBe("saved");
    expect(await card.getAttribute("data-judgment")).toBe(eli);
    const after = (await finalLabels([query.rowId])).find((l) => l.imageId === imageRow)!;
    expect(after).toMatchObject({ value: eli, basis: "adjudicated", needsAdjudication: false });
    // the item has left the queue
    expect((await openItems()).items.map((i) => i.imageId)).not.toContain(disagreed);
    await page.reload();
    await expect
      .poll(() => page.locator("[data-testid=adjudication-position]").innerText(), { timeout: 20_000 })
      .toMatch(/open/);
    expect(await page.locator(`[data-image-id="${key}"]`).count()).toBe(0);
    await lead.close();
  });
});

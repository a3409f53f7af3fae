// The browser half of bench/label: an expert judges three pages of 60 in Chromium at 1280x800 and the
// grid's own performance measures are read back:
//   fieldmark:key-to-focus  from the key event's time stamp to the next image holding the focus
//   fieldmark:page-drawn    from a page being shown to the frame after its last thumbnail loaded
// The first page is cold (the server makes its thumbnails on first request; after an import the worker
// has made them); later pages were fetched ahead, thumbnails included, while the page before was judged.

import type { Page } from "playwright-core";
import { db } from "@/lib/db/client";
import { makeThumbnails } from "@/lib/images/thumbnails";
import { createQuery } from "@/lib/queries/queries";
import type { TestApp } from "../tests/helpers/app";
import { launchBrowser } from "../tests/helpers/browser";
import { addCandidates, addImages } from "../tests/helpers/judging";

const PAGE_SIZE = 60;
const PAGES = 4;
const KEYS = ["n", "n", "r", "n", "u", "n", "0", "n", "1", "n"];

export type Timing = { name: string; values: number[] };

async function waitFor(page: Page, check: () => Promise<boolean>, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function browserTimings(app: TestApp, who: { email: string; password: string }): Promise<Timing[]> {
  const collection = app.collection!;
  const images = await addImages(collection, PAGE_SIZE * (PAGES + 1), { prefix: "view", files: true });
  const q = await createQuery(collection.id, { text: "bench: the grid in a browser" }, null, {
    sourceId: "bench-browser",
  });
  await addCandidates(collection.id, q.rowId, images, { source: "text-image:bench" });
  // Thumbnails are made once, by the worker after an import; make them here the same way, except for
  // the first page, left to be made on request to show that case too.
  process.env.FIELDMARK_DATA_DIR = app.database.dataDir;
  const rows = (
    await db().query<{ id: number }>(
      "SELECT id FROM images WHERE collection_id = $1 AND source_id = ANY($2) ORDER BY id",
      [collection.id, images],
    )
  ).rows;
  await makeThumbnails(collection.id, { fromId: rows[PAGE_SIZE].id, toId: rows[rows.length - 1].id });

  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${app.url}/sign-in`);
    await page.fill("#email", who.email);
    await page.fill("#password", who.password);
    await page.click("button[type=submit]");
    await page.waitForURL(/\/collections$/);
    const url = `${app.url}/collections/${encodeURIComponent(collection.name)}/queries/bench-browser`;
    await page.goto(url);
    await page.evaluate(
      (pageSize) => localStorage.setItem("fieldmark:judging-settings:v1", JSON.stringify({ columns: 6, pageSize })),
      PAGE_SIZE,
    );
    await page.reload();
    const grid = page.locator("[data-testid=judging-grid]");
    const drawn = (n: number) => async () =>
      (await grid.getAttribute("data-page").catch(() => null)) === String(n) &&
      (await grid.getAttribute("data-drawn")) === "true";
    await waitFor(page, drawn(0), "the first page to draw");
    const measures = async (name: string) =>
      page.evaluate((n) => performance.getEntriesByName(n, "measure").map((e) => e.duration), name);
    const coldPage = await measures("fieldmark:page-drawn");

    for (let p = 0; p < PAGES; p++) {
      // an expert spends far longer on a page than the prefetch takes; wait for it rather than race it
      await waitFor(
        page,
        async () =>
          (await page.locator("[data-testid=page-position]").textContent())?.includes("next page ready") ?? false,
        "the next page",
      );
      await page.waitForTimeout(500);
      for (let i = 0; i < PAGE_SIZE; i++) await page.keyboard.press(KEYS[i % KEYS.length]);
      await waitFor(page, drawn(p + 1), `page ${p + 2} to draw`);
    }
    const keyToFocus = await measures("fieldmark:key-to-focus");
    const pagesDrawn = await measures("fieldmark:page-drawn");
    return [
      { name: "keypress to next image focused", values: keyToFocus },
      { name: "first page of 60 drawn (cold: thumbnails made on request)", values: coldPage },
      { name: "next page of 60 drawn (fetched ahead)", values: pagesDrawn.slice(coldPage.length) },
    ];
  } finally {
    await browser.close();
  }
}

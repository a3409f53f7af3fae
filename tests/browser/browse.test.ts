import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { CORRUPT_IMAGE_ID, SEED_TAXA } from "../helpers/seed";
import { ADMIN, EXPERT, startTestApp, type TestApp } from "../helpers/app";
import { launchBrowser, signIn, type TestBrowser } from "../helpers/browser";
import { browserEnabled } from "../helpers/services";

// The app as a person uses it, in Chromium, against a real `next start`.

const SKIP_REASON = "browser tests (skipped: set FIELDMARK_TEST_BROWSER=1 to run them)";
const imagesOf = (keep: (t: (typeof SEED_TAXA)[number]) => boolean) =>
  SEED_TAXA.filter(keep).reduce((n, t) => n + t.images, 0);

const count = (page: Page) => page.locator("[data-testid=image-count]");
const cards = (page: Page) => page.locator("[data-testid=image-grid] > li");

describe.skipIf(!browserEnabled)(browserEnabled ? "browser: signing in and browsing a collection" : SKIP_REASON, () => {
  let app: TestApp;
  let browser: TestBrowser;
  let admin: BrowserContext;

  beforeAll(async () => {
    app = await startTestApp();
    browser = await launchBrowser();
    admin = await browser.newContext();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("sends a signed-out visitor to sign in, then back to the page they asked for", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${app.url}/collections/garden-survey?iconic_group=Aves`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/collections/garden-survey?iconic_group=Aves");

    const api = await page.request.get(`${app.url}/api/collections`);
    expect(api.status()).toBe(401);

    await page.fill("#email", EXPERT.email);
    await page.fill("#password", "not-the-password");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator("form [role=alert]").textContent()).toBe("Wrong email or password");

    await page.fill("#password", EXPERT.password);
    await page.click("button[type=submit]");
    await page.waitForURL(/\/collections\/garden-survey\?iconic_group=Aves$/);
    await expect.poll(() => count(page).textContent()).toBe(String(imagesOf((t) => t.iconicGroup === "Aves")));
  });

  it("signs in and opens a collection from the list", async () => {
    const page = await admin.newPage();
    await signIn(page, app.url, ADMIN);
    expect(await page.locator("[data-testid=current-user]").textContent()).toBe(ADMIN.name);
    await page.click("text=garden-survey");
    await page.waitForURL(/\/collections\/garden-survey$/);
    expect(await count(page).textContent()).toBe("24");
    expect(await cards(page).count()).toBe(24);
    // thumbnails really load (lazily, from the thumbnail route)
    const first = cards(page).first().locator("img");
    await expect
      .poll(() => first.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
  });

  it("filters by a species picked in the typeahead, then by an iconic group", async () => {
    const page = await admin.newPage();
    await page.goto(`${app.url}/collections/garden-survey`);
    await page.fill("[role=combobox]", "machaon");
    await page.locator("[role=option]", { hasText: "Papilio machaon" }).click();
    await page.waitForURL(/taxon=Papilio\+machaon&rank=species/);
    const machaon = imagesOf((t) => t.name === "Papilio machaon");
    await expect.poll(() => count(page).textContent()).toBe(String(machaon));
    expect(await cards(page).count()).toBe(machaon);
    expect(await page.locator("[data-testid=taxon-filter]").textContent()).toContain("Papilio machaon");

    // a whole family by its name
    await page.click("[aria-label='Remove taxon filter']");
    await page.waitForURL(/\/collections\/garden-survey$/);
    await page.fill("[role=combobox]", "papilio");
    await page.locator("[role=option]", { hasText: /^Papilionidae/ }).click();
    await page.waitForURL(/rank=family/);
    await expect.poll(() => count(page).textContent()).toBe(String(imagesOf((t) => t.family === "Papilionidae")));

    // the iconic group replaces nothing else: family and group together, then the group alone
    await page.selectOption("#iconic-group", "Aves");
    await page.waitForURL(/iconic_group=Aves/);
    await expect.poll(() => count(page).textContent()).toBe("0");
    await page.click("[aria-label='Remove taxon filter']");
    await page.waitForURL((u) => !u.searchParams.has("taxon") && u.searchParams.get("iconic_group") === "Aves");
    const birds = imagesOf((t) => t.iconicGroup === "Aves");
    await expect.poll(() => count(page).textContent()).toBe(String(birds));
    expect(await cards(page).count()).toBe(birds);
    expect(await cards(page).allTextContents()).toEqual(expect.arrayContaining(["Bald Eagle", "American Robin"]));

    // the filtered URL is shareable: opened afresh it shows the same grid
    const again = await admin.newPage();
    await again.goto(page.url());
    expect(await count(again).textContent()).toBe(String(birds));
  });

  it("opens an image page with its metadata, taxonomy and picture", async () => {
    const page = await admin.newPage();
    await page.goto(`${app.url}/collections/garden-survey?iconic_group=Aves`);
    await cards(page).first().locator("a").click();
    await page.waitForURL(/\/collections\/garden-survey\/images\//);
    expect(await page.locator("[data-testid=image-title]").textContent()).toBe("Bald Eagle");
    const text = await page.locator("main").innerText();
    for (const v of [
      "Animalia",
      "Chordata",
      "Aves",
      "Accipitriformes",
      "Accipitridae",
      "Haliaeetus",
      "Haliaeetus leucocephalus",
      "320 × 240 px",
      "cc-by",
      "Test Photographer",
    ]) {
      expect(text).toContain(v);
    }
    const picture = page.locator("main img");
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
    // a taxonomy link filters the collection at that rank
    await page.click("a:text-is('Accipitridae')");
    await page.waitForURL(/taxon=Accipitridae&rank=family/);
    await expect.poll(() => count(page).textContent()).toBe(String(imagesOf((t) => t.family === "Accipitridae")));
  });

  it("shows an unreadable image as a placeholder with its reason, and the page still works", async () => {
    const page = await admin.newPage();
    const thumb = await page.request.get(
      `${app.url}/api/collections/garden-survey/images/${encodeURIComponent(CORRUPT_IMAGE_ID)}/thumbnail`,
    );
    expect(thumb.headers()["content-type"]).toContain("image/svg+xml");
    await page.goto(`${app.url}/collections/garden-survey?iconic_group=Plantae`);
    const broken = page.locator(`a[data-image-id="${CORRUPT_IMAGE_ID}"]`);
    expect(await broken.innerText()).toContain("Unreadable image");
    await broken.click();
    await page.waitForURL(/oak%2Fbroken\.jpg/);
    expect(await page.locator("[role=img]").getAttribute("aria-label")).toMatch(/^Unreadable image: .+/);
    expect(await page.locator("main").innerText()).toContain("Pedunculate Oak");
  });

  it("keeps the users page from experts, where an admin adds an account that can then sign in", async () => {
    const expert = await browser.newContext();
    const page = await expert.newPage();
    await signIn(page, app.url, EXPERT);
    expect(await page.locator("header a", { hasText: "Users" }).count()).toBe(0);
    const res = await page.goto(`${app.url}/admin/users`);
    expect(res?.status()).toBe(403);
    expect(await page.locator("h1").textContent()).toMatch(/don.t have access/);

    const adminPage = await admin.newPage();
    await adminPage.goto(`${app.url}/admin/users`);
    await adminPage.fill("#name", "Lee Lead");
    await adminPage.fill("#email", "lee@example.org");
    await adminPage.fill("#password", "lead-password-1");
    await adminPage.selectOption("#role", "lead");
    await adminPage.click("button:text('Add user')");
    await expect.poll(() => adminPage.locator("[role=status]").textContent()).toBe("Added lee@example.org.");
    expect(await adminPage.locator("table").innerText()).toContain("lee@example.org");

    const lead = await (await browser.newContext()).newPage();
    await signIn(lead, app.url, { email: "lee@example.org", password: "lead-password-1" });
    expect(await lead.locator("header").innerText()).toContain("lead");
  });

  it("signs out", async () => {
    const page = await admin.newPage();
    await page.goto(`${app.url}/collections`);
    await page.click("button:text('Sign out')");
    await page.waitForURL(/\/sign-in$/);
    await page.goto(`${app.url}/collections`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
  });
});

describe.skipIf(!browserEnabled)(browserEnabled ? "browser: first run" : SKIP_REASON, () => {
  let app: TestApp;
  let browser: TestBrowser;

  beforeAll(async () => {
    app = await startTestApp({ seed: false });
    browser = await launchBrowser();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("with no accounts, sign-in leads to setup, which makes the first admin once", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${app.url}/collections`);
    await page.waitForURL(/\/setup$/);
    await page.fill("#name", "First Admin");
    await page.fill("#email", "first@example.org");
    await page.fill("#password", "first-password-1");
    await page.click("button[type=submit]");
    await page.waitForURL(/\/collections$/);
    expect(await page.locator("[data-testid=current-user]").textContent()).toBe("First Admin");
    expect(await page.locator("header").innerText()).toContain("admin");

    // setup is closed now, for everyone
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${app.url}/setup`);
    expect(new URL(other.url()).pathname).toBe("/sign-in");
  });
});

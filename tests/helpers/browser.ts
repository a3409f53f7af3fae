import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { chromiumPath } from "./services";

// Debian's Chromium driven by playwright-core (`npx playwright install` cannot work offline), with the
// flags STACK.md found to work here and a fresh profile each time.

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export type TestBrowser = { newContext: () => Promise<BrowserContext>; close: () => Promise<void> };

/** Each context is its own profile (its own cookies), so signed-in and signed-out visitors do not mix. */
export async function launchBrowser(): Promise<TestBrowser> {
  const contexts: { context: BrowserContext; dir: string }[] = [];
  return {
    newContext: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-chromium-"));
      const context = await chromium.launchPersistentContext(dir, {
        executablePath: chromiumPath,
        headless: true,
        args: FLAGS,
        viewport: { width: 1280, height: 900 },
      });
      contexts.push({ context, dir });
      return context;
    },
    close: async () => {
      for (const { context, dir } of contexts) {
        await context.close().catch(() => {});
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Signs in through the sign-in page and waits for the collections page it leads to. */
export async function signIn(page: Page, appUrl: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(`${appUrl}/sign-in`);
  await page.fill("#email", who.email);
  await page.fill("#password", who.password);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/collections$/);
}

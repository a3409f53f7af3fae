import fs from "node:fs";
import path from "node:path";
import type { Permission } from "@/lib/auth/permissions";

// What the access-control test walks, found on the file system so that a new page, route handler or
// server action cannot be left out, and what each needs, from the permission table through one mapping
// per kind. The test fails when something found here has no entry, or an entry names nothing found.

const ROOT = path.resolve(import.meta.dirname, "../..");
const APP = path.join(ROOT, "app");

/** "public": anyone, signed in or not (the route or page decides itself what to say). */
export type Needs = Permission | "public";

/** Every page (app/**\/page.tsx, by its file under app/) and what it needs. */
export const PAGES: Record<string, Needs> = {
  "page.tsx": "collections.read", // "/" sends a signed-in user to /collections
  "(auth)/sign-in/page.tsx": "public",
  "(auth)/setup/page.tsx": "public", // first run only; once anyone exists it sends everyone to /sign-in
  "(app)/collections/page.tsx": "collections.read",
  "(app)/collections/[name]/page.tsx": "collections.read",
  "(app)/collections/[name]/images/[imageId]/page.tsx": "collections.read",
  "(app)/collections/[name]/search/page.tsx": "collections.read",
  "(app)/collections/[name]/queries/page.tsx": "collections.read",
  "(app)/collections/[name]/dashboard/page.tsx": "benchmark.read",
  "(app)/collections/[name]/queries/new/page.tsx": "queries.write",
  "(app)/collections/[name]/queries/[queryId]/edit/page.tsx": "queries.write",
  "(judge)/collections/[name]/queries/[queryId]/page.tsx": "judgments.write",
  "(judge)/collections/[name]/queries/[queryId]/judged/page.tsx": "judgments.write",
  "(app)/collections/[name]/agreement/page.tsx": "agreement.assign",
  "(judge)/collections/[name]/adjudicate/page.tsx": "judgments.adjudicate",
  "(app)/collections/[name]/rerank/page.tsx": "rerank.manage",
  "(app)/collections/[name]/splits/page.tsx": "queries.set-split",
  "(app)/collections/[name]/export/page.tsx": "exports.create",
  "(app)/collections/[name]/runs/page.tsx": "eval.read",
  "(app)/collections/[name]/runs/[runId]/report/page.tsx": "eval.read",
  "(app)/import/page.tsx": "collections.import",
  "(app)/models/page.tsx": "models.register",
  "(app)/admin/users/page.tsx": "experts.manage",
};

/** Every route handler method ("METHOD /api/...", by its folder under app/) and what it needs. */
export const ROUTES: Record<string, Needs> = {
  // better-auth's own endpoints (sign-in, sign-out, the session): it decides, and limits sign-in itself
  "GET /api/auth/[...all]": "public",
  "POST /api/auth/[...all]": "public",
  "GET /api/health": "public",
  "GET /api/collections": "collections.read",
  "GET /api/collections/[name]/images": "collections.read",
  "GET /api/collections/[name]/images/[imageId]": "collections.read",
  "GET /api/collections/[name]/images/[imageId]/original": "collections.read",
  "GET /api/collections/[name]/images/[imageId]/thumbnail": "collections.read",
  "GET /api/collections/[name]/taxa": "collections.read",
  "GET /api/collections/[name]/search": "collections.read",
  "GET /api/collections/[name]/embeddings": "collections.read",
  "POST /api/collections/[name]/embeddings": "embeddings.start",
  "GET /api/collections/[name]/queries": "collections.read",
  "GET /api/collections/[name]/dashboard": "benchmark.read",
  "POST /api/collections/[name]/queries": "queries.write",
  "POST /api/collections/[name]/queries/import": "queries.import",
  "GET /api/collections/[name]/queries/[queryId]": "collections.read",
  "PATCH /api/collections/[name]/queries/[queryId]": "queries.write",
  "GET /api/collections/[name]/queries/[queryId]/judgments": "collections.read",
  "POST /api/collections/[name]/queries/[queryId]/judgments": "judgments.write",
  "GET /api/collections/[name]/queries/[queryId]/progress": "collections.read",
  "GET /api/collections/[name]/queries/[queryId]/learning": "collections.read",
  "POST /api/collections/[name]/queries/[queryId]/learning": "judgments.write",
  "POST /api/collections/[name]/queries/[queryId]/status": "queries.finish",
  "POST /api/collections/[name]/queries/[queryId]/queue": "judgments.write",
  "POST /api/collections/[name]/queries/[queryId]/queue/release": "judgments.write",
  "GET /api/collections/[name]/agreement": "benchmark.read",
  "POST /api/collections/[name]/queries/[queryId]/overlap": "agreement.assign",
  "GET /api/collections/[name]/adjudications": "judgments.adjudicate",
  "POST /api/collections/[name]/adjudications": "judgments.adjudicate",
  "GET /api/collections/[name]/rerank-sets": "rerank.manage",
  "POST /api/collections/[name]/rerank-sets": "rerank.manage",
  "GET /api/collections/[name]/rerank-sets/[version]": "rerank.manage",
  "POST /api/collections/[name]/splits": "queries.set-split",
  "GET /api/collections/[name]/exports": "exports.create",
  "POST /api/collections/[name]/exports": "exports.create",
  "GET /api/collections/[name]/exports/[exportId]": "exports.create",
  "GET /api/collections/[name]/exports/[exportId]/archive": "exports.create",
  "GET /api/collections/[name]/runs": "eval.read",
  "POST /api/collections/[name]/runs": "eval.run",
  "POST /api/collections/[name]/runs/import": "eval.run",
  "GET /api/collections/[name]/runs/[runId]": "eval.read",
  "POST /api/imports": "collections.import",
  "GET /api/imports/[jobId]": "collections.import",
  "GET /api/models": "collections.read",
  "POST /api/models": "models.register",
  "GET /api/models/fetch": "models.register",
  "POST /api/models/fetch": "models.register",
  "GET /api/models/fetch/[jobId]": "models.register",
};

/** Every server action ("file#export", the file under the repository) and what it needs. */
export const ACTIONS: Record<string, Needs> = {
  "app/(auth)/actions.ts#signIn": "public",
  "app/(auth)/actions.ts#signOut": "public",
  "app/(auth)/actions.ts#setUpFirstAdmin": "public",
  "app/(app)/admin/users/actions.ts#addUser": "experts.manage",
  "app/(app)/collections/[name]/queries/actions.ts#saveQuery": "queries.write",
  "app/(app)/collections/[name]/queries/[queryId]/edit/actions.ts#changeQueryStatus": "queries.finish",
  "app/(app)/collections/[name]/agreement/actions.ts#sendOverlap": "agreement.assign",
  "app/(app)/collections/[name]/rerank/actions.ts#pinRerankModel": "rerank.manage",
  "app/(app)/collections/[name]/rerank/actions.ts#rebuildRerankVersion": "rerank.manage",
  "app/(app)/collections/[name]/splits/actions.ts#drawCollectionSplits": "queries.set-split",
  "app/(app)/collections/[name]/splits/actions.ts#moveQuerySplit": "queries.set-split",
  "app/(app)/collections/[name]/runs/actions.ts#startRunAction": "eval.run",
};

export const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

function filesUnder(dir: string, keep: (name: string) => boolean, skipPrivate = false): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // Next routes nothing under a folder named _x (app/api/_lib holds route.ts, the wrapper)
    if (entry.isDirectory()) {
      if (!(skipPrivate && entry.name.startsWith("_"))) found.push(...filesUnder(full, keep, skipPrivate));
    } else if (keep(entry.name)) found.push(full);
  }
  return found.sort();
}

const relative = (from: string, file: string) => path.relative(from, file).split(path.sep).join("/");

/** The URL path of a file under app/: route groups "(x)" are not part of it. */
export function urlPattern(fileUnderApp: string): string {
  const segments = fileUnderApp.split("/").slice(0, -1);
  for (const s of segments)
    if (s.startsWith("@") || /^\(\.+\)/.test(s))
      throw new Error(`${fileUnderApp}: parallel and intercepting routes are not walked yet; teach tests/access`);
  return "/" + segments.filter((s) => !/^\(.*\)$/.test(s)).join("/");
}

/** app/**\/page.tsx, as keys of PAGES. */
export function findPages(): string[] {
  return filesUnder(APP, (n) => /^page\.(tsx|ts|jsx|js)$/.test(n), true).map((f) => relative(APP, f));
}

/** Every method every app/api/**\/route.ts exports, as keys of ROUTES. */
export function findRoutes(): string[] {
  const found: string[] = [];
  for (const file of filesUnder(path.join(APP, "api"), (n) => /^route\.(ts|js)$/.test(n), true)) {
    const source = fs.readFileSync(file, "utf8");
    const pattern = urlPattern(relative(APP, file));
    const exported = /export\s+(?:const|let|async\s+function|function)\s+([A-Z]+)\b/g;
    for (const [, method] of source.matchAll(exported))
      if (METHODS.includes(method)) found.push(`${method} ${pattern}`);
    if (/export\s*\{/.test(source)) throw new Error(`${file}: export its methods as \`export const GET = ...\``);
  }
  return found.sort();
}

/**
 * Every server action the source defines: the exports of each "use server" file under app/ and lib/.
 * A "use server" inside a function (an inline action) fails here: give it a file and an entry.
 */
export function findActions(): string[] {
  const found: string[] = [];
  const sources = [APP, path.join(ROOT, "lib")].flatMap((d) => filesUnder(d, (n) => /\.(tsx?|jsx?|mjs)$/.test(n)));
  for (const file of sources) {
    const source = fs.readFileSync(file, "utf8");
    if (!/["']use server["']/.test(source)) continue;
    const body = source.replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, "");
    if (!/^["']use server["']/.test(body))
      throw new Error(`${file}: an inline "use server" action; move it to an actions.ts and map it in tests/access`);
    for (const [, name] of body.matchAll(/export\s+(?:const|let|async\s+function|function)\s+(\w+)/g))
      found.push(`${relative(ROOT, file)}#${name}`);
  }
  return found.sort();
}

export type ManifestAction = { id: string; key: string; pages: string[] };

/** The server actions the built app answers to (.next's manifest), with the pages that can run each. */
export function builtActions(): ManifestAction[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8"));
  return Object.entries(
    manifest.node as Record<string, { filename?: string; exportedName?: string; workers: Record<string, unknown> }>,
  ).map(([id, entry]) => ({
    id,
    key: `${entry.filename}#${entry.exportedName}`,
    // "app/(app)/admin/users/page" -> "(app)/admin/users/page.tsx", a key of PAGES
    pages: Object.keys(entry.workers)
      .filter((w) => w.startsWith("app/") && w.endsWith("/page"))
      .map((w) => `${w.slice("app/".length)}.tsx`),
  }));
}

export type Seeded = { collection: string; imageId: string; queryId: string; jobId: string };

/** A URL pattern with its dynamic segments filled from the seeded data. */
export function fill(pattern: string, seeded: Seeded): string {
  const values: Record<string, string> = {
    "[name]": seeded.collection,
    "[imageId]": seeded.imageId,
    "[queryId]": seeded.queryId,
    "[jobId]": seeded.jobId,
    "[exportId]": "1", // no export 1 is seeded: those allowed get a 404, the rest 401/403
    "[version]": "1", // a rerank set version: none is seeded, so a permitted request is answered 404
    "[runId]": "1", // the finished run access-control.test.ts seeds, so its report page answers 200 to readers
  };
  return pattern
    .split("/")
    .map((s) => {
      if (!s.startsWith("[")) return s;
      if (!(s in values)) throw new Error(`${pattern}: no seeded value for ${s}; add one in tests/access/routes.ts`);
      return encodeURIComponent(values[s]);
    })
    .join("/");
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, permissionMessage } from "@/lib/auth/permissions";
import { SIGN_IN_LIMIT } from "@/lib/auth/rate-limit";
import type { Role } from "@/lib/auth/roles";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { createQuery } from "@/lib/queries/queries";
import { ADMIN, EXPERT, startTestApp, type TestApp } from "../helpers/app";
import { browserEnabled } from "../helpers/services";
import {
  actionResult,
  callAction,
  cookieFrom,
  OTHER_CLIENT_ADDRESS,
  PROXY_ADDRESS,
  redirectPath,
  send,
  sessionToken,
  setCookies,
  type Answer,
} from "./client";
import {
  ACTIONS,
  builtActions,
  fill,
  findActions,
  findPages,
  findRoutes,
  PAGES,
  ROUTES,
  STATE_CHANGING,
  urlPattern,
  type ManifestAction,
  type Needs,
  type Seeded,
} from "./routes";

// Access control, against the real app as `fieldmark start` runs it (the built app in two web
// processes): every page, route handler and server action, found on the file system, asked by someone
// signed out (no cookie, a signed-out session, an expired one) and by an expert, a lead and an admin,
// each answer checked against lib/auth/permissions through tests/access/routes.ts. Then what the table
// cannot say: sign-out seen by every process at once, sign-in limited per client whatever
// X-Forwarded-For claims, cookie attributes, cross-site requests refused.

const SKIP_REASON = "access control against the built app (skipped: set FIELDMARK_TEST_BROWSER=1 to run it)";

// the app's environment (startTestApp passes this process's on): two web processes, and one proxy
process.env.FIELDMARK_WEB_WORKERS = "2";
process.env.FIELDMARK_TRUSTED_PROXIES = PROXY_ADDRESS;
// Vitest sets TEST=true, which better-auth reads as "under test" and then skips its own Origin checks;
// the app here should be the production one.
delete process.env.TEST;

const LEAD = { email: "lead@example.org", name: "Lee Lead", password: "lead-password-1", role: "lead" as const };
const QUERY_TEXT = "walk-query: a swallowtail feeding on a thistle";
const DESCRIPTION = "A small test collection: butterflies, birds and an oak"; // the seed's, never shown signed out
const SECRETS = [QUERY_TEXT, DESCRIPTION, ADMIN.email, EXPERT.email, LEAD.email];

type Who = { label: string; role: Role | null; cookie?: string; client: string };

const isRedirect = (status: number) => status >= 300 && status < 400;
const SIGNED_OUT_API = JSON.stringify({ error: "Sign in first" });
/** Concrete endpoints for better-auth's catch-all route. */
const AUTH_PATHS: Record<string, string> = {
  "GET /api/auth/[...all]": "/api/auth/get-session",
  "POST /api/auth/[...all]": "/api/auth/sign-in/email",
};

function describeAnswer(a: Answer, appUrl: string): string {
  const where = redirectPath(a, appUrl);
  return `${a.status}${where ? ` -> ${where}` : ""} ${a.body.slice(0, 160).replace(/\s+/g, " ")}`;
}

describe.skipIf(!browserEnabled)(browserEnabled ? "access control" : SKIP_REASON, () => {
  let app: TestApp;
  let seeded: Seeded;
  let people: Who[];
  let checked = 0;
  let nextClient = 10;
  /** a made-up client address: each sign-in comes "through the proxy" for its own client */
  const newClient = () => `198.51.100.${nextClient++}`;

  async function signIn(who: { email: string; password: string }, client = newClient()): Promise<string> {
    const answer = await send(`${app.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: who.email, password: who.password }),
      viaProxyFor: client,
    });
    expect(answer.status, describeAnswer(answer, app.url)).toBe(200);
    return cookieFrom(answer);
  }

  const apiAs = (cookie: string, path = "/api/collections", client = newClient()) =>
    send(`${app.url}${path}`, { headers: { cookie }, viaProxyFor: client });

  beforeAll(async () => {
    app = await startTestApp();
    await createUser(LEAD);
    const query = await createQuery(app.collection!.id, { text: QUERY_TEXT }, null);
    // a finished model run (id 1, with nothing scored) for the runs/[runId] pages to show
    await db().query(
      "INSERT INTO eval_runs (collection_id, name, kind, model_name, status) VALUES ($1, 'seeded', 'full-rank', 'seeded', 'done')",
      [app.collection!.id],
    );
    const job = await db().query<{ id: string }>("SELECT gen_random_uuid()::text AS id");
    seeded = {
      collection: app.collection!.name,
      imageId: app.collection!.images[0].sourceId,
      queryId: query.id,
      jobId: job.rows[0].id,
    };

    // signed out three ways: no cookie; a session signed out; one expired. Both sessions are used first
    // (on fresh connections, so by both web processes), so each process remembers them.
    const signedOut = await signIn(EXPERT);
    const expired = await signIn(EXPERT);
    for (let i = 0; i < 4; i++) {
      expect((await apiAs(signedOut)).status).toBe(200);
      expect((await apiAs(expired)).status).toBe(200);
    }
    const out = await send(`${app.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { cookie: signedOut, origin: app.url, "content-type": "application/json" },
      body: "{}",
      viaProxyFor: newClient(),
    });
    expect(out.status, describeAnswer(out, app.url)).toBe(200);
    const ended = await db().query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token = $1", [
      sessionToken(expired),
    ]);
    expect(ended.rowCount).toBe(1);

    people = [
      { label: "signed out", role: null, client: newClient() },
      { label: "a signed-out session", role: null, cookie: signedOut, client: newClient() },
      { label: "an expired session", role: null, cookie: expired, client: newClient() },
      { label: "expert", role: "expert", cookie: await signIn(EXPERT), client: newClient() },
      { label: "lead", role: "lead", cookie: await signIn(LEAD), client: newClient() },
      { label: "admin", role: "admin", cookie: await signIn(ADMIN), client: newClient() },
    ];
  }, 900_000);

  afterAll(async () => {
    if (checked) console.log(`access control: ${checked} (page, route or action; who) pairs checked`);
    await app?.stop();
  });

  it("maps every page, route handler method and server action to what it needs", () => {
    const compare = (kind: string, found: string[], mapped: Record<string, Needs>) => {
      const missing = found.filter((k) => !(k in mapped));
      const stale = Object.keys(mapped).filter((k) => !found.includes(k));
      expect({ kind, missing, stale }).toEqual({ kind, missing: [], stale: [] });
    };
    compare("pages (tests/access/routes.ts PAGES)", findPages(), PAGES);
    compare("route handlers (ROUTES)", findRoutes(), ROUTES);
    const built = builtActions().map((a) => a.key);
    compare("server actions (ACTIONS)", [...new Set([...findActions(), ...built])].sort(), ACTIONS);
    expect(findPages().length).toBeGreaterThanOrEqual(15);
    expect(findRoutes().length).toBeGreaterThanOrEqual(26);
  });

  it("answers every page as the table says: sign-in for the signed out, 403 for a role without it", async () => {
    const failures: string[] = [];
    for (const file of findPages()) {
      const needs = PAGES[file];
      const path = fill(urlPattern(file), seeded);
      for (const who of people) {
        const answer = await send(app.url + path, {
          headers: who.cookie ? { cookie: who.cookie } : {},
          viaProxyFor: who.client,
        });
        checked++;
        const where = redirectPath(answer, app.url);
        const ok =
          needs === "public"
            ? answer.status < 400
            : who.role === null
              ? isRedirect(answer.status) && where === "/sign-in" && !SECRETS.some((s) => answer.body.includes(s))
              : can({ role: who.role }, needs)
                ? answer.status === 200 || (isRedirect(answer.status) && where !== "/sign-in")
                : answer.status === 403;
        if (!ok) failures.push(`${path} (${file}, needs ${needs}) as ${who.label}: ${describeAnswer(answer, app.url)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("answers every route handler method as the table says: 401 signed out, 403 without the permission", async () => {
    const failures: string[] = [];
    for (const key of findRoutes()) {
      const needs = ROUTES[key];
      const [method, pattern] = key.split(" ");
      const path = AUTH_PATHS[key] ?? fill(pattern, seeded);
      for (const who of people) {
        const changes = STATE_CHANGING.has(method);
        const answer = await send(app.url + path, {
          method,
          headers: {
            ...(who.cookie && { cookie: who.cookie }),
            // as the app's own pages send them; the body is never valid, so a permitted request stops at 400
            ...(changes && { origin: app.url, "content-type": "application/json" }),
          },
          body: changes ? JSON.stringify("walk") : undefined,
          viaProxyFor: who.client,
        });
        checked++;
        const ok =
          needs === "public"
            ? answer.status < 500
            : who.role === null
              ? answer.status === 401 && answer.body === SIGNED_OUT_API
              : can({ role: who.role }, needs)
                ? answer.status !== 401 && answer.status !== 403 && answer.status < 500
                : answer.status === 403 && JSON.parse(answer.body).error === permissionMessage(needs);
        if (!ok)
          failures.push(`${method} ${path} (needs ${needs}) as ${who.label}: ${describeAnswer(answer, app.url)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("answers every server action as the table says, called as the browser calls it", async () => {
    const failures: string[] = [];
    const pagePreference = (page: string) =>
      PAGES[page] === "public" ? 0 : PAGES[page] === "collections.read" ? 1 : 2;
    for (const action of builtActions()) {
      const needs = ACTIONS[action.key];
      const page = [...action.pages].sort((a, b) => pagePreference(a) - pagePreference(b))[0];
      const path = fill(urlPattern(page), seeded);
      const signsOut = action.key.endsWith("#signOut");
      for (const who of people) {
        // signing out ends the session it is called with: give each signed-in caller a fresh one
        const cookie =
          signsOut && who.role ? await signIn({ admin: ADMIN, lead: LEAD, expert: EXPERT }[who.role]) : who.cookie;
        const answer = await callAction(app.url, path, action.id, signsOut ? [] : [{}], {
          cookie,
          viaProxyFor: who.client,
        });
        checked++;
        const failure = checkAction(action, needs, who, answer);
        if (failure) failures.push(`${action.key} (needs ${needs}) via ${path} as ${who.label}: ${failure}`);
        if (signsOut && cookie && (await apiAs(cookie)).status !== 401)
          failures.push(`${action.key} as ${who.label}: the session still works after signing out`);
      }
    }
    expect(failures).toEqual([]);
  });

  function checkAction(action: ManifestAction, needs: Needs, who: Who, answer: Answer): string | null {
    const result = actionResult(answer);
    const where = redirectPath(answer, app.url);
    const said = `${describeAnswer(answer, app.url)} (result ${JSON.stringify(result)})`;
    if (answer.status >= 500) return said;
    if (needs === "public") {
      if (action.key.endsWith("#signOut")) return where === "/sign-in" ? null : said;
      // the input ({}) is refused by the action's own schema, which runs for anyone
      return typeof result?.field === "string" ? null : said;
    }
    if (who.role === null) {
      const refused = (isRedirect(answer.status) && where === "/sign-in") || result?.error === "Sign in first";
      return refused && !SECRETS.some((s) => answer.body.includes(s)) ? null : said;
    }
    if (!can({ role: who.role }, needs)) return result?.error === permissionMessage(needs) ? null : said;
    // past the permission check, the action's schema refuses {} naming a field
    return typeof result?.field === "string" && result.error !== permissionMessage(needs) ? null : said;
  }

  it("refuses a session signed out in one web process in every process at once", async () => {
    const cookie = await signIn(EXPERT);
    // eight fresh connections: node:cluster hands them to the two processes in turn
    for (let i = 0; i < 8; i++) expect((await apiAs(cookie)).status).toBe(200);
    const signOut = builtActions().find((a) => a.key.endsWith("#signOut"))!;
    const out = await callAction(app.url, "/collections", signOut.id, [], { cookie, viaProxyFor: newClient() });
    expect(redirectPath(out, app.url)).toBe("/sign-in");
    const after: number[] = [];
    for (let i = 0; i < 8; i++) after.push((await apiAs(cookie)).status);
    expect(after).toEqual(Array(8).fill(401));
    const page = await send(`${app.url}/collections`, { headers: { cookie }, viaProxyFor: newClient() });
    expect(redirectPath(page, app.url)).toBe("/sign-in");
  });

  it("limits sign-in per client: made-up X-Forwarded-For addresses do not escape it, a trusted proxy's do", async () => {
    const attempt = (headers: Record<string, string>, viaProxyFor?: string, password = "wrong-password-9") =>
      send(`${app.url}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ email: LEAD.email, password }),
        viaProxyFor,
      });
    // straight from 127.0.0.1, which is no proxy of ours: fifteen wrong passwords, fifteen made-up addresses
    const statuses: number[] = [];
    for (let i = 1; i <= 15; i++)
      statuses.push(
        (
          await attempt({
            "x-forwarded-for": `203.0.113.${i}`,
            "x-real-ip": `203.0.113.${i}`,
            "x-fieldmark-client-ip": `203.0.113.${i}`,
          })
        ).status,
      );
    expect(statuses).toEqual([...Array(SIGN_IN_LIMIT.max).fill(401), ...Array(15 - SIGN_IN_LIMIT.max).fill(429)]);
    // the right password waits too, and the sign-in form's action counts against the same allowance
    expect((await attempt({}, undefined, LEAD.password)).status).toBe(429);
    const signInAction = builtActions().find((a) => a.key.endsWith("#signIn"))!;
    const viaForm = await callAction(app.url, "/sign-in", signInAction.id, [
      { email: LEAD.email, password: LEAD.password, next: "/" },
    ]);
    expect(String(actionResult(viaForm)?.error)).toMatch(
      /^Too many sign-in attempts from here: try again in \d+ seconds$/,
    );
    expect(setCookies(viaForm)).toEqual([]);

    // through the trusted proxy, each forwarded client has its own allowance...
    const distinct: number[] = [];
    for (let i = 1; i <= 15; i++) distinct.push((await attempt({}, `192.0.2.${i}`)).status);
    expect(distinct).toEqual(Array(15).fill(401));
    // ...and one client behind it is limited like any other
    const same: number[] = [];
    for (let i = 1; i <= SIGN_IN_LIMIT.max + 1; i++) same.push((await attempt({}, "192.0.2.77")).status);
    expect(same.at(-1)).toBe(429);
  });

  it("sets the session cookie HttpOnly and SameSite=Lax, Secure when the page came over HTTPS", async () => {
    const sessionCookie = (a: Answer) => {
      const line = setCookies(a).find((c) => c.includes("session_token="));
      expect(line, describeAnswer(a, app.url)).toBeDefined();
      return line!.split(";").map((p) => p.trim().toLowerCase());
    };
    const signInOver = (headers: Record<string, string>, viaProxyFor?: string) =>
      send(`${app.url}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ email: EXPERT.email, password: EXPERT.password }),
        viaProxyFor: viaProxyFor ?? newClient(),
      });
    const plain = sessionCookie(await signInOver({}));
    expect(plain).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/", `max-age=${7 * 24 * 3600}`]));
    expect(plain).not.toContain("secure");
    // behind the trusted proxy, which says the browser used HTTPS
    expect(sessionCookie(await signInOver({ "x-forwarded-proto": "https" }))).toEqual(
      expect.arrayContaining(["httponly", "samesite=lax", "secure"]),
    );
    // anyone else saying so is not believed (the page really came over plain HTTP)
    const claimed = await send(`${app.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
      body: JSON.stringify({ email: EXPERT.email, password: EXPERT.password }),
      from: OTHER_CLIENT_ADDRESS, // not 127.0.0.1, whose sign-in allowance the test above used up
    });
    expect(sessionCookie(claimed)).not.toContain("secure");

    // the sign-in form (a server action, whose cookie Next sets) the same way
    const signInAction = builtActions().find((a) => a.key.endsWith("#signIn"))!;
    const form = (viaProxyFor: string, headers: Record<string, string> = {}) =>
      send(`${app.url}/sign-in`, {
        method: "POST",
        headers: {
          "next-action": signInAction.id,
          accept: "text/x-component",
          "content-type": "text/plain;charset=UTF-8",
          origin: app.url,
          ...headers,
        },
        body: JSON.stringify([{ email: EXPERT.email, password: EXPERT.password, next: "/collections" }]),
        viaProxyFor,
      });
    const viaForm = await form(newClient());
    expect(redirectPath(viaForm, app.url)).toBe("/collections");
    expect(sessionCookie(viaForm)).toEqual(expect.arrayContaining(["httponly", "samesite=lax"]));
    expect(sessionCookie(viaForm)).not.toContain("secure");
    expect(sessionCookie(await form(newClient(), { "x-forwarded-proto": "https" }))).toContain("secure");
  });

  it("refuses every state-changing route and a server action from another site's page", async () => {
    const admin = people.find((p) => p.role === "admin")!;
    const failures: string[] = [];
    for (const key of findRoutes()) {
      const [method, pattern] = key.split(" ");
      if (!STATE_CHANGING.has(method)) continue;
      const path = AUTH_PATHS[key] ?? fill(pattern, seeded);
      const crossSite: Record<string, string>[] = [
        { origin: "https://evil.example" },
        { "sec-fetch-site": "cross-site" },
      ];
      for (const headers of crossSite) {
        const answer = await send(app.url + path, {
          method,
          headers: { cookie: admin.cookie!, "content-type": "application/json", ...headers },
          body: JSON.stringify({ email: "x@example.org", password: "whatever-1" }),
          viaProxyFor: admin.client,
        });
        checked++;
        // route() answers 403; better-auth's own endpoints refuse a foreign or missing origin with 403 too
        if (answer.status !== 403)
          failures.push(`${key} with ${JSON.stringify(headers)}: ${describeAnswer(answer, app.url)}`);
      }
    }
    expect(failures).toEqual([]);

    // a valid add-user form, posted from another site as the admin's browser would: Next refuses it
    const addUser = builtActions().find((a) => a.key.endsWith("#addUser"))!;
    const forged = await callAction(
      app.url,
      "/admin/users",
      addUser.id,
      [{ email: "forged@example.org", name: "Forged", password: "forged-password-1", role: "admin" }],
      { cookie: admin.cookie, origin: "https://evil.example", viaProxyFor: admin.client },
    );
    expect(forged.status, describeAnswer(forged, app.url)).toBeGreaterThanOrEqual(400);
    const made = await db().query("SELECT 1 FROM users WHERE email = 'forged@example.org'");
    expect(made.rowCount).toBe(0);
  });
});

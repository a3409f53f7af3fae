import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAuth } from "@/lib/auth/auth";
import { CLIENT_IP_HEADER } from "@/lib/auth/forwarding.mjs";
import { consumeRateLimit, consumeSignInAttempt, SIGN_IN_LIMIT } from "@/lib/auth/rate-limit";
import { createUser } from "@/lib/auth/users";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

// Sign-in is limited per client in the database, so every web process counts the same attempts; the
// client is the address bin/web-server.mjs put in x-fieldmark-client-ip, whatever X-Forwarded-For says.

process.env.BETTER_AUTH_SECRET ??= "fieldmark-test-secret-not-for-production-use";

const signIn = (client: string, forwardedFor: string, password = "wrong-password") =>
  getAuth().handler(
    new Request("http://localhost/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", [CLIENT_IP_HEADER]: client, "x-forwarded-for": forwardedFor },
      body: JSON.stringify({ email: "limit@example.org", password }),
    }),
  );

describe.each(dbKinds)("rate limits on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await createUser({ email: "limit@example.org", name: "Limit", password: "right-password", role: "expert" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("allow max requests per window and key, counted atomically", async () => {
    const rule = { window: 60, max: 10 };
    const decisions = await Promise.all(Array.from({ length: 25 }, () => consumeRateLimit("a|/x", rule)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    for (const refused of decisions.filter((d) => !d.allowed)) {
      expect(refused.retryAfter).toBeGreaterThan(0);
      expect(refused.retryAfter).toBeLessThanOrEqual(60);
    }
    expect((await consumeRateLimit("b|/x", rule)).allowed).toBe(true); // another client, its own allowance
  });

  it("start again once the window is over", async () => {
    const rule = { window: 1, max: 1 };
    expect((await consumeRateLimit("c|/x", rule)).allowed).toBe(true);
    expect((await consumeRateLimit("c|/x", rule)).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await consumeRateLimit("c|/x", rule)).allowed).toBe(true);
  });

  it("answer 429 to a client's sign-ins past the limit, however many addresses it makes up", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await signIn("198.51.100.1", `203.0.113.${i + 1}`)).status);
    expect(statuses.slice(0, SIGN_IN_LIMIT.max)).toEqual(Array(SIGN_IN_LIMIT.max).fill(401));
    expect(statuses.slice(SIGN_IN_LIMIT.max)).toEqual(Array(15 - SIGN_IN_LIMIT.max).fill(429));
    // even the right password waits now
    const blocked = await signIn("198.51.100.1", "203.0.113.200", "right-password");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("x-retry-after"))).toBeGreaterThan(0);
    // the sign-in form's action draws on the same allowance
    const viaForm = await consumeSignInAttempt(new Headers({ [CLIENT_IP_HEADER]: "198.51.100.1" }), getAuth().options);
    expect(viaForm.allowed).toBe(false);
    // another client is not held up by it
    expect((await signIn("198.51.100.2", "203.0.113.1", "right-password")).status).toBe(200);
  });
});

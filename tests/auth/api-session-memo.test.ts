import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getAuth } from "@/lib/auth/auth";
import { requireApiUser } from "@/lib/auth/session";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

// Route handlers remember a session better-auth accepted for a few seconds (the judging grid sends a
// request per judgment and 60 thumbnail requests per page), so better-auth is asked once, not every
// time. What they remember is still checked against the sessions table on every request: a session
// ended anywhere (another web process signing out, an expiry, a role change) is seen at once.

process.env.BETTER_AUTH_SECRET ??= "fieldmark-test-secret-not-for-production-use";
const request = (cookie: string) => new Request("http://localhost/api/collections", { headers: { cookie } });

async function signInCookie(email: string, password: string): Promise<string> {
  const { headers } = await getAuth().api.signInEmail({ body: { email, password }, returnHeaders: true });
  return headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

describe("remembered API sessions", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    await createUser({ email: "memo@example.org", name: "Memo", password: "memo-password", role: "expert" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("asks better-auth once, then answers from memory", async () => {
    const cookie = await signInCookie("memo@example.org", "memo-password");
    const getSession = vi.spyOn(getAuth().api, "getSession");
    try {
      for (let i = 0; i < 5; i++)
        expect(await requireApiUser(request(cookie))).toMatchObject({ email: "memo@example.org", role: "expert" });
      expect(getSession).toHaveBeenCalledTimes(1);
    } finally {
      getSession.mockRestore();
    }
  });

  it("refuses a remembered session at once once it is signed out behind this process's back", async () => {
    const cookie = await signInCookie("memo@example.org", "memo-password");
    expect(await requireApiUser(request(cookie))).toMatchObject({ email: "memo@example.org" });
    // ended as another web process ends it: better-auth deletes the row, this process's memory is untouched
    await getAuth().api.signOut({ headers: new Headers({ cookie }) });
    expect(((await requireApiUser(request(cookie))) as Response).status).toBe(401);
  });

  it("refuses a remembered session at once once it expires, and sees a role change at once", async () => {
    const cookie = await signInCookie("memo@example.org", "memo-password");
    expect(await requireApiUser(request(cookie), "judgments.read-all")).toBeInstanceOf(Response);
    await db().query("UPDATE users SET role = 'lead' WHERE email = 'memo@example.org'");
    expect(await requireApiUser(request(cookie), "judgments.read-all")).toMatchObject({ role: "lead" });
    await db().query("UPDATE users SET role = 'expert' WHERE email = 'memo@example.org'");
    expect(((await requireApiUser(request(cookie), "judgments.read-all")) as Response).status).toBe(403);

    const token = decodeURIComponent(cookie.split("=")[1]).split(".")[0];
    const expired = await db().query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token = $1", [
      token,
    ]);
    expect(expired.rowCount).toBe(1);
    expect(((await requireApiUser(request(cookie))) as Response).status).toBe(401);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAuth } from "@/lib/auth/auth";
import { forgetApiSession, requireApiUser } from "@/lib/auth/session";
import { createUser } from "@/lib/auth/users";
import { createTestDatabase, type TestDatabase } from "../helpers/db";

// Route handlers remember a session better-auth accepted for a few seconds (the judging grid sends a
// request per judgment and 60 thumbnail requests per page); signing out through the app forgets it.

process.env.BETTER_AUTH_SECRET ??= "fieldmark-test-secret-not-for-production-use";
const request = (cookie: string) => new Request("http://localhost/api/collections", { headers: { cookie } });

describe("remembered API sessions", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers from memory until the app's sign-out forgets it", async () => {
    await createUser({ email: "memo@example.org", name: "Memo", password: "memo-password", role: "expert" });
    const { headers } = await getAuth().api.signInEmail({
      body: { email: "memo@example.org", password: "memo-password" },
      returnHeaders: true,
    });
    const cookie = headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    expect(await requireApiUser(request(cookie))).toMatchObject({ email: "memo@example.org", role: "expert" });
    // ended behind the app's back (another process): still accepted here for at most a few seconds
    await getAuth().api.signOut({ headers: new Headers({ cookie }) });
    expect(await requireApiUser(request(cookie))).toMatchObject({ email: "memo@example.org" });
    // the app's own sign-out forgets it first
    forgetApiSession(new Headers({ cookie }));
    expect(((await requireApiUser(request(cookie))) as Response).status).toBe(401);
  });
});

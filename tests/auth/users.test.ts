import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "better-auth/crypto";
import { getAuth } from "@/lib/auth/auth";
import { requireApiUser } from "@/lib/auth/session";
import { PermissionError } from "@/lib/auth/permissions";
import { countUsers, createFirstAdmin, createUser, createUserAs, listUsers, UserInputError } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

/** Signs in through better-auth and returns the Cookie header a browser would send back. */
async function signInCookie(email: string, password: string): Promise<string> {
  const { headers } = await getAuth().api.signInEmail({ body: { email, password }, returnHeaders: true });
  return headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

// Sessions are signed with this; set here so the tests never write a secret file into the data folder.
process.env.BETTER_AUTH_SECRET ??= "fieldmark-test-secret-not-for-production-use";

const request = (cookie?: string) =>
  new Request("http://localhost/api/collections", { headers: cookie ? { cookie } : {} });

describe.each(dbKinds)("accounts on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("the first admin is made only while there are no users", async () => {
    expect(await countUsers()).toBe(0);
    const admin = await createFirstAdmin({ email: "Ada@Example.org", name: "Ada", password: "correct-horse" });
    expect(admin).toMatchObject({ email: "ada@example.org", role: "admin" });
    expect(await createFirstAdmin({ email: "eve@example.org", name: "Eve", password: "correct-horse" })).toBeNull();
    expect(await countUsers()).toBe(1);
  });

  it("creates users with a role and a password hashed by better-auth", async () => {
    const expert = await createUser({ email: "eli@example.org", name: "Eli", password: "s3cret-pass", role: "expert" });
    await createUser({ email: "lea@example.org", name: "Lea", password: "s3cret-pass", role: "lead" });
    expect(expert.role).toBe("expert");
    const stored = (
      await db().query(
        "SELECT a.password, a.provider_id FROM accounts a JOIN users u ON u.id = a.user_id WHERE u.email = $1",
        ["eli@example.org"],
      )
    ).rows[0];
    expect(stored.provider_id).toBe("credential");
    expect(stored.password).not.toContain("s3cret-pass");
    expect(await verifyPassword({ hash: stored.password, password: "s3cret-pass" })).toBe(true);
    expect((await listUsers()).map((u) => [u.email, u.role])).toEqual([
      ["ada@example.org", "admin"],
      ["eli@example.org", "expert"],
      ["lea@example.org", "lead"],
    ]);
  });

  it("refuses bad input with a clear message", async () => {
    const ok = { email: "new@example.org", name: "New", password: "long-enough", role: "expert" as const };
    await expect(createUser({ ...ok, email: "ELI@example.org" })).rejects.toThrow(/already exists/);
    await expect(createUser({ ...ok, email: "not-an-email" })).rejects.toThrow(UserInputError);
    await expect(createUser({ ...ok, password: "short" })).rejects.toThrow(/at least 8/);
    await expect(createUser({ ...ok, name: " " })).rejects.toThrow(/name/);
    await expect(createUser({ ...ok, role: "owner" as "admin" })).rejects.toThrow(/admin, lead, expert/);
    expect(await countUsers()).toBe(3);
  });

  it("lets a lead add experts only, and an admin any role", async () => {
    const account = (email: string, role: "admin" | "lead" | "expert") => ({
      email,
      name: email,
      password: "long-enough",
      role,
    });
    const lead = { role: "lead" as const };
    expect(await createUserAs(lead, account("by-lead@example.org", "expert"))).toMatchObject({ role: "expert" });
    for (const role of ["lead", "admin"] as const) {
      const refused = await createUserAs(lead, account(`lead-made-${role}@example.org`, role)).catch((e) => e);
      expect(refused).toBeInstanceOf(PermissionError);
      expect(refused).toMatchObject({ field: "role", message: `Only an admin adds ${role} accounts` });
    }
    await expect(createUserAs({ role: "expert" }, account("by-expert@example.org", "expert"))).rejects.toThrow(
      "This needs the admin or lead role",
    );
    expect(await createUserAs({ role: "admin" }, account("by-admin@example.org", "lead"))).toMatchObject({
      role: "lead",
    });
    expect((await listUsers()).filter((u) => /^(lead-made|by-expert)/.test(u.email))).toEqual([]);
  });

  it("signs in with the right password only, and the session carries the role", async () => {
    await expect(
      getAuth().api.signInEmail({ body: { email: "eli@example.org", password: "wrong-password" } }),
    ).rejects.toThrow();
    const cookie = await signInCookie("eli@example.org", "s3cret-pass");
    const session = await getAuth().api.getSession({ headers: new Headers({ cookie }) });
    expect(session?.user).toMatchObject({ email: "eli@example.org", role: "expert" });
  });

  it("has no public sign-up", async () => {
    const res = await getAuth().handler(
      new Request("http://localhost/api/auth/sign-up/email", {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://localhost" },
        body: JSON.stringify({ email: "walk-in@example.org", password: "walk-in-pass", name: "Walk In" }),
      }),
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/sign up is not enabled/i);
    expect((await listUsers()).some((u) => u.email === "walk-in@example.org")).toBe(false);
  });

  it("a user cannot raise their own role", async () => {
    const cookie = await signInCookie("eli@example.org", "s3cret-pass");
    await getAuth()
      .api.updateUser({ body: { role: "admin" } as never, headers: new Headers({ cookie }) })
      .catch(() => {});
    const { rows } = await db().query("SELECT role FROM users WHERE email = 'eli@example.org'");
    expect(rows[0].role).toBe("expert");
  });

  it("route handlers get the user, a 401 when signed out, a 403 for the wrong role", async () => {
    const cookie = await signInCookie("eli@example.org", "s3cret-pass");
    const user = await requireApiUser(request(cookie));
    expect(user).toMatchObject({ email: "eli@example.org", role: "expert" });

    const signedOut = await requireApiUser(request());
    expect(signedOut).toBeInstanceOf(Response);
    expect((signedOut as Response).status).toBe(401);

    const forged = await requireApiUser(request("better-auth.session_token=forged.value"));
    expect((forged as Response).status).toBe(401);

    const wrongRole = await requireApiUser(request(cookie), "users.manage");
    expect((wrongRole as Response).status).toBe(403);
    expect(await (wrongRole as Response).json()).toEqual({ error: "This needs the admin role" });
    expect(
      await requireApiUser(request(await signInCookie("ada@example.org", "correct-horse")), "users.manage"),
    ).toMatchObject({ role: "admin" });
  });

  it("signing out ends the session", async () => {
    const cookie = await signInCookie("lea@example.org", "s3cret-pass");
    await getAuth().api.signOut({ headers: new Headers({ cookie }) });
    expect(((await requireApiUser(request(cookie))) as Response).status).toBe(401);
  });
});

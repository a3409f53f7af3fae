import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAuth } from "@/lib/auth/auth";
import { countUsers, createFirstAdmin } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

// Two first-run setups submitted at once (two tabs, two people on the LAN) must make exactly one
// admin. On the embedded PGlite an advisory lock excludes nobody (every connection is one database
// session); createFirstAdmin counts and inserts in one transaction that locks the users table, which
// holds on both databases. Each call runs on its own pooled connection.

process.env.BETTER_AUTH_SECRET ??= "fieldmark-test-secret-not-for-production-use";

const ROUNDS = 5;

async function admins(): Promise<{ email: string; accounts: number }[]> {
  const r = await db().query(
    `SELECT u.email, (SELECT count(*)::int FROM accounts a WHERE a.user_id = u.id) AS accounts
       FROM users u WHERE u.role = 'admin' ORDER BY u.email`,
  );
  return r.rows;
}

describe.each(dbKinds)("first-admin setups at once on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`three setups at once, ${ROUNDS} times: one admin each time, who can sign in`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await db().query("DELETE FROM users"); // accounts and sessions go with them
      const people = ["ada", "bea", "cy"].map((n) => ({
        email: `${n}-${round}@example.org`,
        name: n,
        password: `${n}-password-${round}`,
      }));
      const results = await Promise.all(people.map((p) => createFirstAdmin(p)));
      const made = results.filter((r) => r !== null);
      expect(made, `round ${round}`).toHaveLength(1);
      expect(await countUsers()).toBe(1);
      expect(await admins()).toEqual([{ email: made[0]!.email, accounts: 1 }]);
      const winner = people.find((p) => p.email === made[0]!.email)!;
      const signedIn = await getAuth().api.signInEmail({ body: { email: winner.email, password: winner.password } });
      expect(signedIn.user).toMatchObject({ email: winner.email, role: "admin" });
    }
  }, 60_000);

  it("the same person submitting twice at once: one admin, the other submission told someone exists", async () => {
    await db().query("DELETE FROM users");
    const ada = { email: "ada@example.org", name: "Ada", password: "ada-password-1" };
    const results = await Promise.all([createFirstAdmin(ada), createFirstAdmin(ada)]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await admins()).toEqual([{ email: "ada@example.org", accounts: 1 }]);
  });
});

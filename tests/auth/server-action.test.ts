import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { CurrentUser } from "@/lib/auth/roles";

// The server-action wrapper: session, permission, zod, and one answer shape. The session is faked
// here (no request, so no cookies): getCurrentUser answers whoever the test says is signed in.

const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const { serverAction, isActionError } = await import("@/lib/actions/server-action");
const { UserInputError } = await import("@/lib/auth/users");
const { QueryInputError } = await import("@/lib/queries/queries");
const { PermissionError } = await import("@/lib/auth/permissions");

const ada: CurrentUser = { id: "u1", email: "ada@example.org", name: "Ada", role: "admin" };
const eli: CurrentUser = { id: "u2", email: "eli@example.org", name: "Eli", role: "expert" };

const schema = z.object({
  email: z.string().pipe(z.email("Enter a valid email address")),
  count: z.coerce.number().int("count is a whole number").default(1),
});
const calls: { input: unknown; user: CurrentUser | null }[] = [];
const addThing = serverAction("users.manage", schema, async (input, user) => {
  calls.push({ input, user });
  return { added: input.email, times: input.count };
});

describe("serverAction", () => {
  beforeEach(() => {
    session.user = null;
    calls.length = 0;
  });

  it("answers { error } when no one is signed in, without running the action", async () => {
    expect(await addThing({ email: "x@example.org" })).toEqual({ error: "Sign in first" });
    expect(calls).toHaveLength(0);
  });

  it("answers { error } for a role without the permission", async () => {
    session.user = eli;
    expect(await addThing({ email: "x@example.org" })).toEqual({ error: "This needs the admin role" });
    expect(calls).toHaveLength(0);
  });

  it("answers a zod failure as { error, field } naming the field", async () => {
    session.user = ada;
    const result = await addThing({ email: "not-an-email" });
    expect(result).toEqual({ error: "Enter a valid email address", field: "email" });
    expect(isActionError(result)).toBe(true);
    expect(calls).toHaveLength(0);
  });

  it("answers the action's own value, with the parsed input and the user", async () => {
    session.user = ada;
    const result = await addThing({ email: "new@example.org", count: 3 });
    expect(result).toEqual({ added: "new@example.org", times: 3 });
    expect(isActionError(result)).toBe(false);
    expect(calls).toEqual([{ input: { email: "new@example.org", count: 3 }, user: ada }]);
  });

  it("takes form data as useActionState sends it (previous state, form), and echoes all but passwords on error", async () => {
    session.user = ada;
    const form = new FormData();
    form.set("email", "form@example.org");
    form.set("count", "2");
    expect(await addThing(null, form)).toEqual({ added: "form@example.org", times: 2 });

    const bad = new FormData();
    bad.set("email", "form@example.org");
    bad.set("count", "2.5");
    bad.set("password", "secret-password");
    expect(await addThing({ error: "an earlier one" }, bad)).toEqual({
      error: "count is a whole number",
      field: "count",
      values: { email: "form@example.org", count: "2.5" },
    });
  });

  it("answers lib's input errors as { error, field } and lets anything else through", async () => {
    session.user = ada;
    const failing = (e: Error) => serverAction("users.manage", z.object({}), async () => Promise.reject(e));
    expect(await failing(new UserInputError("A user with the email a@b.c already exists", "email"))({})).toEqual({
      error: "A user with the email a@b.c already exists",
      field: "email",
    });
    expect(await failing(new QueryInputError("Write the query text", "text"))({})).toEqual({
      error: "Write the query text",
      field: "text",
    });
    expect(
      await failing(new PermissionError("queries.set-split", "Only leads and admins set a query's split", "split"))({}),
    ).toEqual({
      error: "Only leads and admins set a query's split",
      field: "split",
    });
    // a database error, or Next's redirect: not the form's business
    await expect(failing(new Error("connection refused"))({})).rejects.toThrow("connection refused");
  });

  it("runs a public action with no session and no user", async () => {
    const seen: unknown[] = [];
    const hello = serverAction("public", z.object({ name: z.string().min(1, "Enter a name") }), async (input, user) => {
      seen.push(user);
      return { hello: input.name };
    });
    expect(await hello({ name: "Ada" })).toEqual({ hello: "Ada" });
    expect(seen).toEqual([null]);
    expect(await hello({ name: "" })).toEqual({ error: "Enter a name", field: "name" });
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { can, permissionMessage, type Permission } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/roles";

// The route-handler wrapper: permission first, then the handler; null lookups become 404s and an
// unexpected throw a 500 that carries an id and nothing else. The session is faked: a request's
// x-test-role header says who is signed in (none: signed out).

vi.mock("@/lib/auth/session", () => ({
  requireApiUser: async (request: Request, permission?: Permission): Promise<CurrentUser | Response> => {
    const role = request.headers.get("x-test-role") as CurrentUser["role"] | null;
    if (!role) return Response.json({ error: "Sign in first" }, { status: 401 });
    if (permission && !can({ role }, permission))
      return Response.json({ error: permissionMessage(permission) }, { status: 403 });
    return { id: `${role}-1`, email: `${role}@example.org`, name: role, role };
  },
}));

const { found, route } = await import("@/app/api/_lib/route");
const { PermissionError } = await import("@/lib/auth/permissions");

const call = (
  handler: (request: Request, ctx: { params: Promise<{ name: string }> }) => Promise<Response>,
  opts: { role?: string; method?: string; path?: string } = {},
) =>
  handler(
    new Request(`http://localhost${opts.path ?? "/api/collections/oaks/things?q=secret"}`, {
      method: opts.method ?? "GET",
      headers: opts.role ? { "x-test-role": opts.role } : {},
    }),
    { params: Promise.resolve({ name: "oaks" }) },
  );

describe("route", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("checks the permission before the handler runs: 401 signed out, 403 without it", async () => {
    const ran = vi.fn();
    const handler = route<{ name: string }>("users.manage", async () => {
      ran();
      return Response.json({ ok: true });
    });
    const signedOut = await call(handler);
    expect(signedOut.status).toBe(401);
    const expert = await call(handler, { role: "expert" });
    expect(expert.status).toBe(403);
    expect(await expert.json()).toEqual({ error: "This needs the admin role" });
    expect(ran).not.toHaveBeenCalled();
    const admin = await call(handler, { role: "admin" });
    expect(admin.status).toBe(200);
    expect(ran).toHaveBeenCalledTimes(1);
  });

  it("hands the handler its params, awaited, and the user", async () => {
    const handler = route<{ name: string }>("collections.read", async (_request, { params, user }) =>
      Response.json({ name: params.name, user: user.email }),
    );
    expect(await (await call(handler, { role: "expert" })).json()).toEqual({
      name: "oaks",
      user: "expert@example.org",
    });
  });

  it("answers a lookup that found nothing with a 404 and its message", async () => {
    const handler = route<{ name: string }>("collections.read", async (_request, { params }) => {
      const collection = found(null as { id: number } | null, `No collection named ${params.name}`);
      return Response.json(collection);
    });
    const res = await call(handler, { role: "lead" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "No collection named oaks" });
    expect(found(0, "zero is a value")).toBe(0);
  });

  it("answers an unexpected throw with 500 and an id, never the message; the log has id, request and stack", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const handler = route<{ name: string }>("collections.read", async () => {
      throw new Error('relation "secret_table" does not exist at /srv/fieldmark/lib/db/client.ts');
    });
    const res = await call(handler, { role: "expert", method: "POST" });
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(Object.keys(body).sort()).toEqual(["error", "id"]);
    expect(body.error).toBe("Internal error");
    expect(body.id).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(body)).not.toMatch(/secret_table|\/srv\//);

    expect(log).toHaveBeenCalledTimes(1);
    const logged = String(log.mock.calls[0][0]);
    expect(logged).toContain(body.id);
    expect(logged).toContain("POST /api/collections/oaks/things");
    expect(logged).not.toContain("q=secret");
    expect(logged).toContain('relation "secret_table" does not exist');
    expect(logged).toMatch(/\n\s+at /); // the stack

    // each failure gets its own id
    const again = await (await call(handler, { role: "expert" })).json();
    expect(again.id).not.toBe(body.id);
  });

  it("answers a PermissionError from lib/ with 403 and its message", async () => {
    const handler = route<{ name: string }>("queries.write", async () => {
      throw new PermissionError("queries.set-split", "Only leads and admins set a query's split", "split");
    });
    const res = await call(handler, { role: "expert" });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "Only leads and admins set a query's split", field: "split" });
  });

  it("lets a public handler run signed out, with no user", async () => {
    const handler = route("public", async (_request, { user }) => Response.json({ user }));
    const res = await handler(new Request("http://localhost/api/health"), { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user: null });
  });
});

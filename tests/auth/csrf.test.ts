import { describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/lib/auth/roles";

// Route handlers refuse a state-changing request another site's page made a browser send (403), before
// the session is looked at; scripts that send no Origin (curl, the CLI) and this site's own pages
// (fetch, sendBeacon) get through. The session is faked: everyone is a signed-in admin.

vi.mock("@/lib/auth/session", () => ({
  requireApiUser: async (): Promise<CurrentUser> => ({ id: "a1", email: "a@example.org", name: "A", role: "admin" }),
}));

const { isCrossSiteRequest, requestOrigin } = await import("@/lib/auth/csrf");
const { route } = await import("@/app/api/_lib/route");

const request = (method: string, headers: Record<string, string>) =>
  new Request("http://localhost:3000/api/collections/oaks/queries", {
    method,
    headers: { host: "fieldmark.lan:3000", ...headers },
  });

describe("cross-site requests", () => {
  it("are told apart by Sec-Fetch-Site and Origin", () => {
    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "http://fieldmark.lan:3001" }, // another port is another origin
      { origin: "https://fieldmark.lan:3000.evil.example" },
      { origin: "null" }, // a sandboxed frame or a data: URL
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site", origin: "http://other.fieldmark.lan:3000" },
      { "sec-fetch-site": "cross-site", origin: "http://fieldmark.lan:3000" }, // the browser's word wins
    ];
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "post"])
      for (const headers of crossSite) expect(isCrossSiteRequest(request(method, headers)), method).toBe(true);

    const allowed: Record<string, string>[] = [
      {}, // curl, the CLI, a script
      { origin: "http://fieldmark.lan:3000" },
      { origin: "http://FIELDMARK.lan:3000", "sec-fetch-site": "same-origin" }, // sendBeacon, fetch
      { "sec-fetch-site": "none" }, // typed into the address bar
      // behind a trusted proxy: the public name is in X-Forwarded-Host
      { origin: "https://bench.example.org", "x-forwarded-host": "bench.example.org" },
    ];
    for (const headers of allowed) expect(isCrossSiteRequest(request("POST", headers))).toBe(false);
    // reading changes nothing: GET and HEAD pass whatever they say
    expect(isCrossSiteRequest(request("GET", { origin: "https://evil.example", "sec-fetch-site": "cross-site" }))).toBe(
      false,
    );
  });

  it("are told from this site's own origin, as the browser reached it", () => {
    expect(requestOrigin(request("POST", {}))).toBe("http://fieldmark.lan:3000");
    expect(
      requestOrigin(request("POST", { "x-forwarded-host": "Bench.example.org", "x-forwarded-proto": "https" })),
    ).toBe("https://bench.example.org");
    expect(requestOrigin(undefined)).toBeNull();
  });

  it("are refused by every route handler with 403 before the handler runs", async () => {
    const ran = vi.fn();
    const handler = route<{ name: string }>("queries.write", async () => {
      ran();
      return Response.json({ ok: true }, { status: 201 });
    });
    const params = { params: Promise.resolve({ name: "oaks" }) };
    const refused = await handler(request("POST", { origin: "https://evil.example" }), params);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "Cross-site request refused" });
    const publicOne = route<{ name: string }, "public">("public", async () => {
      ran();
      return new Response(null, { status: 204 });
    });
    expect((await publicOne(request("DELETE", { "sec-fetch-site": "cross-site" }), params)).status).toBe(403);
    expect(ran).not.toHaveBeenCalled();

    expect((await handler(request("POST", {}), params)).status).toBe(201);
    expect((await handler(request("POST", { origin: "http://fieldmark.lan:3000" }), params)).status).toBe(201);
    expect(ran).toHaveBeenCalledTimes(2);
  });
});

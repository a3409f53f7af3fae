// Cross-site request forgery: another site's page may make a signed-in browser send a form or a fetch
// here, cookies and all. Server actions are checked by Next (Origin against Host); route handlers are
// checked here, by route() (app/api/_lib/route.ts), before the session is even looked at. Browsers say
// where a request came from (Sec-Fetch-Site, Origin), and a page cannot make them lie; a request that
// says neither is not a browser's (curl, the CLI, a script) and carries no one else's cookies, so it is
// let through.

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The first value of a header a proxy may have sent as a list. */
function firstValue(value: string | null): string | null {
  const first = value?.split(",")[0]?.trim();
  return first ? first.toLowerCase() : null;
}

/**
 * Whether a state-changing request (POST, PUT, PATCH, DELETE) came from a page of another site:
 * Sec-Fetch-Site says cross-site or same-site (a sibling subdomain is another site to us), or the
 * Origin is "null" or names another host than this request's (Host, or X-Forwarded-Host, which
 * bin/web-server.mjs passes on only from a trusted proxy). GET and HEAD change nothing.
 */
export function isCrossSiteRequest(request: Request): boolean {
  if (!STATE_CHANGING.has(request.method.toUpperCase())) return false;
  const h = request.headers;
  const site = h.get("sec-fetch-site")?.trim().toLowerCase();
  if (site && site !== "same-origin" && site !== "none") return true;
  const origin = h.get("origin");
  if (origin === null) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return true; // "null" (a sandboxed frame, a data: URL) or anything that is not an origin
  }
  const hosts = [firstValue(h.get("x-forwarded-host")), firstValue(h.get("host"))].filter(Boolean);
  return !hosts.includes(originHost);
}

export const CROSS_SITE_MESSAGE = "Cross-site request refused";

/**
 * The origin the browser used to reach this request ("https://bench.example.org"): the scheme and host
 * Next and bin/web-server.mjs agree on (X-Forwarded-Proto and -Host are a trusted proxy's or the
 * socket's own). better-auth checks a signed-in POST's Origin against it (lib/auth/auth.ts), the same
 * rule as isCrossSiteRequest, whatever name or address the site is reached by.
 */
export function requestOrigin(request: Request | undefined): string | null {
  if (!request) return null;
  const h = request.headers;
  const host = firstValue(h.get("x-forwarded-host")) ?? firstValue(h.get("host"));
  if (!host) return null;
  return `${firstValue(h.get("x-forwarded-proto")) === "https" ? "https" : "http"}://${host}`;
}

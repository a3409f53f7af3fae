import http from "node:http";

// A bare HTTP client for walking the app: every request on its own connection (so node:cluster hands
// them to the web processes in turn), no redirects followed, no cookies kept, and optionally sent from
// another loopback address, the way a reverse proxy on another host would connect.

/** The address the test's "reverse proxy" connects from; the app is started trusting it. */
export const PROXY_ADDRESS = "127.0.0.2";
/** Another loopback address, for a client that is not the proxy and not the usual 127.0.0.1. */
export const OTHER_CLIENT_ADDRESS = "127.0.0.3";

export type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

export type SendOptions = {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** connect from PROXY_ADDRESS, saying the request is for this client (X-Forwarded-For) */
  viaProxyFor?: string;
  /** connect from this loopback address instead (not a proxy of the app's) */
  from?: string;
};

export function send(url: string, opts: SendOptions = {}): Promise<Answer> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.viaProxyFor) headers["x-forwarded-for"] = opts.viaProxyFor;
  if (opts.body !== undefined) headers["content-length"] = String(Buffer.byteLength(opts.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: opts.method ?? "GET",
        headers,
        agent: false,
        ...((opts.viaProxyFor || opts.from) && { localAddress: opts.viaProxyFor ? PROXY_ADDRESS : opts.from }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`${opts.method ?? "GET"} ${url}: no answer in 60 s`)));
    req.end(opts.body);
  });
}

/** The Set-Cookie lines of an answer. */
export function setCookies(answer: Answer): string[] {
  const value = answer.headers["set-cookie"];
  return Array.isArray(value) ? value : value ? [value] : [];
}

/** The Cookie header a browser would send back after this answer. */
export function cookieFrom(answer: Answer): string {
  return setCookies(answer)
    .map((c) => c.split(";")[0])
    .filter((c) => !c.endsWith("="))
    .join("; ");
}

/** The session token (the database's sessions.token) inside a session cookie. */
export function sessionToken(cookie: string): string {
  const value = /session_token=([^;]+)/.exec(cookie)?.[1];
  if (!value) throw new Error(`no session cookie in ${cookie}`);
  return decodeURIComponent(value).split(".")[0];
}

/** Where a redirect answer points, as a path on the app ("" when it is not a redirect). */
export function redirectPath(answer: Answer, appUrl: string): string {
  const location = answer.headers.location ?? answer.headers["x-action-redirect"];
  if (typeof location !== "string" || !location) return "";
  const url = new URL(location.split(";")[0], appUrl);
  return url.origin === new URL(appUrl).origin ? url.pathname : url.toString();
}

/**
 * A server action called the way React's client calls it: a POST to a page that can run it, with the
 * action's id and its arguments as JSON (what encodeReply sends for plain values).
 */
export function callAction(
  appUrl: string,
  pagePath: string,
  actionId: string,
  args: unknown[],
  opts: { cookie?: string; origin?: string; viaProxyFor?: string } = {},
): Promise<Answer> {
  return send(appUrl + pagePath, {
    method: "POST",
    headers: {
      "next-action": actionId,
      accept: "text/x-component",
      "content-type": "text/plain;charset=UTF-8",
      origin: opts.origin ?? appUrl,
      ...(opts.cookie && { cookie: opts.cookie }),
    },
    body: JSON.stringify(args),
    viaProxyFor: opts.viaProxyFor,
  });
}

/** What a server action answered: the object in the flight response that carries its result. */
export function actionResult(answer: Answer): Record<string, unknown> | undefined {
  for (const line of answer.body.split("\n")) {
    const m = /^[0-9a-f]+:(\{.*\})$/.exec(line);
    if (!m) continue;
    try {
      const value = JSON.parse(m[1]) as Record<string, unknown>;
      if (!("a" in value && "b" in value)) return value; // the first row is Next's own (action ref, build id)
    } catch {
      // not a JSON row
    }
  }
  return undefined;
}

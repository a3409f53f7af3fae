// Who is asking, and over what: the client address and the scheme, decided once at the edge of the app
// by bin/web-server.mjs before Next sees the request. Plain JavaScript (with forwarding.d.mts beside it)
// because the web server runs in plain Node; lib/config.ts validates the setting with the same parser.
//
// Next itself passes a client's own X-Forwarded-For, -Proto and -Host through untouched (it fills them
// in from the socket only when they are missing), so without this anyone could name any address, and
// escape a per-client limit by making one up each time. Here they count only from a proxy the admin
// names in FIELDMARK_TRUSTED_PROXIES; from anyone else they are dropped and the socket decides. The
// result goes to the app in one header of our own, which a client cannot set either: it is always
// overwritten.
import net from "node:net";

/** The client's address, as this server decided it (better-auth reads it: lib/auth/auth.ts). */
export const CLIENT_IP_HEADER = "x-fieldmark-client-ip";

const FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"];

/** "::ffff:192.0.2.1" (an IPv4 client on a dual-stack socket) is 192.0.2.1. */
function unmapped(address) {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

function firstValue(value) {
  const text = Array.isArray(value) ? value[0] : value;
  const first = typeof text === "string" ? text.split(",")[0].trim() : "";
  return first || undefined;
}

/**
 * FIELDMARK_TRUSTED_PROXIES: comma-separated IP addresses and CIDR ranges of the reverse proxies in
 * front of the app ("127.0.0.1", "10.0.0.0/24", "fd00::/8"). Empty by default: no proxy is trusted.
 * Anything else throws, naming the entry.
 */
export function parseTrustedProxies(value) {
  const entries = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const list = new net.BlockList();
  for (const entry of entries) {
    const [rawAddress, prefix, ...rest] = entry.split("/");
    const address = unmapped(rawAddress);
    const family = net.isIP(address);
    const bits = family === 4 ? 32 : 128;
    const badPrefix = prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits);
    if (!family || rest.length > 0 || badPrefix)
      throw new Error(`${entry} is not an IP address or a CIDR range (such as 192.0.2.10, 10.0.0.0/24 or fd00::/8)`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return {
    entries,
    has(address) {
      const a = unmapped(address ?? "");
      const family = net.isIP(a);
      return family !== 0 && list.check(a, family === 4 ? "ipv4" : "ipv6");
    },
  };
}

/**
 * Makes a request's forwarding headers true, in place, before Next reads them. From a trusted proxy:
 * the client is the first address in X-Forwarded-For, read from the right, that is not itself a trusted
 * proxy, and the scheme and host are the proxy's X-Forwarded-Proto and -Host. From anyone else the
 * X-Forwarded-* headers are removed (Next then fills them in from the socket) and the client is the
 * socket's address. Either way CLIENT_IP_HEADER is set to the client's address.
 */
export function acceptForwarding(req, trusted) {
  const headers = req.headers;
  const peer = unmapped(req.socket?.remoteAddress ?? "");
  let client = net.isIP(peer) ? peer : undefined;
  let https = !!req.socket?.encrypted;
  if (client && trusted.has(client)) {
    const chain = String(headers["x-forwarded-for"] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    for (let i = chain.length - 1; i >= 0; i--) {
      const hop = unmapped(chain[i]);
      if (!net.isIP(hop)) break; // a made-up entry left of the proxies: the hop after it is as far as we know
      client = hop;
      if (!trusted.has(hop)) break;
    }
    const proto = firstValue(headers["x-forwarded-proto"])?.toLowerCase();
    if (proto === "https" || proto === "http") https = proto === "https";
    headers["x-forwarded-proto"] = https ? "https" : "http";
    const host = firstValue(headers["x-forwarded-host"]);
    if (host) headers["x-forwarded-host"] = host;
    else delete headers["x-forwarded-host"];
  } else {
    for (const name of FORWARDING_HEADERS) delete headers[name];
  }
  if (client) headers[CLIENT_IP_HEADER] = client;
  else delete headers[CLIENT_IP_HEADER];
  return { client, https };
}

const SECURE_ATTRIBUTE = /;\s*secure\s*(?:;|$)/i;

function withSecure(value) {
  if (Array.isArray(value)) return value.map(withSecure);
  const text = String(value);
  return SECURE_ATTRIBUTE.test(text) ? text : `${text}; Secure`;
}

/**
 * For a request that came over HTTPS: every cookie the response sets gets the Secure attribute, so the
 * browser never sends it over plain HTTP. Over plain HTTP (a LAN, localhost) cookies stay as they are:
 * a browser drops a Secure cookie set over HTTP, which would make signing in impossible there.
 */
export function secureCookies(res) {
  const writeHead = res.writeHead;
  res.writeHead = function (...args) {
    const set = this.getHeader("set-cookie");
    if (set !== undefined) this.setHeader("set-cookie", withSecure(set));
    const given = args.find((a, i) => i > 0 && a && typeof a === "object" && !Array.isArray(a));
    if (given)
      for (const key of Object.keys(given)) if (key.toLowerCase() === "set-cookie") given[key] = withSecure(given[key]);
    return writeHead.apply(this, args);
  };
}

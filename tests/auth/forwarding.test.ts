import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { readConfig } from "@/lib/config";
import { acceptForwarding, CLIENT_IP_HEADER, parseTrustedProxies, secureCookies } from "@/lib/auth/forwarding.mjs";

// bin/web-server.mjs decides who is asking and over what before Next reads a header: X-Forwarded-*
// count only from a proxy named in FIELDMARK_TRUSTED_PROXIES, and the client's address reaches the app
// in a header a client cannot set.

const request = (remoteAddress: string, headers: Record<string, string>, encrypted = false) => ({
  headers: { ...headers } as http.IncomingHttpHeaders,
  socket: { remoteAddress, encrypted },
});

describe("FIELDMARK_TRUSTED_PROXIES", () => {
  it("takes addresses and CIDR ranges, IPv4 and IPv6, and nothing else", () => {
    const trusted = parseTrustedProxies(" 192.0.2.10, 10.0.0.0/24 ,fd00::/8,::1");
    expect(trusted.entries).toEqual(["192.0.2.10", "10.0.0.0/24", "fd00::/8", "::1"]);
    for (const yes of ["192.0.2.10", "10.0.0.7", "::ffff:10.0.0.200", "fd00::1", "::1"])
      expect(trusted.has(yes)).toBe(true);
    for (const no of ["192.0.2.11", "10.0.1.1", "fe80::1", "", "localhost", undefined])
      expect(trusted.has(no), String(no)).toBe(false);
    expect(parseTrustedProxies(undefined).entries).toEqual([]);
    expect(parseTrustedProxies("").has("127.0.0.1")).toBe(false);
    for (const bad of ["localhost", "10.0.0.0/33", "fd00::/129", "10.0.0.0/x", "10.0.0/8", "1.2.3.4/8/9", "*"])
      expect(() => parseTrustedProxies(bad), bad).toThrow(`${bad} is not an IP address or a CIDR range`);
  });

  it("is validated with the rest of the environment at start", () => {
    expect(() => readConfig({ ...process.env, FIELDMARK_TRUSTED_PROXIES: "10.0.0.0/24,proxy.lan" })).toThrow(
      "Bad environment variable FIELDMARK_TRUSTED_PROXIES: proxy.lan is not an IP address or a CIDR range",
    );
    expect(() => readConfig({ ...process.env, FIELDMARK_TRUSTED_PROXIES: "10.0.0.0/24" })).not.toThrow();
  });
});

describe("forwarding headers", () => {
  const trusted = parseTrustedProxies("127.0.0.2,10.0.0.0/24");

  it("from anyone else are dropped: the socket names the client", () => {
    const req = request("::ffff:198.51.100.7", {
      "x-forwarded-for": "203.0.113.99",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "evil.example",
      "x-forwarded-port": "443",
      [CLIENT_IP_HEADER]: "203.0.113.98", // a client cannot set ours either
    });
    expect(acceptForwarding(req, trusted)).toEqual({ client: "198.51.100.7", https: false });
    expect(req.headers).toEqual({ [CLIENT_IP_HEADER]: "198.51.100.7" });
  });

  it("from a trusted proxy name the client: the first untrusted address from the right", () => {
    const viaProxy = request("127.0.0.2", {
      "x-forwarded-for": "203.0.113.99, 198.51.100.7, 10.0.0.5", // made up, the real client, an inner proxy
      "x-forwarded-proto": "https",
      "x-forwarded-host": "bench.example.org",
    });
    expect(acceptForwarding(viaProxy, trusted)).toEqual({ client: "198.51.100.7", https: true });
    expect(viaProxy.headers).toMatchObject({
      [CLIENT_IP_HEADER]: "198.51.100.7",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "bench.example.org",
    });
    // no header: the proxy itself is the client; junk left of the proxies stops the walk
    expect(acceptForwarding(request("10.0.0.9", {}), trusted).client).toBe("10.0.0.9");
    expect(acceptForwarding(request("10.0.0.9", { "x-forwarded-for": "junk, 10.0.0.3" }), trusted).client).toBe(
      "10.0.0.3",
    );
    const plain = request("127.0.0.2", { "x-forwarded-for": "198.51.100.7", "x-forwarded-proto": "http, https" });
    expect(acceptForwarding(plain, trusted)).toEqual({ client: "198.51.100.7", https: false });
    expect(acceptForwarding(request("127.0.0.1", {}, true), trusted).https).toBe(true); // TLS on the socket
  });
});

describe("cookies over HTTPS", () => {
  it("get the Secure attribute, however the response set them; over HTTP they stay as they were", async () => {
    const server = http.createServer((req, res) => {
      if (req.url !== "/http") secureCookies(res);
      res.setHeader("set-cookie", ["a=1; Path=/; HttpOnly; SameSite=Lax", "b=2; secure; HttpOnly"]);
      if (req.url === "/https-write-head") res.writeHead(200, { "Set-Cookie": "c=3; Path=/" });
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const cookies = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).headers.getSetCookie();
      expect(await cookies("/https")).toEqual(["a=1; Path=/; HttpOnly; SameSite=Lax; Secure", "b=2; secure; HttpOnly"]);
      expect(await cookies("/https-write-head")).toEqual(["c=3; Path=/; Secure"]); // writeHead's own win, as in Node
      expect(await cookies("/http")).toEqual(["a=1; Path=/; HttpOnly; SameSite=Lax", "b=2; secure; HttpOnly"]);
    } finally {
      server.close();
    }
  });
});

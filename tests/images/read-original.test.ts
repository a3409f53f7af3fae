import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImageAccessError } from "@/lib/images/allowed-roots";
import { imageResponseHeaders, readOriginal } from "@/lib/images/files";
import { sniffImageType } from "@/lib/images/sniff";

// Only image bytes are ever returned, typed by what they are; a remote root follows no redirect off
// its origin and never sends more than the cap. The servers listen on 127.0.0.1 only.

let base: string;
let photos: string;
let jpeg: Buffer;
let png: Buffer;
let root: string; // http://127.0.0.1:<port>/photos/
let otherHits = 0;
let bigSent = 0;
let bigClosed: Promise<void>;
const servers: http.Server[] = [];
const HTML = "<!doctype html><html><body><script>alert(document.cookie)</script></body></html>";

function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-read-"));
  photos = path.join(base, "photos");
  fs.mkdirSync(photos);
  process.env.FIELDMARK_DATA_DIR = path.join(base, "data");
  jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#3a7" } })
    .jpeg()
    .toBuffer();
  png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#3a7" } })
    .png()
    .toBuffer();
  fs.writeFileSync(path.join(photos, "real.jpg"), jpeg);
  fs.writeFileSync(path.join(photos, "png-named.jpg"), png);
  fs.writeFileSync(path.join(photos, "page.jpg"), HTML);
  fs.writeFileSync(path.join(photos, "tiny.jpg"), "GIF"); // shorter than any signature
  fs.writeFileSync(path.join(photos, "big.jpg"), Buffer.concat([jpeg, Buffer.alloc(300_000)]));
  fs.mkdirSync(path.join(photos, "folder.jpg"));

  const other = await listen((_req, res) => {
    otherHits++;
    res.writeHead(200, { "content-type": "image/jpeg" }).end(jpeg);
  });
  let resolveBig: () => void;
  bigClosed = new Promise((r) => (resolveBig = r));
  const origin = await listen((req, res) => {
    const send = (status: number, headers: http.OutgoingHttpHeaders, body?: string | Buffer) =>
      res.writeHead(status, headers).end(body);
    switch (req.url) {
      case "/photos/real.jpg": // the remote's type is a lie: the bytes decide
        return send(200, { "content-type": "text/html" }, jpeg);
      case "/photos/page.jpg":
        return send(200, { "content-type": "image/jpeg" }, HTML);
      case "/photos/moved.jpg":
        return send(302, { location: "/photos/real.jpg" });
      case "/photos/moved-twice.jpg":
        return send(301, { location: `${root}moved.jpg` });
      case "/photos/away.jpg":
        return send(302, { location: `${other}/real.jpg` });
      case "/photos/loop.jpg":
        return send(307, { location: "/photos/loop.jpg" });
      case "/photos/missing.jpg":
        return send(404, { "content-type": "text/html" }, HTML);
      case "/photos/declared.jpg":
        return send(200, { "content-type": "image/jpeg", "content-length": String(10 * 2 ** 20) }, jpeg);
      case "/photos/big.jpg": {
        // an endless JPEG, stopped at 64 MB whatever the client does, so the test stays bounded
        res.writeHead(200, { "content-type": "image/jpeg" });
        res.on("close", () => resolveBig());
        const chunk = Buffer.alloc(16 * 1024, 0xab);
        res.write(jpeg.subarray(0, 64));
        const pump = () => {
          while (bigSent < 64 * 2 ** 20) {
            bigSent += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", pump);
          }
          res.end();
        };
        return pump();
      }
      default:
        return send(404, {});
    }
  });
  root = `${origin}/photos/`;
});

afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

async function refused(fileName: string, imagesRoot: string, maxBytes?: number): Promise<ImageAccessError> {
  const e = await readOriginal({ fileName, imagesRoot }, { maxBytes }).catch((x) => x);
  expect(e).toBeInstanceOf(ImageAccessError);
  // the answer an expert may see names neither the folder nor the server
  expect(e.publicMessage).not.toContain(base);
  expect(e.publicMessage).not.toContain("127.0.0.1");
  return e;
}

describe("sniffImageType", () => {
  it("knows the served formats by their first bytes, and nothing else", () => {
    const b = (...parts: (string | number[])[]) =>
      Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
    expect(sniffImageType(jpeg)).toBe("image/jpeg");
    expect(sniffImageType(png)).toBe("image/png");
    expect(sniffImageType(b("GIF89a", [1, 0, 1, 0]))).toBe("image/gif");
    expect(sniffImageType(b("RIFF", [0, 0, 0, 0], "WEBPVP8 "))).toBe("image/webp");
    expect(sniffImageType(b([0x49, 0x49, 0x2a, 0]))).toBe("image/tiff");
    expect(sniffImageType(b([0x4d, 0x4d, 0, 0x2a]))).toBe("image/tiff");
    expect(sniffImageType(b([0, 0, 0, 0x1c], "ftypavif", [0, 0, 0, 0], "avifmif1miaf"))).toBe("image/avif");
    expect(sniffImageType(b([0, 0, 0, 0x18], "ftypmif1", [0, 0, 0, 0], "mif1heic"))).toBe("image/heic");
    expect(sniffImageType(b([0, 0, 0, 0x18], "ftypisom", [0, 0, 2, 0], "isomiso2"))).toBeNull(); // an MP4 video
    expect(sniffImageType(Buffer.from(HTML))).toBeNull();
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImageType(Buffer.alloc(0))).toBeNull();
  });

  it("gives the headers an original is served with", () => {
    expect(imageResponseHeaders("image/png")).toEqual({
      "Content-Type": "image/png",
      "X-Content-Type-Options": "nosniff",
    });
  });
});

describe("local originals", () => {
  it("serves a real JPEG, typed by its bytes rather than its name", async () => {
    expect(await readOriginal({ fileName: "real.jpg", imagesRoot: photos })).toEqual({
      body: jpeg,
      contentType: "image/jpeg",
    });
    expect((await readOriginal({ fileName: "png-named.jpg", imagesRoot: photos })).contentType).toBe("image/png");
  });

  it("refuses a .jpg that is really HTML, a stub, a folder and a file over the cap", async () => {
    const page = await refused("page.jpg", photos);
    expect(page.code).toBe("not-an-image");
    expect(page.publicMessage).toBe(
      "unsupported image format: page.jpg is not a JPEG, PNG, WebP, GIF, TIFF, AVIF or HEIF image",
    );
    expect(page.message).toContain(path.join(photos, "page.jpg")); // the detail names the file, for logs
    expect((await refused("tiny.jpg", photos)).code).toBe("not-an-image");
    expect((await refused("folder.jpg", photos)).code).toBe("unreadable");
    const big = await refused("big.jpg", photos, 100_000);
    expect(big.code).toBe("too-large");
    expect(big.publicMessage).toMatch(/^big\.jpg is larger than the 0\.10 MB/);
    expect((await readOriginal({ fileName: "big.jpg", imagesRoot: photos }, { maxBytes: 400_000 })).body.length).toBe(
      jpeg.length + 300_000,
    );
    const missing = await refused("nope/missing.jpg", photos);
    expect([missing.code, missing.publicMessage]).toEqual(["not-found", "file not found: nope/missing.jpg"]);
  });

  it("takes its cap from FIELDMARK_MAX_IMAGE_BYTES", async () => {
    process.env.FIELDMARK_MAX_IMAGE_BYTES = "1000";
    try {
      expect((await refused("big.jpg", photos)).code).toBe("too-large");
    } finally {
      delete process.env.FIELDMARK_MAX_IMAGE_BYTES;
    }
  });
});

describe("remote originals (a root on 127.0.0.1)", () => {
  it("serves a real JPEG whatever Content-Type the remote claims", async () => {
    expect(await readOriginal({ fileName: "real.jpg", imagesRoot: root })).toEqual({
      body: jpeg,
      contentType: "image/jpeg",
    });
  });

  it("follows redirects on the same origin, a few at most", async () => {
    expect((await readOriginal({ fileName: "moved.jpg", imagesRoot: root })).body).toEqual(jpeg);
    expect((await readOriginal({ fileName: "moved-twice.jpg", imagesRoot: root })).body).toEqual(jpeg);
    const loop = await refused("loop.jpg", root);
    expect([loop.code, loop.publicMessage]).toEqual(["redirect", "could not fetch loop.jpg: more than 3 redirects"]);
  });

  it("refuses a redirect to another origin without fetching it", async () => {
    const e = await refused("away.jpg", root);
    expect(e.code).toBe("redirect");
    expect(e.publicMessage).toBe(
      "could not fetch away.jpg: its server redirects to another site, which is not followed",
    );
    expect(otherHits).toBe(0);
  });

  it("refuses text/html served as an image, and an HTTP error", async () => {
    expect((await refused("page.jpg", root)).code).toBe("not-an-image");
    const missing = await refused("missing.jpg", root);
    expect([missing.code, missing.publicMessage]).toEqual(["fetch-failed", "could not fetch missing.jpg: HTTP 404"]);
  });

  it("stops reading an oversized body at the cap", async () => {
    const declared = await refused("declared.jpg", root, 2 ** 20);
    expect(declared.code).toBe("too-large");
    const big = await refused("big.jpg", root, 256 * 1024);
    expect(big.code).toBe("too-large");
    await bigClosed; // the connection was dropped, not drained
    expect(bigSent).toBeLessThan(64 * 2 ** 20);
  });

  it("says so when nothing answers, naming no host", async () => {
    const dead = await listen(() => {});
    await new Promise((r) => servers.pop()!.close(r));
    const e = await refused("a.jpg", `${dead}/photos/`);
    expect(e.code).toBe("fetch-failed");
    expect(e.publicMessage).toBe("could not fetch a.jpg: ECONNREFUSED");
  });
});

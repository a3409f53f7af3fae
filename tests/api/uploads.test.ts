import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Permission } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/roles";

// Uploads bigger than FIELDMARK_MAX_UPLOAD_BYTES are refused with 413 naming the limit, before the body
// is read into memory: a Content-Length over it reads nothing, and a body without one (or longer than
// its header said, or endless) is cut off just past the limit. Nothing is saved. Asked of the real
// route handlers, signed in as a lead (the session is faked as in tests/api/route.test.ts).

vi.mock("@/lib/auth/session", () => ({
  requireApiUser: async (_request: Request, _permission?: Permission): Promise<CurrentUser> => ({
    id: "lead-1",
    email: "lead@example.org",
    name: "Lead",
    role: "lead",
  }),
}));
vi.mock("@/lib/browse/collections", () => ({
  findCollection: async (name: string) => ({ id: 1, name }),
}));

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-uploads-"));
process.env.FIELDMARK_DATA_DIR = dataDir;
const LIMIT = 64 * 1024;
process.env.FIELDMARK_MAX_UPLOAD_BYTES = String(LIMIT);
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  delete process.env.FIELDMARK_MAX_UPLOAD_BYTES;
});

const imports = await import("@/app/api/imports/route");
const queryImport = await import("@/app/api/collections/[name]/queries/import/route");

const CHUNK = 16 * 1024;

/** A body of `total` bytes (Infinity: endless), counting what the server pulled from it. */
function countingBody(total: number) {
  const pulled = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.bytes >= total) return controller.close();
      const n = Math.min(CHUNK, total - pulled.bytes);
      pulled.bytes += n;
      controller.enqueue(new Uint8Array(n).fill(0x61));
    },
  });
  return { stream, pulled };
}

function multipart(fileName: string, size: number, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set("file", new File([new Uint8Array(size).fill(0x7b)], fileName));
  return form;
}

const post = (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one helper for handlers with and without params
  handler: (request: Request, ctx: { params: Promise<any> }) => Promise<Response>,
  url: string,
  init: RequestInit,
) =>
  handler(new Request(`http://localhost${url}`, { method: "POST", duplex: "half", ...init } as RequestInit), {
    params: Promise.resolve({ name: "garden-survey" }),
  });

const uploadsSaved = () =>
  fs.existsSync(path.join(dataDir, "uploads")) ? fs.readdirSync(path.join(dataDir, "uploads")) : [];

describe("oversized uploads", () => {
  beforeEach(() => {
    expect(uploadsSaved()).toEqual([]);
  });

  it("refuses a Content-Length over the limit with 413 naming it, reading none of the body", async () => {
    const body = countingBody(10 * 1024 * 1024);
    const res = await post(imports.POST, "/api/imports", {
      body: body.stream,
      headers: { "content-type": "multipart/form-data; boundary=x", "content-length": String(10 * 1024 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error:
        "The upload is larger than the 64 kB this server accepts (FIELDMARK_MAX_UPLOAD_BYTES): import bigger files with `fieldmark import`",
      field: "file",
      limit: LIMIT,
    });
    expect(body.pulled.bytes).toBeLessThanOrEqual(CHUNK); // at most what the stream had ready
    expect(uploadsSaved()).toEqual([]);
  });

  it("cuts off a body with no length, an endless one and one longer than its Content-Length, just past the limit", async () => {
    for (const total of [LIMIT * 4, Infinity]) {
      const body = countingBody(total);
      const res = await post(imports.POST, "/api/imports", {
        body: body.stream,
        headers: { "content-type": "multipart/form-data; boundary=x" },
      });
      expect(res.status).toBe(413);
      expect((await res.json()).error).toMatch(/^The upload is larger than the 64 kB this server accepts/);
      expect(body.pulled.bytes).toBeLessThanOrEqual(LIMIT + 2 * CHUNK);
    }
    // a Content-Length that lies: bytes are counted as they come, whatever the header said
    const liar = countingBody(LIMIT * 4);
    const res = await post(imports.POST, "/api/imports", {
      body: liar.stream,
      headers: { "content-type": "multipart/form-data; boundary=x", "content-length": "100" },
    });
    expect(res.status).toBe(413);
    expect(liar.pulled.bytes).toBeLessThanOrEqual(LIMIT + 2 * CHUNK);
    expect(uploadsSaved()).toEqual([]);
  });

  it("refuses a real multipart upload over the limit, and a JSON body over it", async () => {
    const big = await post(imports.POST, "/api/imports", {
      body: multipart("train.json", LIMIT + 1, { collection: "c", imagesRoot: "/photos" }),
    });
    expect(big.status).toBe(413);
    const json = await post(imports.POST, "/api/imports", {
      body: JSON.stringify({ collection: "c", source: "x".repeat(LIMIT) }),
      headers: { "content-type": "application/json" },
    });
    expect(json.status).toBe(413);
    expect(uploadsSaved()).toEqual([]);
  });

  it("reads an upload under the limit whole (it goes on to the usual checks)", async () => {
    const res = await post(imports.POST, "/api/imports", { body: multipart("train.json", LIMIT - 1024) });
    expect(res.status).toBe(400);
    expect((await res.json()).field).toBe("imagesRoot");
    const garbled = await post(imports.POST, "/api/imports", {
      body: "not a form",
      headers: { "content-type": "multipart/form-data; boundary=x" },
    });
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toEqual({ error: "The upload is not a readable multipart/form-data body" });
  });

  it("refuses a query CSV over the limit the same way", async () => {
    const url = "/api/collections/garden-survey/queries/import";
    const res = await post(queryImport.POST, url, { body: multipart("queries.csv", LIMIT * 2) });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toBe(
      "The upload is larger than the 64 kB this server accepts (FIELDMARK_MAX_UPLOAD_BYTES): is it a query file?",
    );
    const endless = countingBody(Infinity);
    const cut = await post(queryImport.POST, url, {
      body: endless.stream,
      headers: { "content-type": "multipart/form-data; boundary=x" },
    });
    expect(cut.status).toBe(413);
    expect(endless.pulled.bytes).toBeLessThanOrEqual(LIMIT + 2 * CHUNK);
  });
});

describe("FIELDMARK_MAX_UPLOAD_BYTES", () => {
  it("is validated: a number of at least 1024 bytes, 100 MB by default", async () => {
    const { readUploadSettings } = await import("@/lib/config");
    const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;
    expect(readUploadSettings(env({})).maxUploadBytes).toBe(100 * 1024 * 1024);
    expect(readUploadSettings(env({ FIELDMARK_MAX_UPLOAD_BYTES: "2048" })).maxUploadBytes).toBe(2048);
    expect(() => readUploadSettings(env({ FIELDMARK_MAX_UPLOAD_BYTES: "lots" }))).toThrow(
      /^Bad environment variable FIELDMARK_MAX_UPLOAD_BYTES/,
    );
    expect(() => readUploadSettings(env({ FIELDMARK_MAX_UPLOAD_BYTES: "10" }))).toThrow(
      /^Bad environment variable FIELDMARK_MAX_UPLOAD_BYTES/,
    );
  });
});

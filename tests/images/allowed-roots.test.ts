import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pathWithinRoot } from "@/lib/collections/images-root";
import { parseImageRoots, readConfig } from "@/lib/config";
import {
  assertServable,
  checkImagesRoot,
  checkSourcePath,
  ImageAccessError,
  publicImageError,
  type Via,
} from "@/lib/images/allowed-roots";
import { readOriginal, resolveImageLocation } from "@/lib/images/files";

// The server's own files stay its own: what may be an images root, an import source or a served file.
// No database: the rules read only the environment and the file system.

let base: string;
let dataDir: string;
let photos: string;
let other: string;
let jpeg: Buffer;
const saved = { data: process.env.FIELDMARK_DATA_DIR, roots: process.env.FIELDMARK_IMAGE_ROOTS };

beforeAll(async () => {
  // realpath: on some systems the temp folder is itself a link (macOS /var -> /private/var)
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-roots-")));
  dataDir = path.join(base, "data");
  photos = path.join(base, "photos");
  other = path.join(base, "other");
  for (const d of [dataDir, path.join(dataDir, "pglite"), path.join(dataDir, "uploads", "u1"), photos, other])
    fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(dataDir, "auth-secret"), "s3cret");
  fs.writeFileSync(path.join(dataDir, "pglite", "PG_VERSION"), "18");
  fs.writeFileSync(path.join(dataDir, "uploads", "u1", "train.json"), "{}");
  jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#a53" } })
    .jpeg()
    .toBuffer();
  fs.writeFileSync(path.join(photos, "real.jpg"), jpeg);
  fs.writeFileSync(path.join(other, "elsewhere.jpg"), jpeg);
  // a JPEG copied into the data folder: an image, but still the server's own file
  fs.writeFileSync(path.join(dataDir, "thumb.jpg"), jpeg);
  fs.symlinkSync(path.join(dataDir, "auth-secret"), path.join(photos, "secret.jpg"));
  fs.symlinkSync(path.join(dataDir, "thumb.jpg"), path.join(photos, "thumb.jpg"));
  fs.symlinkSync(dataDir, path.join(photos, "data-link"));
  fs.symlinkSync(path.join(other, "elsewhere.jpg"), path.join(photos, "elsewhere.jpg"));
  fs.symlinkSync(dataDir, path.join(base, "data-alias"));
  fs.symlinkSync(other, path.join(photos, "other-link"));
  process.env.FIELDMARK_DATA_DIR = dataDir;
  delete process.env.FIELDMARK_IMAGE_ROOTS;
});

afterEach(() => {
  delete process.env.FIELDMARK_IMAGE_ROOTS;
});

afterAll(() => {
  process.env.FIELDMARK_DATA_DIR = saved.data;
  if (saved.roots === undefined) delete process.env.FIELDMARK_IMAGE_ROOTS;
  else process.env.FIELDMARK_IMAGE_ROOTS = saved.roots;
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

/** The ImageAccessError `fn` throws (or the rejection of the promise it returns). */
async function refusal(fn: () => unknown): Promise<ImageAccessError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ImageAccessError);
    const err = e as ImageAccessError;
    // whatever is refused, the public message names no server path
    expect(err.publicMessage).not.toContain(base);
    expect(err.publicMessage).not.toContain(os.tmpdir());
    return err;
  }
  throw new Error("expected a refusal, got none");
}

describe("FIELDMARK_IMAGE_ROOTS", () => {
  it("is a comma-separated list of absolute folders and http(s) URL prefixes, empty by default", () => {
    expect(parseImageRoots(undefined)).toEqual([]);
    expect(parseImageRoots(" /srv/photos , https://bucket.example/photos ,, /srv/more/ ")).toEqual([
      "/srv/photos",
      "https://bucket.example/photos/",
      "/srv/more",
    ]);
    expect(() => parseImageRoots("photos")).toThrow(/FIELDMARK_IMAGE_ROOTS: photos is neither an absolute folder/);
    expect(() => parseImageRoots("https://user:pw@bucket.example/")).toThrow(/plain URL prefix/);
    expect(() => readConfig({ ...process.env, FIELDMARK_IMAGE_ROOTS: "relative/dir" })).toThrow(
      /FIELDMARK_IMAGE_ROOTS/,
    );
    expect(() => readConfig({ ...process.env, FIELDMARK_MAX_IMAGE_BYTES: "lots" })).toThrow(
      /FIELDMARK_MAX_IMAGE_BYTES/,
    );
  });
});

describe("the data folder is never an images root, a source or a served file", () => {
  it.each<Via>(["cli", "web"])(
    "refuses a root equal to, inside, holding or linking to the data folder (%s)",
    async (via) => {
      process.env.FIELDMARK_IMAGE_ROOTS = "/"; // even an admin allowing everything does not open the data folder
      for (const spec of [
        dataDir,
        `${dataDir}/`,
        path.join(dataDir, "pglite"),
        path.join(dataDir, "not-there-yet"),
        base, // holds the data folder
        "/",
        path.join(base, "data-alias"), // a link to it
        path.join(photos, "data-link", "pglite"), // a link inside an ordinary folder
        path.join(photos, "..", "data"),
      ]) {
        const e = await refusal(() => checkImagesRoot(spec, { via }));
        expect(e.code).toBe("data-dir");
        expect(e.publicMessage).toMatch(/data folder/);
        expect(e.message).toContain(dataDir); // the detail, for logs and the CLI, says which
      }
    },
  );

  it("refuses sources in or holding the data folder, but for a lead's own uploads", async () => {
    for (const spec of [path.join(dataDir, "auth-secret"), path.join(photos, "secret.jpg"), base, dataDir]) {
      expect((await refusal(() => checkSourcePath(spec, "cli"))).code).toBe("data-dir");
    }
    const upload = path.join(dataDir, "uploads", "u1", "train.json");
    expect(checkSourcePath(upload, "cli")).toBe(upload);
    expect(checkSourcePath(upload, "web")).toBe(upload);
    expect((await refusal(() => checkSourcePath(path.join(dataDir, "uploads"), "web"))).code).toBe("data-dir");
    // an upload's folder is still no images root
    expect((await refusal(() => checkImagesRoot(path.dirname(upload), { via: "web" }))).code).toBe("data-dir");
  });

  it("refuses a file whose real path is in the data folder", async () => {
    expect((await refusal(() => assertServable(path.join(dataDir, "auth-secret")))).code).toBe("data-dir");
    expect((await refusal(() => assertServable(path.join(dataDir, "thumb.jpg"), photos))).code).toBe("data-dir");
    expect(() => assertServable(path.join(photos, "real.jpg"), photos)).not.toThrow();
  });

  it("refuses, when read, a symlink in the images root that leads into the data folder", async () => {
    for (const fileName of ["secret.jpg", "thumb.jpg", "data-link/auth-secret", "data-link/thumb.jpg"]) {
      const e = await refusal(() => readOriginal({ fileName, imagesRoot: photos }));
      expect(e.code).toBe("data-dir");
    }
    // the link is refused even once the root is an allowed folder
    process.env.FIELDMARK_IMAGE_ROOTS = photos;
    expect((await refusal(() => readOriginal({ fileName: "thumb.jpg", imagesRoot: photos }))).code).toBe("data-dir");
    const ok = await readOriginal({ fileName: "real.jpg", imagesRoot: photos });
    expect(ok.contentType).toBe("image/jpeg");
    expect(ok.body.equals(jpeg)).toBe(true);
  });

  it("refuses a link out of the images root unless its target is in an allowed folder", async () => {
    expect((await refusal(() => readOriginal({ fileName: "elsewhere.jpg", imagesRoot: photos }))).code).toBe(
      "outside-root",
    );
    expect((await refusal(() => readOriginal({ fileName: "other-link/elsewhere.jpg", imagesRoot: photos }))).code).toBe(
      "outside-root",
    );
    process.env.FIELDMARK_IMAGE_ROOTS = other;
    expect((await readOriginal({ fileName: "elsewhere.jpg", imagesRoot: photos })).contentType).toBe("image/jpeg");
  });
});

describe("traversal", () => {
  it("refuses .. and absolute file names, locally and under a URL root", async () => {
    for (const fileName of ["../data/auth-secret", "a/../../data/auth-secret", path.join(dataDir, "auth-secret")]) {
      const e = await refusal(() => readOriginal({ fileName, imagesRoot: photos }));
      expect(e.code).toBe("outside-root");
      expect(e.publicMessage).toBe("the image's path escapes its images root");
    }
    expect((await refusal(() => resolveImageLocation(photos, "real.jpg\0.png"))).code).toBe("outside-root");
    expect((await refusal(() => resolveImageLocation("http://127.0.0.1:9/photos/", "../secret"))).code).toBe(
      "outside-root",
    );
  });

  it("keeps encoded traversal literal: %2e%2e is a name, never a step up", async () => {
    // locally: a folder literally called %2e%2e, which does not exist
    const e = await refusal(() => readOriginal({ fileName: "%2e%2e/data/auth-secret", imagesRoot: photos }));
    expect(e.code).toBe("not-found");
    expect(e.publicMessage).toBe("file not found: %2e%2e/data/auth-secret");
    // under a URL root the percent signs are encoded themselves
    expect(resolveImageLocation("http://127.0.0.1:9/photos/", "%2e%2e/secret")).toBe(
      "http://127.0.0.1:9/photos/%252e%252e/secret",
    );
    expect(resolveImageLocation("http://127.0.0.1:9/photos/", "..%2fsecret")).toBe(
      "http://127.0.0.1:9/photos/..%252fsecret",
    );
    // and an import refuses a file name that decodes to a step up
    const root = { kind: "url" as const, url: "http://127.0.0.1:9/photos/" };
    expect(pathWithinRoot(root, "%2e%2e/secret")).toBeNull();
    expect(pathWithinRoot(root, "a/%2E%2E/%2e%2e/secret")).toBeNull();
    // a URL root hiding an encoded slash is refused, from the CLI too
    expect((await refusal(() => checkImagesRoot("http://127.0.0.1:9/photos/..%2fadmin/", { via: "cli" }))).code).toBe(
      "outside-root",
    );
  });
});

describe("web imports only from FIELDMARK_IMAGE_ROOTS; the CLI from anywhere but the data folder", () => {
  it("by default the web may use no folder and no URL; the CLI may", async () => {
    expect(checkImagesRoot(photos, { via: "cli" })).toEqual({ kind: "folder", path: photos });
    expect(checkImagesRoot("http://127.0.0.1:9/bucket", { via: "cli" })).toEqual({
      kind: "url",
      url: "http://127.0.0.1:9/bucket/",
    });
    expect(checkSourcePath(path.join(photos, "real.jpg"))).toBe(path.join(photos, "real.jpg"));
    for (const check of [
      () => checkImagesRoot(photos, { via: "web" }),
      () => checkImagesRoot("http://127.0.0.1:9/bucket/", { via: "web" }),
      () => checkSourcePath(path.join(photos, "real.jpg"), "web"),
    ]) {
      const e = await refusal(check);
      expect(e.code).toBe("not-allowed");
      expect(e.publicMessage).toMatch(/FIELDMARK_IMAGE_ROOTS/);
    }
  });

  it("allows what is under a listed folder or URL prefix, and nothing beside it", async () => {
    process.env.FIELDMARK_IMAGE_ROOTS = `${photos},http://127.0.0.1:9/bucket`;
    expect(checkImagesRoot(photos, { via: "web" })).toEqual({ kind: "folder", path: photos });
    expect(checkImagesRoot(path.join(photos, "sub", "dir"), { via: "web" }).kind).toBe("folder");
    expect(checkSourcePath(path.join(photos, "real.jpg"), "web")).toBe(path.join(photos, "real.jpg"));
    expect(checkImagesRoot("http://127.0.0.1:9/bucket/2024", { via: "web" })).toEqual({
      kind: "url",
      url: "http://127.0.0.1:9/bucket/2024/",
    });
    for (const spec of [
      `${photos}-other`, // a name that merely starts the same
      path.join(photos, "..", "other"),
      path.join(photos, "other-link"), // a link out of the allowed folder
      "http://127.0.0.1:9/bucketeer/",
      "http://127.0.0.1:10/bucket/",
      "https://127.0.0.1:9/bucket/",
      "http://127.0.0.1:9/bucket/../admin/",
    ]) {
      expect((await refusal(() => checkImagesRoot(spec, { via: "web" }))).code).toBe("not-allowed");
    }
    expect((await refusal(() => checkSourcePath(path.join(other, "elsewhere.jpg"), "web"))).code).toBe("not-allowed");
    expect((await refusal(() => checkImagesRoot("ftp://127.0.0.1/x", { via: "web" }))).code).toBe("unsupported-root");
  });
});

describe("publicImageError", () => {
  it("gives the public message of a refusal and a fallback for anything else", () => {
    expect(
      publicImageError(new ImageAccessError("not-found", "file not found: a.jpg", "file not found: /x/a.jpg")),
    ).toBe("file not found: a.jpg");
    expect(publicImageError(new Error("ENOENT /srv/secret"))).toBe("the image could not be read");
  });
});

import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCollection } from "@/lib/collections";
import { resolveImagesRoot } from "@/lib/collections/images-root";
import { describeSource } from "@/lib/collections/source";
import { uploadsDir } from "@/lib/collections/uploads";
import { ImageAccessError } from "@/lib/images/allowed-roots";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { counts, LEPIDOPTERA, sharedFixtures, smallTrainJson, tempDir, writeFile } from "./helpers";

// Imports and the data folder: the CLI imports from anywhere else (../shared's fixtures with no
// setting), nothing imports from or into the data folder, a web import only under FIELDMARK_IMAGE_ROOTS
// and a refused URL root is never even probed.

describe.each(dbKinds)("import roots on %s", (kind) => {
  let t: TestDatabase;
  let dir: string;
  const saved = process.env.FIELDMARK_DATA_DIR;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    process.env.FIELDMARK_DATA_DIR = t.dataDir;
    dir = tempDir();
  });
  afterAll(async () => {
    process.env.FIELDMARK_DATA_DIR = saved;
    delete process.env.FIELDMARK_IMAGE_ROOTS;
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function refused(p: Promise<unknown>, code: string): Promise<ImageAccessError> {
    const e = await p.then(
      () => {
        throw new Error("expected a refusal");
      },
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ImageAccessError);
    expect((e as ImageAccessError).code).toBe(code);
    expect((e as ImageAccessError).publicMessage).not.toContain(t.dataDir);
    return e as ImageAccessError;
  }

  it.skipIf(!sharedFixtures)("the CLI still imports ../shared/fixtures with no setting", async () => {
    const r = await importCollection({ source: LEPIDOPTERA, collection: "lepidoptera" });
    expect(r.images.added).toBe(4950);
    expect(r.imagesRoot).toBe(path.dirname(fs.realpathSync(LEPIDOPTERA)));
  });

  it("nothing is imported from the data folder, nor with it as (or under) the images root", async () => {
    const before = await counts();
    const inside = writeFile(t.dataDir, "sneaky/train.json", smallTrainJson());
    await refused(importCollection({ source: inside, collection: "x" }), "data-dir");
    await refused(importCollection({ source: t.dataDir, collection: "x" }), "data-dir");
    const outside = writeFile(dir, "ok/train.json", smallTrainJson());
    for (const imagesRoot of [t.dataDir, path.join(t.dataDir, "pglite"), path.dirname(t.dataDir), "/"]) {
      await refused(importCollection({ source: outside, collection: "x", imagesRoot }), "data-dir");
    }
    // a link to the data folder is the data folder
    const link = path.join(dir, "innocent");
    fs.symlinkSync(t.dataDir, link);
    await refused(importCollection({ source: outside, collection: "x", imagesRoot: link }), "data-dir");
    // nor the folder holding the data folder, as a source
    await refused(importCollection({ source: path.dirname(t.dataDir), collection: "x" }), "data-dir");
    expect(await counts()).toEqual(before);
  });

  it("an uploaded file is imported, with its images root elsewhere", async () => {
    const upload = writeFile(path.join(uploadsDir(), "c0ffee"), "train.json", smallTrainJson());
    const images = path.join(dir, "upload-images");
    fs.mkdirSync(images, { recursive: true });
    const r = await importCollection({ source: upload, collection: "uploaded", imagesRoot: images });
    expect(r.images.added).toBe(smallTrainJson().images.length);
    // its own folder is no images root
    await refused(importCollection({ source: upload, collection: "uploaded-2" }), "data-dir");
  });

  it("a web import may use only FIELDMARK_IMAGE_ROOTS, and a refused URL is never probed", async () => {
    let hits = 0;
    const server = http.createServer((_req, res) => {
      hits++;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const photos = path.join(dir, "web-photos");
      const source = writeFile(photos, "train.json", smallTrainJson());
      delete process.env.FIELDMARK_IMAGE_ROOTS;
      await refused(resolveImagesRoot(`${url}/bucket/`, { via: "web" }), "not-allowed");
      await refused(resolveImagesRoot(photos, { via: "web" }), "not-allowed");
      await refused(
        Promise.resolve().then(() => describeSource(source, { via: "web" })),
        "not-allowed",
      );
      // a missing folder outside the allowed ones is refused, not reported missing
      await refused(resolveImagesRoot(path.join(dir, "nowhere"), { via: "web" }), "not-allowed");
      expect(hits).toBe(0);

      process.env.FIELDMARK_IMAGE_ROOTS = `${photos},${url}/bucket/`;
      expect(await resolveImagesRoot(`${url}/bucket/2024`, { via: "web" })).toEqual({
        kind: "url",
        url: `${url}/bucket/2024/`,
      });
      expect(hits).toBe(1);
      await refused(resolveImagesRoot(`${url}/other/`, { via: "web" }), "not-allowed");
      expect(await resolveImagesRoot(photos, { via: "web" })).toEqual({
        kind: "folder",
        path: fs.realpathSync(photos),
      });
      expect(describeSource(source, { via: "web" }).kind).toBe("inat-json");
      // the CLI is not bound by the list
      expect((await resolveImagesRoot(dir)).kind).toBe("folder");
      expect(hits).toBe(1);
    } finally {
      delete process.env.FIELDMARK_IMAGE_ROOTS;
      server.close();
    }
  });
});

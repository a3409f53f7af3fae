import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImportError, importCollection, type ImportOptions } from "@/lib/collections";
import { db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { counts, smallTrainJson, tempDir, writeFile } from "./helpers";

// Every kind of bad input gets an ImportError whose message says what is wrong and where, and the
// import writes nothing: the collection imported before it is untouched, no staging table is left.

describe.each(dbKinds)("bad input on %s", (kind) => {
  let t: TestDatabase;
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    dir = tempDir();
    // work already saved, which no failure below may touch
    await importCollection({ source: writeFile(dir, "good/train.json", smallTrainJson()), collection: "saved" });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Imports `content` (into "saved" or a new collection) and returns the error, checking nothing was written. */
  async function failure(
    name: string,
    content: string | Buffer | object,
    opts: Partial<ImportOptions> = {},
  ): Promise<ImportError> {
    const file = writeFile(dir, `case${++n}/${name}`, content);
    const before = await counts();
    for (const collection of ["saved", `new-${n}`]) {
      const error = await importCollection({ source: file, collection, ...opts }).then(
        () => {
          throw new Error(`importing ${name} into ${collection} should have failed`);
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ImportError);
      expect(await counts()).toEqual(before);
      if (collection !== "saved") return error as ImportError;
    }
    throw new Error("unreachable");
  }

  it("malformed JSON: the line, column and byte", async () => {
    const e = await failure(
      "train.json",
      '{"images": [\n  {"id": 1, "file_name": "a.jpg"},\n  {"id": 2, "file_name": "b.jpg",}\n]}',
    );
    expect(e.code).toBe("malformed-json");
    expect(e.message).toBe(
      'train.json is not valid JSON at line 3, column 34 (byte 81): unexpected "}", expected a quoted key or }',
    );
    expect(e.location).toMatchObject({ line: 3, column: 34, byteOffset: 81 });
  });

  it("truncated JSON", async () => {
    const full = JSON.stringify(smallTrainJson());
    const e = await failure("train.json", full.slice(0, full.length - 40));
    expect(e.code).toBe("malformed-json");
    expect(e.message).toMatch(/^train\.json ends before its JSON is complete \(truncated\?\) at line 1, column \d+/);
  });

  it("a missing required field", async () => {
    const bad = smallTrainJson();
    delete (bad.images[2] as { file_name?: string }).file_name;
    const e = await failure("train.json", bad);
    expect(e.code).toBe("missing-field");
    expect(e.message).toMatch(/^train\.json: images\[2\]\.file_name is required \(line \d+, column \d+\)$/);
    expect(e.location).toMatchObject({ section: "images", index: 2, field: "file_name" });
  });

  it("a field of the wrong type", async () => {
    const bad = smallTrainJson();
    (bad.images[1] as Record<string, unknown>).latitude = 123;
    const e = await failure("train.json", bad);
    expect(e.code).toBe("invalid-field");
    expect(e.message).toMatch(
      /^train\.json: images\[1\]\.latitude must be a number from -90 to 90, got 123 \(line \d+/,
    );
  });

  it("not a train.json at all", async () => {
    const e = await failure("train.json", [{ id: 1 }]);
    expect(e.code).toBe("bad-structure");
    expect(e.message).toBe(
      "train.json must be a JSON object with images, categories and annotations arrays, at line 1, column 1 (byte 0)",
    );
  });

  it("duplicate image ids, with both places", async () => {
    const bad = smallTrainJson();
    bad.images[2].id = 1;
    const e = await failure("train.json", bad);
    expect(e.code).toBe("duplicate-id");
    expect(e.message).toMatch(
      /^train\.json: duplicate image id 1: images\[0\] \(line \d+\) and images\[2\] \(line \d+\)$/,
    );
    expect(e.location).toMatchObject({ id: "1", section: "images", index: 2 });
  });

  it("duplicate category ids", async () => {
    const bad = smallTrainJson();
    bad.categories[1].id = 10;
    const e = await failure("train.json", bad);
    expect(e.code).toBe("duplicate-id");
    expect(e.message).toMatch(
      /^train\.json: duplicate category id 10: categories\[0\] \(line \d+\) and categories\[1\] \(line \d+\)$/,
    );
  });

  it("an annotation naming an unknown image", async () => {
    const bad = smallTrainJson();
    bad.annotations[1].image_id = 99;
    const e = await failure("train.json", bad);
    expect(e.code).toBe("unknown-reference");
    expect(e.message).toMatch(/^train\.json: annotations\[1\] \(line \d+\) names image 99, which is not in images$/);
    expect(e.location).toMatchObject({ section: "annotations", index: 1, field: "image_id", id: "99" });
  });

  it("an annotation naming an unknown category", async () => {
    const bad = smallTrainJson();
    bad.annotations[2].category_id = 77;
    bad.annotations[0].category_id = 78;
    const e = await failure("train.json", bad);
    expect(e.code).toBe("unknown-reference");
    expect(e.message).toMatch(
      /^train\.json: annotations\[0\] \(line \d+\) names category 78, which is not in categories \(2 annotations name categories that are not there\)$/,
    );
  });

  it("an image given two different categories", async () => {
    const bad = smallTrainJson();
    bad.annotations.push({ id: 4, image_id: 1, category_id: 11 });
    const e = await failure("train.json", bad);
    expect(e.code).toBe("conflicting-annotations");
    expect(e.message).toMatch(
      /^train\.json: image 1 is given two categories: annotations\[0\] \(line \d+\) says 10 and annotations\[3\] \(line \d+\) says 11; an image has one taxon$/,
    );
  });

  it("an image path that climbs out of the images root", async () => {
    const bad = smallTrainJson();
    bad.images[1].file_name = "images/../../secrets/b.jpg";
    const e = await failure("train.json", bad);
    expect(e.code).toBe("path-escapes-root");
    expect(e.message).toMatch(
      /^train\.json: images\[1\]\.file_name "images\/\.\.\/\.\.\/secrets\/b\.jpg" is outside the images root \/.+ \(line \d+/,
    );
  });

  it("an absolute image path outside the images root", async () => {
    const bad = smallTrainJson();
    bad.images[0].file_name = "/etc/passwd";
    const e = await failure("train.json", bad);
    expect(e.code).toBe("path-escapes-root");
    expect(e.message).toContain('images[0].file_name "/etc/passwd" is outside the images root');
  });

  it("an unreachable http(s) images root", async () => {
    const net = await import("node:net");
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve)); // nothing listens there now
    const e = await failure("train.json", smallTrainJson(), { imagesRoot: `http://127.0.0.1:${port}/photos` });
    expect(e.code).toBe("images-root-unreachable");
    expect(e.message).toBe(
      `images root http://127.0.0.1:${port}/photos/ is unreachable: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it("an http(s) images root that never answers: a short timeout", async () => {
    const net = await import("node:net");
    const silent = net.createServer(() => {}); // accepts and says nothing
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const e = await failure("train.json", smallTrainJson(), {
        imagesRoot: `http://127.0.0.1:${port}/`,
        urlProbeTimeoutMs: 300,
      });
      expect(e.message).toBe(`images root http://127.0.0.1:${port}/ is unreachable: no answer within 0.3 s`);
    } finally {
      silent.close();
    }
  });

  it("a missing local images root", async () => {
    const e = await failure("train.json", smallTrainJson(), { imagesRoot: path.join(dir, "nowhere") });
    expect(e.code).toBe("images-root-not-found");
    expect(e.message).toBe(`images root ${path.join(dir, "nowhere")} does not exist`);
  });

  it("a train.json that is not UTF-8", async () => {
    const e = await failure(
      "train.json",
      Buffer.concat([
        Buffer.from('{"images": [\n{"id": 1, "file_name": "caf'),
        Buffer.from([0xe9]),
        Buffer.from('.jpg"}]}'),
      ]),
    );
    expect(e.code).toBe("bad-encoding");
    expect(e.message).toBe("train.json is not valid UTF-8 at line 2, column 28 (byte 40): save it as UTF-8");
  });

  it("a source that is not there, or not something we can import", async () => {
    const missing = await importCollection({ source: path.join(dir, "nope/train.json"), collection: "x" }).catch(
      (e) => e,
    );
    expect(missing).toBeInstanceOf(ImportError);
    expect(missing.message).toBe(`${path.join(dir, "nope/train.json")} does not exist`);
    const odd = writeFile(dir, "odd/list.txt", "just some notes\n");
    const unsupported = await importCollection({ source: odd, collection: "x" }).catch((e) => e);
    expect(unsupported.code).toBe("unsupported-source");
    expect(unsupported.message).toBe(
      `${fs.realpathSync(odd)} is not a train.json, a CSV manifest or a folder of images`,
    );
    expect((await db().query("SELECT count(*)::int AS n FROM collections WHERE name = 'x'")).rows[0].n).toBe(0);
  });

  it("CSV that is not UTF-8: the line", async () => {
    const latin1 = Buffer.concat([
      Buffer.from("file_name,common_name\na.jpg,Monarch\nb.jpg,Paon du jour\nc.jpg,Vulcain "),
      Buffer.from([0xe9, 0x74, 0xe9]),
      Buffer.from("\n"),
    ]);
    const e = await failure("manifest.csv", latin1);
    expect(e.code).toBe("bad-encoding");
    expect(e.message).toBe("manifest.csv is not valid UTF-8 at line 4, column 15 (byte 69): save it as UTF-8");
    expect(e.location).toMatchObject({ line: 4, column: 15, byteOffset: 69 });
  });

  it("CSV without a file_name column", async () => {
    const e = await failure("manifest.csv", "path,name\na.jpg,Danaus plexippus\n");
    expect(e.code).toBe("bad-columns");
    expect(e.message).toMatch(/^manifest\.csv line 1: unknown column "path"/);
    const e2 = await failure("manifest.csv", "name\nDanaus plexippus\n");
    expect(e2.message).toBe('manifest.csv line 1: there is no file_name column (the header is "name")');
  });

  it("CSV with a row of the wrong width: the line", async () => {
    const e = await failure("manifest.csv", "file_name,name\na.jpg,Danaus plexippus\nb.jpg\nc.jpg,Vanessa atalanta\n");
    expect(e.code).toBe("bad-columns");
    expect(e.message).toBe("manifest.csv line 3: has 1 fields but the header has 2 columns");
    expect(e.location.line).toBe(3);
  });

  it("CSV with a bad value: the line and column name", async () => {
    const e = await failure("manifest.csv", "file_name,width\na.jpg,640\nb.jpg,wide\n");
    expect(e.code).toBe("invalid-field");
    expect(e.message).toBe('manifest.csv line 3: width must be a positive integer, got "wide"');
  });

  it("CSV with an empty file_name", async () => {
    const e = await failure("manifest.csv", "file_name,name\na.jpg,Danaus plexippus\n,Vanessa atalanta\n");
    expect(e.code).toBe("missing-field");
    expect(e.message).toBe("manifest.csv line 3: file_name is required");
  });

  it("CSV with an image twice", async () => {
    const e = await failure("manifest.csv", "file_name\na.jpg\nb.jpg\na.jpg\n");
    expect(e.code).toBe("duplicate-id");
    expect(e.message).toBe('manifest.csv: duplicate image id "a.jpg": line 2 and line 4');
  });

  it("a collection whose images live under another root", async () => {
    const e = await importCollection({
      source: writeFile(dir, "elsewhere/train.json", smallTrainJson()),
      collection: "saved",
    }).catch((x) => x);
    expect(e).toBeInstanceOf(ImportError);
    expect(e.code).toBe("images-root-mismatch");
    expect(e.message).toMatch(
      /^collection "saved" keeps its images under .*good, but this import's images root is .*elsewhere/,
    );
  });

  // PGlite is one database session shared by every connection, so its advisory locks exclude nobody
  it.skipIf(kind === "pglite")("a second import into a collection while one is running", async () => {
    const holder = await db().connect();
    try {
      // the lock an import holds for its whole run
      const id = (await holder.query("SELECT id FROM collections WHERE name = 'saved'")).rows[0].id;
      await holder.query("SELECT pg_advisory_lock(7230115, $1)", [id]);
      const e = await importCollection({
        source: writeFile(dir, "busy/train.json", smallTrainJson()),
        collection: "saved",
        imagesRoot: path.join(dir, "good"),
        lockWaitMs: 300,
      }).catch((x) => x);
      expect(e).toBeInstanceOf(ImportError);
      expect(e.message).toBe('another import into collection "saved" is running; wait for it to finish');
      await holder.query("SELECT pg_advisory_unlock(7230115, $1)", [id]);
    } finally {
      holder.release();
    }
  });

  it("a failed import is recorded against an existing collection, and a new collection leaves no trace", async () => {
    const imports = (
      await db().query(
        "SELECT c.name, i.status, i.error FROM imports i JOIN collections c ON c.id = i.collection_id ORDER BY i.id",
      )
    ).rows;
    expect(imports[0]).toMatchObject({ name: "saved", status: "done" });
    expect(imports.slice(1).every((r) => r.name === "saved" && r.status === "failed" && r.error)).toBe(true);
    expect((await db().query("SELECT name FROM collections")).rows).toEqual([{ name: "saved" }]);
  });
});

import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImportError, importCollection } from "@/lib/collections";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { counts, smallTrainJson, writeFile } from "../collections/helpers";
import { mutatedBytes } from "./mutate";

// Property-based tests of importCollection (PGlite): damaged train.json files and CSV manifests, and
// folders of oddly named files. Each import either succeeds or ends in an ImportError whose message
// names the file (and the line, record or field where there is one), and a failed import leaves the
// database as it was: no collection, image, taxon or staging table of it. Seeded for CI.

const SMALL_CSV = [
  "file_name,date,latitude,longitude,name,common_name,supercategory,genus,specific_epithet",
  "photos/1.jpg,2020-07-01,48.1,11.5,Danaus plexippus,Monarch,Insects,,",
  'photos/2.jpg,,,,"Quercus robur","Pedunculate oak, English oak",Plants,Quercus,robur',
  "photos/3.jpg,,,,,,,,",
  "",
].join("\n");

let t: TestDatabase;
let n = 0;
beforeAll(async () => {
  t = await createTestDatabase("pglite");
  // work already saved, which no failed import may touch
  await importCollection({
    source: writeFile(t.filesDir, "good/train.json", smallTrainJson()),
    collection: "saved",
    imagesRoot: t.filesDir,
  });
});
afterAll(async () => {
  await t?.close();
});

/** What an ImportError's message must say for its code, beyond naming the file. */
function expectSaysWhere(e: ImportError, fileName: string) {
  expect(e.message, e.message).toContain(fileName);
  const { location } = e;
  if (e.code === "missing-field" || e.code === "invalid-field") {
    expect(location.field, e.message).toBeTruthy();
    expect(e.message).toContain(location.field!);
    expect(e.message, e.message).toMatch(/line \d+|\[\d+\]/);
  }
  if (e.code === "malformed-json" || e.code === "malformed-csv" || e.code === "bad-encoding")
    expect(e.message, e.message).toMatch(/line \d+|byte \d+/);
  if (e.code === "duplicate-id" || e.code === "unknown-reference")
    expect(e.message, e.message).toMatch(/line \d+|\[\d+\]/);
}

/** Imports `source` into a new collection (and, half the time, into "saved"); checks the outcome. */
async function importOrExplain(source: string, fileName: string, intoSaved: boolean): Promise<void> {
  for (const collection of intoSaved ? ["saved", `fuzz-${n}`] : [`fuzz-${n}`]) {
    const before = await counts();
    try {
      await importCollection({ source, collection, imagesRoot: t.filesDir });
    } catch (e) {
      if (!(e instanceof ImportError)) throw e; // a crash: fast-check reports and shrinks it
      expectSaysWhere(e, fileName);
      expect(await counts()).toEqual(before);
      return;
    }
    expect((await counts()).stageTables).toBe(0);
  }
}

type Json = Record<string, unknown>;
const SECTIONS = ["images", "categories", "annotations"] as const;
const FIELDS: Record<(typeof SECTIONS)[number], string[]> = {
  images: ["id", "file_name", "width", "height", "date", "latitude", "longitude", "license", "rights_holder"],
  categories: ["id", "name", "common_name", "supercategory", "kingdom", "genus", "specific_epithet"],
  annotations: ["id", "image_id", "category_id"],
};

/** Damage to the structure of a valid train.json: a field dropped or of the wrong type, a record duplicated. */
const structuralEdit = fc.record({
  section: fc.constantFrom(...SECTIONS),
  index: fc.nat({ max: 2 }),
  fieldPick: fc.nat(),
  action: fc.oneof(
    fc.constant({ kind: "drop" as const }),
    fc.constant({ kind: "duplicate" as const }),
    fc.constant({ kind: "section-type" as const }),
    fc.record({
      kind: fc.constant("set" as const),
      value: fc.oneof(
        fc.constantFrom(null, true, -1, 0, 1.5, 1e308, -1e308, "", "x", "1", "2021-13-45", [], {}, [1], "\u0000"),
        fc.string({ unit: "grapheme", maxLength: 8 }),
        fc.integer(),
        fc.double(),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    }),
  ),
});

type StructuralEdit = typeof structuralEdit extends fc.Arbitrary<infer T> ? T : never;

function applyEdits(edits: StructuralEdit[]): Json {
  const doc = smallTrainJson() as unknown as Record<string, Json[] | unknown>;
  for (const e of edits) {
    const list = doc[e.section];
    if (e.action.kind === "section-type") {
      doc[e.section] = Array.isArray(list) ? { 0: list[0] } : "not a list";
      continue;
    }
    if (!Array.isArray(list) || list.length === 0) continue;
    const rec = list[e.index % list.length] as Json;
    if (typeof rec !== "object" || rec === null) continue;
    const field = FIELDS[e.section][e.fieldPick % FIELDS[e.section].length];
    if (e.action.kind === "drop") delete rec[field];
    else if (e.action.kind === "duplicate") list.push({ ...rec });
    else rec[field] = e.action.value;
  }
  return doc as Json;
}

describe("train.json", () => {
  it("byte damage: truncated, flipped, inserted bytes, bad UTF-8", async () => {
    const valid = Buffer.from(JSON.stringify(smallTrainJson(), null, 1));
    await fc.assert(
      fc.asyncProperty(mutatedBytes(valid), fc.boolean(), async (bytes, intoSaved) => {
        const file = writeFile(t.filesDir, `json${++n}/train.json`, bytes);
        await importOrExplain(file, "train.json", intoSaved);
      }),
      { seed: 20261211, numRuns: 60 },
    );
  });
  it("structural damage: dropped fields, wrong types, duplicate ids", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(structuralEdit, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (edits, intoSaved) => {
          const file = writeFile(t.filesDir, `struct${++n}/train.json`, applyEdits(edits));
          await importOrExplain(file, "train.json", intoSaved);
        },
      ),
      { seed: 20261212, numRuns: 80 },
    );
  });
});

describe("CSV manifests", () => {
  it("byte damage: truncated, flipped, inserted bytes, bad UTF-8", async () => {
    await fc.assert(
      fc.asyncProperty(mutatedBytes(Buffer.from(SMALL_CSV)), fc.boolean(), async (bytes, intoSaved) => {
        const file = writeFile(t.filesDir, `csv${++n}/manifest.csv`, bytes);
        await importOrExplain(file, "manifest.csv", intoSaved);
      }),
      { seed: 20261213, numRuns: 60 },
    );
  });
  it("cells of the wrong kind", async () => {
    const cell = fc.oneof(
      fc.constantFrom(
        "",
        "x",
        "-91",
        "181",
        "1e999",
        "NaN",
        "2020-02-30",
        "..",
        "../x.jpg",
        "/etc/passwd",
        "\0",
        "a\u0000b",
        '"',
        " ",
      ),
      fc.string({ unit: "grapheme", maxLength: 8 }),
    );
    const rows = fc.array(fc.array(cell, { minLength: 9, maxLength: 9 }), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(rows, async (cells) => {
        const text = [
          SMALL_CSV.split("\n")[0],
          ...cells.map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(",")),
        ];
        const file = writeFile(t.filesDir, `cells${++n}/manifest.csv`, text.join("\n") + "\n");
        await importOrExplain(file, "manifest.csv", false);
      }),
      { seed: 20261214, numRuns: 40 },
    );
  });
});

describe("folders", () => {
  it("odd file names: unicode, spaces, dots, very long", async () => {
    const part = fc
      .oneof(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
        fc.constantFrom("..", "...", ". .", " ", "a b", "-rf", "~", "$HOME", "%2e%2e", "\\..\\", "CON", "é", "e\u0301"),
        fc.string({ unit: "grapheme-ascii", minLength: 100, maxLength: 240 }),
      )
      .map((s) => s.replaceAll("/", "_").replaceAll("\0", "_"))
      .filter((s) => s !== "." && s !== ".." && Buffer.byteLength(s) <= 240);
    const name = fc.tuple(
      fc.array(part, { minLength: 1, maxLength: 3 }),
      fc.constantFrom(".jpg", ".JPG", ".png", ".txt", ""),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(name, { minLength: 1, maxLength: 5, selector: ([p, e]) => p.join("/") + e }),
        async (names) => {
          const folder = path.join(t.filesDir, `folder${++n}`);
          const written = new Set<string>();
          for (const [parts, ext] of names) {
            const rel = parts.join("/") + ext;
            try {
              writeFile(folder, rel, "not really an image");
              written.add(rel);
            } catch {
              // the file system refused the name (a file where a folder is needed, too long a path): not ours to test
            }
          }
          fs.mkdirSync(folder, { recursive: true });
          await importOrExplain(folder, `folder${n}`, false);
        },
      ),
      { seed: 20261215, numRuns: 30 },
    );
  });
});

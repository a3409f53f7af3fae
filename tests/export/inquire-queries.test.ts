import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { csvField } from "@/lib/export/csv";
import { inquireQueriesCsv, splitQueries } from "@/lib/export/inquire-queries";
import { importInquireQueries } from "@/lib/queries/inquire-csv";
import { parseInquireQueriesCsv } from "@/lib/queries/inquire-file";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { sharedDir, sharedFixturesAvailable } from "../models/shared-fixtures";

// INQUIRE's own query files, imported and exported again, come back byte for byte: pandas' index,
// the row order, the quoting ("Mating, Courtship, Reproduction"; doubled quotes) and the trailing
// space INQUIRE has in one query.

const files = { val: "inquire_queries_val.csv", test: "inquire_queries_test.csv" } as const;
const dir = path.join(sharedDir, "data/inquire");
const available = sharedFixturesAvailable(...Object.values(files).map((f) => path.join(dir, f)));

describe("pandas-style CSV fields", () => {
  it("quotes only what needs it", () => {
    expect(csvField("plain text ")).toBe("plain text ");
    expect(csvField("a, b")).toBe('"a, b"');
    expect(csvField('the "la gruta" morph')).toBe('"the ""la gruta"" morph"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(null)).toBe("");
    expect(csvField(12)).toBe("12");
  });
});

describe.skipIf(!available).each(dbKinds)("INQUIRE's query files round-trip on %s", (kind) => {
  let t: TestDatabase;
  let collectionId: number;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    collectionId = (await db().query("INSERT INTO collections (name) VALUES ('inquire') RETURNING id")).rows[0].id;
    // test first, so file order, not import order, decides
    for (const split of ["test", "val"] as const) {
      const bytes = fs.readFileSync(path.join(dir, files[split]));
      await importInquireQueries(collectionId, parseInquireQueriesCsv(bytes, files[split]), { split });
    }
  });
  afterAll(async () => t?.close());

  it.each(["val", "test"] as const)("%s: exported byte-identical", async (split) => {
    const original = fs.readFileSync(path.join(dir, files[split]));
    const exported = Buffer.from(inquireQueriesCsv(await splitQueries(collectionId, split)), "utf8");
    expect(exported.length).toBe(original.length);
    expect(exported.equals(original)).toBe(true);
  });

  it("queries written in the tool follow the imported ones, numbered on from the largest index", async () => {
    const rows = await splitQueries(collectionId, "val");
    const csv = inquireQueriesCsv([
      ...rows,
      {
        index: null,
        queryId: "new-1",
        text: "a, new query",
        supercategory: "Context",
        category: null,
        iconicGroup: null,
      },
    ]);
    const max = Math.max(...rows.map((r) => Number(r.index)));
    expect(csv.endsWith(`${max + 1},new-1,"a, new query",Context,,\n`)).toBe(true);
  });
});

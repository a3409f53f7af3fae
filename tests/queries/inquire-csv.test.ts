import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { importInquireQueries } from "@/lib/queries/inquire-csv";
import { parseInquireQueriesCsv, QueryCsvError } from "@/lib/queries/inquire-file";
import { findQuery, listQueries, updateQuery } from "@/lib/queries/queries";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedCollection, type SeededCollection } from "../helpers/seed";
import { dbKinds, servicesRequired } from "../helpers/services";

const INQUIRE = path.resolve(import.meta.dirname, "../../../shared/data/inquire");
const VAL = path.join(INQUIRE, "inquire_queries_val.csv");
const TEST = path.join(INQUIRE, "inquire_queries_test.csv");
const haveInquire = fs.existsSync(VAL) && fs.existsSync(TEST);
if (!haveInquire && servicesRequired) throw new Error(`${INQUIRE} is missing`);

const HEADER = ",query_id,query_text,supercategory,category,iconic_group\n";
const csv = (body: string) => Buffer.from(HEADER + body);

function csvError(bytes: Buffer): { message: string; line?: number; column?: string } {
  try {
    parseInquireQueriesCsv(bytes, "q.csv");
  } catch (e) {
    expect(e).toBeInstanceOf(QueryCsvError);
    const err = e as QueryCsvError;
    return { message: err.message, line: err.line, column: err.column };
  }
  throw new Error("accepted a bad file");
}

describe("reading INQUIRE query CSVs", () => {
  it("keeps ids, text (trailing spaces, quotes, commas) and categories exactly", () => {
    const rows = parseInquireQueriesCsv(
      csv(
        "127,161,red fox showing signs of sarcoptic mange ,Appearance,Health and Disease,Mammals\n" +
          '92,123,"Strawberry poison-dart frog with the ""la gruta"" color morph",Appearance,Unique appearances or morphs,Amphibians\n' +
          '52,71,A peacock male displaying its feathers,Behavior,"Mating, Courtship, Reproduction",Birds\n' +
          "3,9,Hübner's Wasp Moth mating,Behavior,,\n",
      ),
      "q.csv",
    );
    expect(rows).toEqual([
      {
        line: 2,
        index: "127",
        queryId: "161",
        text: "red fox showing signs of sarcoptic mange ",
        supercategory: "Appearance",
        category: "Health and Disease",
        iconicGroup: "Mammals",
      },
      {
        line: 3,
        index: "92",
        queryId: "123",
        text: 'Strawberry poison-dart frog with the "la gruta" color morph',
        supercategory: "Appearance",
        category: "Unique appearances or morphs",
        iconicGroup: "Amphibians",
      },
      {
        line: 4,
        index: "52",
        queryId: "71",
        text: "A peacock male displaying its feathers",
        supercategory: "Behavior",
        category: "Mating, Courtship, Reproduction",
        iconicGroup: "Birds",
      },
      {
        line: 5,
        index: "3",
        queryId: "9",
        text: "Hübner's Wasp Moth mating",
        supercategory: "Behavior",
        category: null,
        iconicGroup: null,
      },
    ]);
    // without pandas' index column, and with a byte-order mark, it reads the same
    const plain = parseInquireQueriesCsv(
      Buffer.from(
        "\uFEFFquery_id,query_text,supercategory,category,iconic_group\n161,red fox ,Appearance,Health and Disease,Mammals\n",
      ),
      "q.csv",
    );
    expect(plain).toEqual([
      {
        line: 2,
        index: null,
        queryId: "161",
        text: "red fox ",
        supercategory: "Appearance",
        category: "Health and Disease",
        iconicGroup: "Mammals",
      },
    ]);
  });

  it("names the file, line and column of every problem", () => {
    expect(csvError(csv("1,5,A heron,Behaviour,Feeding and Hydration,Birds\n"))).toEqual({
      message: 'q.csv line 2, column supercategory: "Behaviour" is not one of Appearance, Behavior, Context, Species',
      line: 2,
      column: "supercategory",
    });
    expect(
      csvError(
        csv("1,5,A heron,Behavior,Feeding and Hydration,Birds\n2,,A crane,Behavior,Feeding and Hydration,Birds\n"),
      ),
    ).toEqual({
      message: "q.csv line 3, column query_id: empty; every query needs its id",
      line: 3,
      column: "query_id",
    });
    expect(
      csvError(csv("1,5,A heron,Behavior,x,Birds\n2,6,A crane,Behavior,x,Birds\n3,5,A stork,Behavior,x,Birds\n")),
    ).toEqual({
      message: "q.csv line 4, column query_id: query 5 appears twice (also on line 2)",
      line: 4,
      column: "query_id",
    });
    expect(csvError(csv("1,5,  ,Behavior,x,Birds\n"))).toEqual({
      message: "q.csv line 2, column query_text: empty",
      line: 2,
      column: "query_text",
    });
    expect(csvError(csv("1,5,A heron,Behavior,x\n"))).toMatchObject({ line: 2 });
    expect(csvError(csv("1,5,A heron,Behavior,x\n")).message).toMatch(
      /^q\.csv line 2: this row has a different number of fields from the header/,
    );
    expect(csvError(Buffer.from(",query_id,query_text,supercategory,category\n1,5,A heron,Behavior,x\n"))).toEqual({
      message: "q.csv line 1: missing column iconic_group",
      line: 1,
      column: "iconic_group",
    });
    expect(csvError(Buffer.from(",query_id,query,supercategory,category,iconic_group\n"))).toEqual({
      message:
        'q.csv line 1: unknown column "query"; INQUIRE\'s query files have query_id, query_text, supercategory, category, iconic_group',
      line: 1,
      column: "query",
    });
    expect(
      csvError(
        Buffer.concat([
          csv("1,5,A heron,Behavior,x,Birds\n"),
          Buffer.from([0x32, 0x2c, 0x36, 0x2c, 0xff, 0xfe, 0x2c, 0x0a]),
        ]),
      ),
    ).toEqual({
      message: "q.csv line 3: not UTF-8 text (save the file as UTF-8)",
      line: 3,
      column: undefined,
    });
    expect(csvError(Buffer.from(""))).toMatchObject({
      message: "q.csv: the file is empty; expected the header ,query_id,query_text,supercategory,category,iconic_group",
    });
    expect(csvError(csv('1,5,"A heron,Behavior,x,Birds\n')).message).toMatch(/^q\.csv line \d: /);
  });
});

describe.skipIf(!haveInquire).each(dbKinds)("importing INQUIRE's own query files on %s (needs ../shared)", (kind) => {
  let t: TestDatabase;
  let seeded: SeededCollection;
  let root: string;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-inquire-"));
    seeded = await seedCollection(root);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("imports the 50 val and 200 test queries with INQUIRE's ids, exact text, categories and splits", async () => {
    const val = parseInquireQueriesCsv(fs.readFileSync(VAL), "inquire_queries_val.csv");
    expect(await importInquireQueries(seeded.id, val, { split: "val" })).toEqual({
      created: 50,
      updated: 0,
      unchanged: 0,
      total: 50,
    });
    const test = parseInquireQueriesCsv(fs.readFileSync(TEST), "inquire_queries_test.csv");
    expect(await importInquireQueries(seeded.id, test, { split: "test" })).toEqual({
      created: 200,
      updated: 0,
      unchanged: 0,
      total: 200,
    });

    // compare with an independent read of the same files
    const reference = [VAL, TEST].flatMap((f) =>
      (parse(fs.readFileSync(f), { columns: true, bom: true }) as Record<string, string>[]).map((r) => ({
        id: r.query_id,
        text: r.query_text,
        supercategory: r.supercategory,
        category: r.category || null,
        iconicGroup: r.iconic_group || null,
        split: f === VAL ? "val" : "test",
      })),
    );
    const listed = await listQueries(seeded.id);
    expect(listed).toHaveLength(250);
    const byId = new Map(listed.map((q) => [q.id, q]));
    for (const r of reference) expect(byId.get(r.id)).toMatchObject(r);
    expect((await findQuery(seeded.id, "161"))!.text).toBe("red fox showing signs of sarcoptic mange ");
    expect(listed.map((q) => Number(q.id))).toEqual([...listed.map((q) => Number(q.id))].sort((a, b) => a - b));

    // importing again changes nothing
    expect(await importInquireQueries(seeded.id, val, { split: "val" })).toEqual({
      created: 0,
      updated: 0,
      unchanged: 50,
      total: 50,
    });
  });

  it("updates a changed query in place, keeping what the file does not hold (taxon scope, notes)", async () => {
    await updateQuery(seeded.id, "109", { taxonScope: [{ rank: "class", name: "Aves" }], notes: "male plumage" }, null);
    const rows = parseInquireQueriesCsv(
      csv("83,109,Eurasian Black Grouse male (lekking),Appearance,Sex identification,Birds\n"),
      "q.csv",
    );
    expect(await importInquireQueries(seeded.id, rows)).toEqual({ created: 0, updated: 1, unchanged: 0, total: 1 });
    expect(await findQuery(seeded.id, "109")).toMatchObject({
      text: "Eurasian Black Grouse male (lekking)",
      taxonScope: [{ rank: "class", name: "Aves" }],
      notes: "male plumage",
      split: "val",
      revision: 3,
    });
  });

  it("saves nothing when any row is bad", async () => {
    const before = (await db().query("SELECT count(*)::int AS n FROM queries")).rows[0].n;
    const rows = parseInquireQueriesCsv(
      csv("1,9001,New one,Context,x,Birds\n2,9002,Another,Context,x,Birds\n"),
      "q.csv",
    );
    rows[1].text = " ".repeat(3); // a row only the database-side check can catch
    await expect(importInquireQueries(seeded.id, rows)).rejects.toThrow("line 3: Write the query text");
    expect((await db().query("SELECT count(*)::int AS n FROM queries")).rows[0].n).toBe(before);
  });
});

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PermissionError } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { importInquireQueries } from "@/lib/queries/inquire-csv";
import { parseInquireQueriesCsv } from "@/lib/queries/inquire-file";
import { listRevisions, QueryInputError, updateQuery } from "@/lib/queries/queries";
import { drawSplits, freezeSplits, listSplitQueries, moveSplit, splitCounts } from "@/lib/splits/splits";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds, servicesRequired } from "../helpers/services";

// Splits on the database: the stratified draw's counts per supercategory, the same seed drawing the
// same split, queries that have a split keeping it (INQUIRE's own val and test files), a lead's move,
// and a frozen split refused to everyone and every way in (lib/queries, then the database's trigger).

const INQUIRE = path.resolve(import.meta.dirname, "../../../shared/data/inquire");
const haveInquire = fs.existsSync(path.join(INQUIRE, "inquire_queries_val.csv"));
if (!haveInquire && servicesRequired) throw new Error(`${INQUIRE} is missing`);

async function addQueries(collectionId: number, counts: Record<string, number>): Promise<void> {
  for (const [supercategory, n] of Object.entries(counts))
    for (let i = 0; i < n; i++)
      await db().query("INSERT INTO queries (collection_id, source_id, text, supercategory) VALUES ($1, $2, $3, $4)", [
        collectionId,
        `${supercategory.toLowerCase()}-${i}`,
        `a ${supercategory} query ${i}`,
        supercategory,
      ]);
}

const collection = async (name: string) =>
  (await db().query<{ id: number }>("INSERT INTO collections (name) VALUES ($1) RETURNING id", [name])).rows[0].id;

describe.each(dbKinds)("splits on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await db().query(
      "INSERT INTO users (id, name, email, role) VALUES ('lead', 'Lee', 'lead@example.org', 'lead'), ('ann', 'Ann', 'ann@example.org', 'expert')",
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it("draws 20% val per supercategory, and the same seed draws the same split", async () => {
    const a = await collection("draw-a");
    const b = await collection("draw-b");
    for (const c of [a, b]) await addQueries(c, { Appearance: 10, Behavior: 15, Context: 5, Species: 0 });
    const first = await drawSplits(a, "lead", { seed: 7 });
    expect(first).toMatchObject({ assigned: 30, kept: 0, val: 6, test: 24, seed: 7, valShare: 0.2 });
    const counts = splitCounts(await listSplitQueries(a));
    expect(counts).toEqual([
      { supercategory: "Appearance", val: 2, test: 8, none: 0 },
      { supercategory: "Behavior", val: 3, test: 12, none: 0 },
      { supercategory: "Context", val: 1, test: 4, none: 0 },
    ]);
    await drawSplits(b, "lead", { seed: 7 });
    const splitsOf = async (c: number) => (await listSplitQueries(c)).map((q) => [q.queryId, q.split]);
    expect(await splitsOf(b)).toEqual(await splitsOf(a));
    // drawing again changes nothing: every query has its split now
    expect(await drawSplits(a, "lead", { seed: 99 })).toMatchObject({ assigned: 0, kept: 30 });
    const q = (await listSplitQueries(a))[0];
    // the draw is a revision of each query it set
    expect((await listRevisions(q.queryRowId)).at(-1)?.snapshot.split).toBe(q.split);
  });

  it("lets only a lead draw, and writes nothing when refused", async () => {
    const c = await collection("draw-refused");
    await addQueries(c, { Appearance: 5 });
    await expect(drawSplits(c, "ann")).rejects.toThrow(PermissionError);
    expect((await listSplitQueries(c)).every((q) => q.split === null)).toBe(true);
  });

  it("moves a query between val and test until an export freezes it; then nobody moves it, however asked", async () => {
    const c = await collection("move");
    await addQueries(c, { Behavior: 10 });
    await drawSplits(c, "lead");
    const [first] = (await listSplitQueries(c)).filter((q) => q.split === "val");
    expect((await moveSplit(c, first.queryId, "test", "lead")).split).toBe("test");
    await expect(moveSplit(c, first.queryId, "val", "ann")).rejects.toThrow(PermissionError);

    expect(await freezeSplits(db(), [first.queryRowId])).toEqual({ frozen: 1, withoutSplit: [] });
    await expect(moveSplit(c, first.queryId, "val", "lead")).rejects.toThrow(QueryInputError);
    await expect(moveSplit(c, first.queryId, "val", null)).rejects.toThrow(/split is frozen/);
    // the database refuses any other way in
    await expect(db().query("UPDATE queries SET split = 'val' WHERE id = $1", [first.queryRowId])).rejects.toThrow(
      /frozen split/,
    );
    // the rest of a frozen query may still be edited, and freezing twice keeps the first date
    const before = (await listSplitQueries(c)).find((q) => q.queryId === first.queryId)!;
    await updateQuery(c, first.queryId, { notes: "seen by the export" }, "lead");
    expect(await freezeSplits(db(), [first.queryRowId])).toEqual({ frozen: 0, withoutSplit: [] });
    const after = (await listSplitQueries(c)).find((q) => q.queryId === first.queryId)!;
    expect(after.split).toBe("test");
    expect(after.splitFrozenAt).toEqual(before.splitFrozenAt);
    // a draw passes over it; a query with no split is not frozen, and is named back
    const other = await db().query<{ id: number }>(
      "INSERT INTO queries (collection_id, source_id, text) VALUES ($1, 'fresh', 'a fresh query') RETURNING id",
      [c],
    );
    expect(await freezeSplits(db(), [other.rows[0].id])).toEqual({ frozen: 0, withoutSplit: [other.rows[0].id] });
  });

  it.runIf(haveInquire)(
    "keeps the split INQUIRE's imported queries came with, and draws only the new ones",
    async () => {
      const c = await collection("inquire");
      for (const split of ["val", "test"] as const) {
        const file = path.join(INQUIRE, `inquire_queries_${split}.csv`);
        await importInquireQueries(c, parseInquireQueriesCsv(fs.readFileSync(file), file), { split });
      }
      const imported = await listSplitQueries(c);
      expect(imported).toHaveLength(250);
      const drawn = await drawSplits(c, "lead", { seed: 3 });
      expect(drawn).toMatchObject({ assigned: 0, kept: 250, val: 50, test: 200 });
      expect((await listSplitQueries(c)).map((q) => q.split)).toEqual(imported.map((q) => q.split));

      await addQueries(c, { Appearance: 5, Species: 5 });
      const more = await drawSplits(c, "lead", { seed: 3 });
      expect(more.assigned).toBe(10);
      const after = await listSplitQueries(c);
      for (const q of imported) expect(after.find((a) => a.queryRowId === q.queryRowId)!.split).toBe(q.split);
      // the imported split is frozen by an export; importing the other file over it is refused, naming
      // the file's first line whose query is frozen (the importer's own check, not the trigger's raw error)
      const val = imported.filter((q) => q.split === "val").map((q) => q.queryRowId);
      await freezeSplits(db(), val);
      const testFile = path.join(INQUIRE, "inquire_queries_val.csv");
      await expect(
        importInquireQueries(c, parseInquireQueriesCsv(fs.readFileSync(testFile), testFile), { split: "test" }),
      ).rejects.toThrow(/^line 2: Query \S+'s split is frozen \(exported [0-9T:.Z-]+\): it stays val$/);
      expect((await listSplitQueries(c)).filter((q) => q.split === "val")).toHaveLength(
        after.filter((q) => q.split === "val").length,
      );
    },
  );
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "@/lib/auth/users";
import {
  createQuery,
  findQuery,
  listQueries,
  listRevisions,
  QueryInputError,
  updateQuery,
} from "@/lib/queries/queries";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { seedCollection, type SeededCollection } from "../helpers/seed";
import { dbKinds } from "../helpers/services";

describe.each(dbKinds)("writing and editing queries on %s", (kind) => {
  let t: TestDatabase;
  let seeded: SeededCollection;
  let root: string;
  let editor: string;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-queries-"));
    seeded = await seedCollection(root);
    editor = (
      await createUser({ email: "ed@example.org", name: "Ed Editor", password: "password-123", role: "expert" })
    ).id;
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("creates a query with a taxon scope at two ranks, keeping the text exactly as written", async () => {
    const q = await createQuery(
      seeded.id,
      {
        text: "  Bald eagle carrying a fish ",
        supercategory: "Behavior",
        category: "Feeding and Hydration",
        iconicGroup: "Birds",
        taxonScope: [
          { rank: "genus", name: "Haliaeetus" },
          { rank: "family", name: "Papilionidae" },
        ],
        notes: "Talons must hold the fish.",
        examples: ["1013", "1014"],
      },
      editor,
    );
    expect(q).toMatchObject({
      id: "1",
      text: "  Bald eagle carrying a fish ",
      supercategory: "Behavior",
      category: "Feeding and Hydration",
      iconicGroup: "Birds",
      taxonScope: [
        { rank: "genus", name: "Haliaeetus" },
        { rank: "family", name: "Papilionidae" },
      ],
      notes: "Talons must hold the fish.",
      examples: ["1013", "1014"],
      status: "draft",
      split: null,
      createdBy: editor,
      revision: 1,
    });
    // ids go on from the highest number in the collection
    const second = await createQuery(seeded.id, { text: "An oak in autumn" }, editor);
    expect(second.id).toBe("2");
    expect(second.supercategory).toBeNull();
    await expect(createQuery(seeded.id, { text: "again" }, editor, { sourceId: "2" })).rejects.toThrow(
      "A query with id 2 already exists in this collection",
    );
  });

  it("says what is wrong with bad input, naming the field", async () => {
    const bad = async (input: Record<string, unknown>) => {
      try {
        await createQuery(seeded.id, { text: "x", ...input }, editor);
      } catch (e) {
        expect(e).toBeInstanceOf(QueryInputError);
        return { message: (e as QueryInputError).message, field: (e as QueryInputError).field };
      }
      throw new Error("accepted bad input");
    };
    expect(await bad({ text: "   " })).toEqual({ message: "Write the query text", field: "text" });
    expect(await bad({ supercategory: "Behaviour" })).toEqual({
      message: "The supercategory is one of Appearance, Behavior, Context, Species",
      field: "supercategory",
    });
    expect(await bad({ taxonScope: [{ rank: "genus", name: "Aquila" }] })).toEqual({
      message: 'Taxon scope: this collection has no genus named "Aquila"',
      field: "taxonScope",
    });
    expect(await bad({ examples: ["1013", "no-such-image"] })).toEqual({
      message: "Example images not in this collection: no-such-image",
      field: "examples",
    });
    expect(await bad({ split: "train" })).toEqual({ message: "The split is val or test", field: "split" });
  });

  it("keeps every saved change as a revision, and refuses to overwrite someone else's edit", async () => {
    const before = (await findQuery(seeded.id, "2"))!;
    const edited = await updateQuery(
      seeded.id,
      "2",
      { text: "An oak in autumn colours ", taxonScope: [{ rank: "species", name: "Quercus robur" }] },
      editor,
      { expectedRevision: before.revision },
    );
    expect(edited).toMatchObject({
      text: "An oak in autumn colours ",
      taxonScope: [{ rank: "species", name: "Quercus robur" }],
      revision: 2,
    });
    // saving the same thing again is not a revision
    expect((await updateQuery(seeded.id, "2", { text: "An oak in autumn colours " }, editor)).revision).toBe(2);
    await expect(updateQuery(seeded.id, "2", { notes: "stale edit" }, editor, { expectedRevision: 1 })).rejects.toThrow(
      "Someone else saved this query since you opened it (revision 2, you had 1): reload to see their changes",
    );
    await updateQuery(seeded.id, "2", { notes: "Leaves must be turning." }, null);
    const revisions = await listRevisions(edited.rowId);
    expect(revisions.map((r) => [r.number, r.editor, r.changed])).toEqual([
      [
        1,
        "Ed Editor",
        ["text", "supercategory", "category", "iconicGroup", "taxonScope", "notes", "examples", "split", "status"],
      ],
      [2, "Ed Editor", ["text", "taxonScope"]],
      [3, null, ["notes"]],
    ]);
    expect(revisions[0].snapshot.text).toBe("An oak in autumn");
    expect(revisions[2].snapshot).toMatchObject({
      text: "An oak in autumn colours ",
      notes: "Leaves must be turning.",
    });
  });

  it("lists the collection's queries in id order with their counts", async () => {
    await createQuery(seeded.id, { text: "ten" }, editor, { sourceId: "10" });
    await createQuery(seeded.id, { text: "custom" }, editor, { sourceId: "garden-a" });
    const list = await listQueries(seeded.id);
    expect(list.map((q) => q.id)).toEqual(["1", "2", "10", "garden-a"]);
    expect(list[0]).toMatchObject({
      text: "  Bald eagle carrying a fish ",
      supercategory: "Behavior",
      judged: 0,
      relevant: 0,
      candidates: 0,
    });
  });
});

import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET } from "@/app/api/collections/route";
import { registerCollectionCommands } from "@/cli/commands/collections";
import { getAuth } from "@/lib/auth/auth";
import { createUser } from "@/lib/auth/users";
import { listCollections } from "@/lib/collections/list";
import { db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

// One collection summary: GET /api/collections, `fieldmark collections list` and the collections page
// (listCollections) give the same numbers, and `taxa` counts the categories images can be labelled with.

process.env.BETTER_AUTH_SECRET ??= "fieldmark-test-secret-not-for-production-use";

async function signInCookie(email: string, password: string): Promise<string> {
  const { headers } = await getAuth().api.signInEmail({ body: { email, password }, returnHeaders: true });
  return headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

async function cli(args: string[]): Promise<string> {
  const program = new Command("fieldmark").exitOverride();
  registerCollectionCommands(program);
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const log = vi.spyOn(console, "log").mockImplementation((...parts: unknown[]) => {
    out += `${parts.join(" ")}\n`;
  });
  try {
    await program.parseAsync(["node", "fieldmark", ...args]);
  } finally {
    spy.mockRestore();
    log.mockRestore();
  }
  return out;
}

async function addCollection(name: string, description: string | null): Promise<number> {
  const r = await db().query("INSERT INTO collections (name, description) VALUES ($1, $2) RETURNING id", [
    name,
    description,
  ]);
  return r.rows[0].id;
}

/** A taxon with `images` images. */
async function addTaxon(collectionId: number, name: string, rank: string | null, images: number): Promise<void> {
  const t = await db().query(
    "INSERT INTO taxa (collection_id, source_id, name, rank) VALUES ($1, $2, $2, $3) RETURNING id",
    [collectionId, name, rank],
  );
  for (let i = 0; i < images; i++)
    await db().query("INSERT INTO images (collection_id, source_id, file_name, taxon_id) VALUES ($1, $2, $2, $3)", [
      collectionId,
      `${name}/${i}.jpg`,
      t.rows[0].id,
    ]);
}

describe.each(dbKinds)("the collection summary on %s", (kind) => {
  let t: TestDatabase;
  let cookie: string;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const moths = await addCollection("moths", "Moths of the garden");
    await addTaxon(moths, "Danaus plexippus", "species", 3);
    await addTaxon(moths, "Danaus gilippus", "species", 0); // a species without images yet: counted
    await addTaxon(moths, "Papilio", "genus", 2); // a genus-level category with images: counted
    await addTaxon(moths, "Adonis", null, 1); // unranked, with images: counted
    await addTaxon(moths, "Papilionidae", "family", 0); // only stands in the taxonomy: not counted
    await db().query("INSERT INTO images (collection_id, source_id, file_name) VALUES ($1, 'unlabelled', 'u.jpg')", [
      moths,
    ]);
    await addCollection("empty", null);
    await createUser({ email: "sum@example.org", name: "Sum", password: "sum-password", role: "expert" });
    cookie = await signInCookie("sum@example.org", "sum-password");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("GET /api/collections and `fieldmark collections list` give the same numbers", async () => {
    const response = await GET(new Request("http://localhost/api/collections", { headers: { cookie } }), {
      params: Promise.resolve({}),
    });
    expect(response.status).toBe(200);
    const api: { collections: { name: string; description?: string; images: number; taxa: number }[] } =
      await response.json();
    const listed = JSON.parse(await cli(["collections", "list", "--json"]));
    const numbers = [
      { name: "empty", images: 0, taxa: 0 },
      { name: "moths", images: 7, taxa: 4 },
    ];
    expect(listed).toEqual(numbers);
    expect(api.collections.map(({ name, images, taxa }) => ({ name, images, taxa }))).toEqual(numbers);
    expect(api.collections.map((c) => c.description)).toEqual([undefined, "Moths of the garden"]);
    expect(await listCollections()).toEqual(api.collections);

    const table = await cli(["collections", "list"]);
    expect(
      table
        .split("\n")
        .slice(1, 3)
        .map((line) => line.trim().split(/\s+/)),
    ).toEqual([
      ["empty", "0", "0"],
      ["moths", "7", "4"],
    ]);
  });
});

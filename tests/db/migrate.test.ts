import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

describe.each(dbKinds)("migrations on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind, { fresh: true }); // the first start itself, not the template
  });
  afterAll(async () => {
    await t?.close();
  });

  it("applies every migration once, with Prisma's bookkeeping, and pgvector works", async () => {
    const rows = (await db().query("SELECT migration_name, finished_at FROM _prisma_migrations")).rows;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.finished_at)).toBe(true);
    expect(await migrate(db())).toEqual([]); // a second run applies nothing
    const d = await db().query("SELECT '[1,0,0]'::vector <=> '[0,1,0]'::vector AS d");
    expect(d.rows[0].d).toBeCloseTo(1);
  });
});

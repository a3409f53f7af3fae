import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PermissionError } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { listRevisions, type QueryRef } from "@/lib/queries/queries";
import { finishQuery, reopenQuery } from "@/lib/queries/status";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

// A query is finished only by a lead: when it looks complete, or on the lead's say-so; reopened, it
// goes back to labeling with its history. Each change is a revision.

describe.each(dbKinds)("finishing and reopening a query on %s", (kind) => {
  let t: TestDatabase;
  let ref: QueryRef;
  const lead = { id: "lee", role: "lead" as const };
  const expert = { id: "eve", role: "expert" as const };
  const status = async () => (await db().query("SELECT status FROM queries WHERE id = $1", [ref.rowId])).rows[0].status;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    for (const u of [lead, expert])
      await db().query("INSERT INTO users (id, name, email, role) VALUES ($1, $1, $1 || '@example.org', $2)", [
        u.id,
        u.role,
      ]);
    const c = (await db().query("INSERT INTO collections (name) VALUES ('c') RETURNING id")).rows[0].id;
    const q = (
      await db().query(
        "INSERT INTO queries (collection_id, source_id, text, status) VALUES ($1, '1', 'q', 'labeling') RETURNING id",
        [c],
      )
    ).rows[0].id;
    ref = { rowId: q, collectionId: c };
  });
  afterAll(async () => t?.close());

  it("refuses an expert, and a query that does not look complete unless the lead overrides", async () => {
    await expect(finishQuery(ref, expert)).rejects.toBeInstanceOf(PermissionError);
    await expect(finishQuery(ref, lead)).rejects.toThrow(/does not look complete/);
    expect(await status()).toBe("labeling");
    await db().query("INSERT INTO query_learning (query_id, looks_complete) VALUES ($1, true)", [ref.rowId]);
    expect((await finishQuery(ref, lead)).status).toBe("finished");
    const l = await db().query("SELECT finished_by, finished_at FROM query_learning WHERE query_id = $1", [ref.rowId]);
    expect(l.rows[0].finished_by).toBe("lee");
  });

  it("reopens to labeling, and finishes again on the lead's say-so; every change is a revision", async () => {
    await expect(reopenQuery(ref, expert)).rejects.toBeInstanceOf(PermissionError);
    expect((await reopenQuery(ref, lead)).status).toBe("labeling");
    const l = await db().query("SELECT finished_by FROM query_learning WHERE query_id = $1", [ref.rowId]);
    expect(l.rows[0].finished_by).toBeNull();
    await db().query("UPDATE query_learning SET looks_complete = false WHERE query_id = $1", [ref.rowId]);
    expect((await finishQuery(ref, lead, { override: true })).status).toBe("finished");
    const revisions = await listRevisions(ref.rowId);
    expect(revisions.map((r) => r.snapshot.status)).toEqual(["finished", "labeling", "finished"]);
  });
});

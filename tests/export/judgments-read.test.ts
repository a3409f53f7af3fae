import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { packedJudgments, plainJudgments } from "@/lib/export/judgments-file";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { seedExportFixture, type ExportFixture } from "./fixture";

// judgments.jsonl reads the judgments packed into one text per query (fast at 200,000) and falls back to
// one row per judgment when a field could hold a separator: both give the same rows, and a separator
// inside an id makes the packed read step aside rather than mis-split.

const key = (r: { q: number; imageRow: string; who: string }) => `${r.q}|${r.imageRow}|${r.who}`;
const sorted = <T extends { q: number; imageRow: string; who: string }>(rows: T[]) =>
  [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

describe.each(dbKinds)("the judgments read for judgments.jsonl on %s", (kind) => {
  let t: TestDatabase;
  let f: ExportFixture;
  let ids: number[];
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    f = await seedExportFixture(path.join(t.filesDir, "photos"));
    ids = Object.values(f.queryRowIds);
    // a history entry, a source and a time spent, so every field is read both ways
    await db().query(
      `UPDATE judgments SET history = '[{"value":"unsure","at":"2026-01-02T03:04:05.678+00:00","clientId":"c1"}]',
              source = 'text-image', time_spent_ms = 1234
        WHERE id = (SELECT min(id) FROM judgments)`,
    );
    await db().query(
      "UPDATE judgments SET source = NULL, time_spent_ms = NULL WHERE id = (SELECT max(id) FROM judgments)",
    );
  }, 120_000);
  afterAll(async () => t?.close());

  it("packed and plain give the same rows", async () => {
    const plain = await plainJudgments(ids);
    const packed = await packedJudgments(ids);
    expect(plain.length).toBeGreaterThan(5);
    expect(plain.some((r) => r.history !== null && r.source !== null && r.ms !== null)).toBe(true);
    expect(plain.some((r) => r.source === null)).toBe(true);
    expect(sorted(packed!)).toEqual(sorted(plain));
  });

  it("steps aside when an annotator id holds a separator", async () => {
    await db().query("INSERT INTO users (id, name, email) VALUES ($1, 'Odd', 'odd@example.org')", ["odd\u001fid"]);
    const image = (await db().query("SELECT image_id FROM judgments LIMIT 1")).rows[0].image_id;
    await db().query(
      "INSERT INTO judgments (query_id, image_id, annotator_id, value) VALUES ($1, $2, $3, 'relevant')",
      [ids[0], image, "odd\u001fid"],
    );
    expect(await packedJudgments(ids)).toBeNull();
    expect((await plainJudgments(ids)).some((r) => r.who === "odd\u001fid")).toBe(true);
  });
});

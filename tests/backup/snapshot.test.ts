import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBackup } from "@/lib/backup/backup";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import { createQuery, type QueryRef } from "@/lib/queries/queries";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { addImages } from "../helpers/judging";
import { seedCollection } from "../helpers/seed";
import { dbKinds } from "../helpers/services";

// A backup taken while an expert keeps judging holds the database as it was at one instant: its
// judgment trail is a prefix of the writes in the order they were acknowledged, and every judgment in
// it agrees with the last event of its trail. (Read table by table without one snapshot, judgments
// written after judgment_events was read would appear without their events.)

type Table = { columns: string[]; rows: (string | null)[][] };

function readTables(file: string): Map<string, Table> {
  const tables = new Map<string, Table>();
  let current: Table | undefined;
  for (const line of zlib.gunzipSync(fs.readFileSync(file)).toString("utf8").split("\n")) {
    if (!line) continue;
    const value = JSON.parse(line);
    if (Array.isArray(value)) current!.rows.push(value);
    else if (value.table) {
      current = { columns: value.columns.map((c: { name: string }) => c.name), rows: [] };
      tables.set(value.table, current);
    }
  }
  return tables;
}

const column = (t: Table, name: string) => t.columns.indexOf(name);

describe.each(dbKinds)("a backup while an expert judges, on %s", (kind) => {
  let t: TestDatabase;
  let work: string;
  let query: QueryRef;
  let expert: string;
  let images: string[];
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-backup-snapshot-"));
    const seeded = await seedCollection(path.join(t.filesDir, "photos"));
    expert = (await createUser({ email: "ana@example.org", name: "Ana", password: "password-123", role: "expert" })).id;
    const q = await createQuery(seeded.id, { text: "Bald eagle carrying a fish" }, expert);
    query = { rowId: q.rowId, collectionId: seeded.id };
    images = await addImages(seeded, 20);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("holds one instant: the trail is a prefix of the acknowledged writes, and the judgments agree with it", async () => {
    const acknowledged: string[] = [];
    let backupDone = false;
    const values = ["relevant", "not_relevant", "unsure"] as const;
    const writer = (async () => {
      for (let i = 0; !backupDone || i < 5; i++) {
        const clientId = crypto.randomUUID();
        const [r] = await applyJudgmentWrites(query, expert, [
          { clientId, imageId: images[i % images.length], value: values[i % 3], source: "text-image", timeSpentMs: 10 },
        ]);
        expect(r.status).toBe("saved");
        acknowledged.push(clientId);
      }
    })();
    while (acknowledged.length < 5) await new Promise((r) => setTimeout(r, 5));
    const before = acknowledged.length;
    const file = path.join(work, "during.gz");
    // paced, so that writes land while it reads (on PGlite they wait for it: one transaction at a time)
    await writeBackup(file, { onProgress: () => new Promise((r) => setTimeout(r, 15)) });
    const after = acknowledged.length;
    backupDone = true;
    await writer;

    const tables = readTables(file);
    const events = tables.get("judgment_events")!;
    const trail = [...events.rows]
      .sort((a, b) => Number(a[column(events, "seq")]) - Number(b[column(events, "seq")]))
      .map((r) => r[column(events, "client_id")]);
    expect(trail.length).toBeGreaterThanOrEqual(before);
    expect(trail.length).toBeLessThanOrEqual(after);
    expect(trail).toEqual(acknowledged.slice(0, trail.length));
    if (kind === "postgres") expect(after - before).toBeGreaterThan(0); // it did not stop the expert

    // each judgment is the last write of its image in the trail, no later one and no earlier one
    const judgments = tables.get("judgments")!;
    const lastByImage = new Map<string, [string | null, string | null]>();
    for (const r of events.rows.sort((a, b) => Number(a[column(events, "seq")]) - Number(b[column(events, "seq")])))
      lastByImage.set(r[column(events, "image_id")]!, [r[column(events, "client_id")], r[column(events, "value")]]);
    expect(judgments.rows.length).toBe(lastByImage.size);
    for (const j of judgments.rows)
      expect(lastByImage.get(j[column(judgments, "image_id")]!)).toEqual([
        j[column(judgments, "client_id")],
        j[column(judgments, "value")],
      ]);
    const total = Number((await db().query("SELECT count(*)::int AS n FROM judgment_events")).rows[0].n);
    expect(total).toBe(acknowledged.length);
  });
});

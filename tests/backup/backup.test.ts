import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBackup } from "@/lib/backup/backup";
import { BackupFileError } from "@/lib/backup/format";
import { restoreBackup, RestoreRefusedError } from "@/lib/backup/restore";
import { db } from "@/lib/db/client";
import { buildExport } from "@/lib/export/build";
import { inTransaction } from "@/lib/db/transaction";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds, type DbKind } from "../helpers/services";
import { nextIds, seedProject, tableContents, vectorIndexes } from "./project";

// A whole project backed up on one kind of database and restored on the other (and on the same kind),
// compared table by table and row by row, vectors included; damaged files and non-empty targets refused
// with nothing written.

const pairs: [DbKind, DbKind][] = dbKinds.includes("postgres")
  ? [
      ["pglite", "pglite"],
      ["pglite", "postgres"],
      ["postgres", "pglite"],
    ]
  : [["pglite", "pglite"]];

/** Every collection's export (unfinished queries too), as each file's SHA-256: built, not written, so nothing freezes. */
async function exportChecksums(): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const c of (await db().query<{ id: number; name: string }>("SELECT id, name FROM collections ORDER BY name"))
    .rows)
    out[c.name] = (await buildExport(c.id, { includeUnfinished: true })).checksums;
  return out;
}

describe.each(pairs)("backup on %s, restore on %s", (from, to) => {
  let work: string;
  let file: string;
  let before: Record<string, string[]>;
  let indexesBefore: string[];
  let idsBefore: Record<string, number>;
  let exportBefore: Record<string, Record<string, string>>;
  let target: TestDatabase | undefined;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-backup-"));
    file = path.join(work, "project.fieldmark.gz");
    const source = await createTestDatabase(from);
    try {
      await seedProject(path.join(source.filesDir, "photos"));
      before = await tableContents();
      indexesBefore = await vectorIndexes();
      idsBefore = await nextIds();
      exportBefore = await exportChecksums();
      const result = await writeBackup(file);
      const rows = result.tables.reduce((s, t) => s + t.rows, 0);
      console.log(
        `backup on ${from}: ${rows} rows, ${result.tables.length} tables, ${result.bytes} bytes, ${result.seconds.toFixed(2)} s`,
      );
    } finally {
      await source.close();
    }
  });
  afterAll(async () => {
    await target?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("restores every table row for row, vectors, their indexes and the id sequences included", async () => {
    expect(before.judgments.length).toBeGreaterThan(30);
    expect(before.judgment_events.length).toBeGreaterThan(before.judgments.length);
    expect(Object.keys(before).filter((t) => t.startsWith("model_vectors_"))).toHaveLength(2);
    expect(indexesBefore.some((d) => d.includes("USING hnsw"))).toBe(true);

    target = await createTestDatabase(to);
    const result = await restoreBackup(file);
    const rows = result.tables.reduce((s, t) => s + t.rows, 0);
    console.log(`restore on ${to}: ${rows} rows in ${result.seconds.toFixed(2)} s`);
    expect(result.from).toBe(from);
    const after = await tableContents();
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const table of Object.keys(before)) expect(after[table], table).toEqual(before[table]);
    expect(await vectorIndexes()).toEqual(indexesBefore);
    expect(await nextIds()).toEqual(idsBefore);
    // what the project publishes is the same to the byte: every file of every collection's export
    expect(Object.values(exportBefore).some((files) => "inquire_annotations.csv" in files)).toBe(true);
    expect(await exportChecksums()).toEqual(exportBefore);

    // the restored database works: a new row takes the next id, a nearest-neighbour search uses the index
    const c = await db().query("INSERT INTO collections (name) VALUES ('new') RETURNING id");
    expect(c.rows[0].id).toBe(idsBefore.collections_id_seq);
    await db().query("DELETE FROM collections WHERE name = 'new'");
    const store = (await db().query("SELECT table_name FROM vector_stores WHERE NOT half")).rows[0].table_name;
    const plan = await inTransaction(
      (client) => client.query(`EXPLAIN SELECT image_id FROM ${store} ORDER BY vector <=> '[1,0,0,0,0,0,0,1]' LIMIT 5`),
      { settings: ["enable_seqscan = off"] },
    );
    expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/hnsw/);
  });

  it("refuses to restore into a database that is not empty, and changes nothing", async () => {
    const err = await restoreBackup(file).catch((e) => e);
    expect(err).toBeInstanceOf(RestoreRefusedError);
    expect(err.message).toMatch(
      /^the database is not empty \(1 collections, 3 users; rows in .*\): restore into an empty database, or pass --force/,
    );
    expect(await tableContents()).toEqual(before);
  });

  it("replaces everything when forced, in one transaction", async () => {
    await db().query("INSERT INTO collections (name) VALUES ('to-be-replaced')");
    await restoreBackup(file, { force: true });
    expect(await tableContents()).toEqual(before);
  });

  it("refuses a truncated file and a flipped byte, leaving the database as it was even when forced", async () => {
    const bytes = fs.readFileSync(file);
    const cut = path.join(work, "cut.gz");
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    await db().query("INSERT INTO collections (name) VALUES ('kept')");
    const kept = await tableContents();

    const e1 = await restoreBackup(cut, { force: true }).catch((e) => e);
    expect(e1).toBeInstanceOf(BackupFileError);
    expect(e1.message).toBe(
      `${cut} is not a whole backup: it ends in the middle of its gzip stream (the file was cut short)`,
    );
    expect(await tableContents()).toEqual(kept);

    // a flipped byte anywhere: a broken gzip stream, a line that is no longer JSON, or a changed value
    // (which the server may refuse, or take): each is refused as damage
    for (const at of [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]) {
      const flipped = path.join(work, `flipped-${at}.gz`);
      const damaged = Buffer.from(bytes);
      damaged[Math.floor(bytes.length * at)] ^= 0x20;
      fs.writeFileSync(flipped, damaged);
      const e2 = await restoreBackup(flipped, { force: true }).catch((e) => e);
      expect(e2, `byte at ${at}: ${e2.message}`).toBeInstanceOf(BackupFileError);
      expect(e2.message).toMatch(new RegExp(`^${flipped}`));
      expect(await tableContents()).toEqual(kept);
    }

    // one character of one row changed, recompressed as a valid gzip: the table's checksum catches it
    const text = zlib.gunzipSync(bytes).toString("utf8");
    const changed = text.replace('"Bald eagle carrying a fish"', '"Bald eagle carrying a fist"');
    expect(changed).not.toBe(text);
    const edited = path.join(work, "edited.gz");
    fs.writeFileSync(edited, zlib.gzipSync(changed));
    const e3 = await restoreBackup(edited, { force: true }).catch((e) => e);
    expect(e3.message).toMatch(
      new RegExp(
        `^${edited}: table queries does not match its checksum \\(2 rows read, 2 written\\): the file was changed or damaged$`,
      ),
    );
    expect(await tableContents()).toEqual(kept);

    // the manifest line dropped: the file ends before it
    const noManifest = path.join(work, "no-manifest.gz");
    fs.writeFileSync(noManifest, zlib.gzipSync(text.slice(0, text.trimEnd().lastIndexOf("\n") + 1)));
    const e4 = await restoreBackup(noManifest, { force: true }).catch((e) => e);
    expect(e4.message).toBe(`${noManifest} ends before a table or the manifest: the file was cut short`);
    expect(await tableContents()).toEqual(kept);

    // a vector table's definition becomes SQL: one that is not Fieldmark's own is refused before it runs
    const hnsw = /"CREATE INDEX model_vectors_\d+_hnsw_idx [^"]*"/.exec(text)![0];
    const crafted = path.join(work, "crafted.gz");
    fs.writeFileSync(crafted, zlib.gzipSync(text.replace(hnsw, `${hnsw.slice(0, -1)}; DROP TABLE users"`)));
    const e5 = await restoreBackup(crafted, { force: true }).catch((e) => e);
    expect(e5).toBeInstanceOf(BackupFileError);
    expect(e5.message).toMatch(
      /is not defined as Fieldmark defines vector tables \(index CREATE INDEX .*; DROP TABLE users\)$/,
    );
    expect(await tableContents()).toEqual(kept);

    const notBackup = path.join(work, "not-a-backup.gz");
    fs.writeFileSync(notBackup, zlib.gzipSync('{"hello":"world"}\n'));
    expect((await restoreBackup(notBackup).catch((e) => e)).message).toBe(`${notBackup} is not a Fieldmark backup`);
  });
});

describe.each(dbKinds)("a damaged backup restored into an empty %s database", (kind) => {
  let t: TestDatabase;
  let work: string;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-backup-empty-"));
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("writes nothing: no rows, no vector tables", async () => {
    await seedProject(path.join(t.filesDir, "photos"));
    const file = path.join(work, "b.gz");
    await writeBackup(file);
    const bytes = fs.readFileSync(file);
    const text = zlib.gunzipSync(bytes).toString("utf8");
    // empty the database by hand, keeping its schema
    await db().query("DELETE FROM vector_stores");
    const tables = (await db().query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).rows
      .map((r) => `"${r.tablename}"`)
      .filter((n) => n !== '"_prisma_migrations"');
    await db().query(`TRUNCATE ${tables.join(", ")}`);
    const empty = await tableContents();
    expect(Object.values(empty).every((rows) => rows.length === 0)).toBe(true);

    // cut after the vector tables were made and loaded: the last table's rows are missing
    const cut = path.join(work, "cut.gz");
    fs.writeFileSync(cut, zlib.gzipSync(text.slice(0, text.lastIndexOf('{"end":'))));
    const err = await restoreBackup(cut).catch((e) => e);
    expect(err).toBeInstanceOf(BackupFileError);
    expect(err.message).toMatch(/ends inside table \w+: the file was cut short$/);
    expect(await tableContents()).toEqual(empty);
  });
});

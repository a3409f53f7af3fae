import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { closeClients } from "@/lib/db/client";
import { startEmbedded } from "@/lib/db/embedded";
import { MIGRATIONS_DIR, migrate } from "@/lib/db/migrate";
import { openDatabase } from "@/lib/db/open";
import { postgresAdminUrl, type DbKind } from "./services";

export type TestDatabase = {
  kind: DbKind;
  url: string;
  /** FIELDMARK_DATA_DIR: the database files, thumbnails, the auth secret; never a place for photos */
  dataDir: string;
  /** a folder beside it for the test's photos and source files, as a user keeps theirs outside the data folder */
  filesDir: string;
  /** stops this process's clients and embedded server, keeping the files (as when the tool is stopped) */
  stopServer: () => Promise<void>;
  close: () => Promise<void>;
};

const ROOT = path.resolve(import.meta.dirname, "../..");

/** What a migrated PGlite folder depends on: the migrations, the code that applies them, PGlite's version. */
function templateKey(): string {
  const hash = crypto.createHash("sha256");
  for (const name of fs.readdirSync(MIGRATIONS_DIR).sort()) {
    const file = path.join(MIGRATIONS_DIR, name, "migration.sql");
    if (fs.existsSync(file)) hash.update(name).update(fs.readFileSync(file));
  }
  for (const file of [
    "lib/db/migrate.ts",
    "lib/db/embedded.ts",
    "node_modules/@electric-sql/pglite/package.json",
    "node_modules/@electric-sql/pglite-pgvector/package.json",
  ])
    hash.update(file).update(fs.readFileSync(path.join(ROOT, file)));
  return hash.digest("hex").slice(0, 16);
}

/**
 * A migrated PGlite folder, made once per machine and migration set by the product's own startEmbedded
 * and migrate, then copied for each test: a new PGlite's initdb costs 4 to 6 s of WebAssembly, a copy
 * a tenth of that. Two test files may make it at once; the first rename wins. The first start itself
 * stays tested: { fresh: true } here, and `npm start` and the faults tests start on empty folders.
 */
async function pgliteTemplate(): Promise<string> {
  const template = path.join(os.tmpdir(), `fieldmark-pglite-template-${templateKey()}`);
  if (fs.existsSync(template)) return template;
  const building = fs.mkdtempSync(`${template}.building-`);
  try {
    const server = await startEmbedded(building);
    const pool = new pg.Pool({ connectionString: server.url, max: 1 });
    try {
      await migrate(pool);
    } finally {
      await pool.end();
      await server.stop();
    }
    fs.rmSync(path.join(building, "server.json"), { force: true });
    fs.renameSync(building, template);
  } catch (e) {
    if (!fs.existsSync(template)) throw e;
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
  return template;
}

/**
 * A migrated database of the given kind, with this process's clients pointed at it: a PGlite in a
 * temp folder (a copy of the migrated template, or with { fresh: true } a first start on an empty
 * folder), or a new database on the test PostgreSQL server.
 */
export async function createTestDatabase(kind: DbKind, opts: { fresh?: boolean } = {}): Promise<TestDatabase> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-test-"));
  const dataDir = path.join(root, "data");
  const filesDir = path.join(root, "files");
  fs.mkdirSync(dataDir);
  fs.mkdirSync(filesDir);
  if (kind === "pglite") {
    if (!opts.fresh) fs.cpSync(await pgliteTemplate(), dataDir, { recursive: true });
    const opened = await openDatabase({ dataDir, port: 3000, databaseUrl: undefined });
    return {
      kind,
      url: opened.url,
      dataDir,
      filesDir,
      stopServer: () => opened.close(),
      close: async () => {
        await opened.close();
        fs.rmSync(root, { recursive: true, force: true });
      },
    };
  }
  if (!postgresAdminUrl) throw new Error("FIELDMARK_TEST_POSTGRES_URL is not set");
  const name = `fieldmark_test_${crypto.randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  const opened = await openDatabase({ dataDir, port: 3000, databaseUrl: url.toString() });
  return {
    kind,
    url: opened.url,
    dataDir,
    filesDir,
    stopServer: () => closeClients(),
    close: async () => {
      await closeClients();
      const a = new pg.Client({ connectionString: postgresAdminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

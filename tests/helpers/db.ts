import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { closeClients } from "@/lib/db/client";
import { openDatabase } from "@/lib/db/open";
import { postgresAdminUrl, type DbKind } from "./services";

export type TestDatabase = {
  kind: DbKind;
  url: string;
  /** FIELDMARK_DATA_DIR: the database files, thumbnails, the auth secret; never a place for photos */
  dataDir: string;
  /** a folder beside it for the test's photos and source files, as a user keeps theirs outside the data folder */
  filesDir: string;
  close: () => Promise<void>;
};

/**
 * A fresh, migrated database of the given kind, with this process's clients pointed at it:
 * a new PGlite in a temp folder, or a new database on the test PostgreSQL server.
 */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-test-"));
  const dataDir = path.join(root, "data");
  const filesDir = path.join(root, "files");
  fs.mkdirSync(dataDir);
  fs.mkdirSync(filesDir);
  if (kind === "pglite") {
    const opened = await openDatabase({ dataDir, port: 3000, databaseUrl: undefined });
    return {
      kind,
      url: opened.url,
      dataDir,
      filesDir,
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

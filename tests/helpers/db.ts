import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { closeClients } from "@/lib/db/client";
import { openDatabase } from "@/lib/db/open";
import { postgresAdminUrl, type DbKind } from "./services";

export type TestDatabase = { kind: DbKind; url: string; dataDir: string; close: () => Promise<void> };

/**
 * A fresh, migrated database of the given kind, with this process's clients pointed at it:
 * a new PGlite in a temp folder, or a new database on the test PostgreSQL server.
 */
export async function createTestDatabase(kind: DbKind): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-test-"));
  if (kind === "pglite") {
    const opened = await openDatabase({ dataDir, port: 3000, databaseUrl: undefined });
    return {
      kind,
      url: opened.url,
      dataDir,
      close: async () => {
        await opened.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
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
    close: async () => {
      await closeClients();
      const a = new pg.Client({ connectionString: postgresAdminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type pg from "pg";
import { inTransaction } from "./transaction";

// Applies prisma/migrations/<timestamp>_<name>/migration.sql in order, with Prisma's own
// _prisma_migrations bookkeeping, so `prisma migrate deploy` stays usable where the network allows it.
// The Prisma CLI cannot migrate offline (STACK.md), so this small runner is the one that runs at start.

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");

// Two processes starting at once (the web app and `fieldmark worker`, two CLI commands) must apply each
// migration once. On PostgreSQL the advisory lock makes the second wait until the first is done. On
// the embedded PGlite every connection is one database session, so the advisory lock excludes nobody
// there: each migration's transaction therefore also locks _prisma_migrations and looks again whether
// the migration was applied meanwhile (PGlite runs one connection's transaction at a time; PostgreSQL
// would make the second wait on the table lock).
const LOCK_KEY = 7_230_114;

export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS _prisma_migrations (
      id varchar(36) PRIMARY KEY,
      checksum varchar(64) NOT NULL,
      finished_at timestamptz,
      migration_name varchar(255) NOT NULL,
      logs text,
      rolled_back_at timestamptz,
      started_at timestamptz NOT NULL DEFAULT now(),
      applied_steps_count integer NOT NULL DEFAULT 0)`);
    const done = await client.query<{ migration_name: string; checksum: string }>(
      "SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    const doneByName = new Map(done.rows.map((r) => [r.migration_name, r.checksum]));
    for (const name of names) {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      const checksum = crypto.createHash("sha256").update(sql).digest("hex");
      const changed = () =>
        new Error(
          `Migration ${name} was changed after it was applied (checksum differs); add a new migration instead.`,
        );
      const previous = doneByName.get(name);
      if (previous !== undefined) {
        if (previous !== checksum) throw changed();
        continue;
      }
      let ran: boolean;
      try {
        ran = await inTransaction(
          async () => {
            await client.query("LOCK TABLE _prisma_migrations IN SHARE ROW EXCLUSIVE MODE");
            const meanwhile = await client.query<{ checksum: string }>(
              `SELECT checksum FROM _prisma_migrations
                WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
              [name],
            );
            if (meanwhile.rows.length) {
              if (meanwhile.rows[0].checksum !== checksum) throw changed();
              return false; // another process applied it while this one waited
            }
            await client.query(sql);
            await client.query(
              `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
              [crypto.randomUUID(), checksum, name],
            );
            return true;
          },
          { client },
        );
      } catch (e) {
        if ((e as Error).message === changed().message) throw e;
        throw new Error(`Migration ${name} failed: ${(e as Error).message}`);
      }
      if (ran) applied.push(name);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
    client.release();
  }
  return applied;
}

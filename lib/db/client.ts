import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";

// The one owner of database clients. Both come from DATABASE_URL, which lib/db/open.ts sets to a real
// PostgreSQL or to the embedded PGlite server, so nothing else needs to know which it is.

// BIGINT ids come back as strings by default; images number in the millions, far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

type Clients = { url: string; pool: pg.Pool; prisma: PrismaClient };
const globalForDb = globalThis as unknown as { fieldmarkDb?: Clients };

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error(
      "DATABASE_URL is not set: start Fieldmark with `fieldmark start`, or open the database with openDatabase()",
    );
  return url;
}

function clients(): Clients {
  const url = databaseUrl();
  const existing = globalForDb.fieldmarkDb;
  if (existing && existing.url === url) return existing;
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.FIELDMARK_POOL_SIZE ?? 10) });
  pool.on("error", (e) => console.error("database pool error:", e.message));
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const created = { url, pool, prisma };
  globalForDb.fieldmarkDb = created;
  return created;
}

/** node-postgres pool, for raw SQL: bulk writes, pgvector, streaming. */
export function db(): pg.Pool {
  return clients().pool;
}

/** Prisma client, for ordinary typed reads and writes. */
export function prisma(): PrismaClient {
  return clients().prisma;
}

export function databaseKind(): "postgres" | "pglite" {
  return process.env.FIELDMARK_DB_KIND === "pglite" ? "pglite" : "postgres";
}

export async function closeClients(): Promise<void> {
  const c = globalForDb.fieldmarkDb;
  globalForDb.fieldmarkDb = undefined;
  if (!c) return;
  await c.prisma.$disconnect().catch(() => {});
  await c.pool.end().catch(() => {});
}

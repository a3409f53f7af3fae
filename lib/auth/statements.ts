import type { QueryConfig } from "pg";
import { databaseKind } from "@/lib/db/client";

/**
 * A query planned once per connection on PostgreSQL (a named prepared statement: the session check and
 * the rate limit run on every request they guard, and planning costs more than running them). Plain on
 * PGlite, whose socket server runs every connection in one backend, where a second PREPARE of the same
 * name fails.
 */
export function preparedStatement(name: string, text: string): (values: unknown[]) => QueryConfig {
  return (values) => (databaseKind() === "postgres" ? { name, text, values } : { text, values });
}

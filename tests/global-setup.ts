import fs from "node:fs";
import pg from "pg";
import { browserEnabled, chromiumPath, postgresAdminUrl, servicesRequired } from "./helpers/services";

// Fails the run up front when CI asked for a service that is not there.
export default async function setup() {
  if (!servicesRequired) return;
  if (!postgresAdminUrl) throw new Error("FIELDMARK_REQUIRE_SERVICES=1 but FIELDMARK_TEST_POSTGRES_URL is not set");
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  try {
    await client.connect();
    const r = await client.query("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'");
    if (r.rows[0].n !== 1) throw new Error("the pgvector extension is not installed on the test PostgreSQL");
  } catch (e) {
    throw new Error(`Test PostgreSQL at ${postgresAdminUrl} is required but unusable: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  if (!browserEnabled) throw new Error("FIELDMARK_REQUIRE_SERVICES=1 but FIELDMARK_TEST_BROWSER is not 1");
  if (!fs.existsSync(chromiumPath))
    throw new Error(`Chromium is required for browser tests but ${chromiumPath} does not exist`);
}

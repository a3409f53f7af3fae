// Which services the tests may use. Locally, PostgreSQL and browser tests run when configured; in CI
// (FIELDMARK_REQUIRE_SERVICES=1, set by .ci/run) a missing service is a failure, never a skip.

export const postgresAdminUrl = process.env.FIELDMARK_TEST_POSTGRES_URL || undefined;
export const browserEnabled = process.env.FIELDMARK_TEST_BROWSER === "1";
export const servicesRequired = process.env.FIELDMARK_REQUIRE_SERVICES === "1";
export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export type DbKind = "pglite" | "postgres";

/** Database kinds every database test runs against. */
export const dbKinds: DbKind[] = postgresAdminUrl ? ["pglite", "postgres"] : ["pglite"];

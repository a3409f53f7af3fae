// One process migrating a database, for tests/faults/concurrent-migrations: connects, says "ready",
// waits for "go" on stdin (so two of them start migrating at the same moment), migrates, and prints
// the migrations it applied as JSON.
// Usage: node tests/faults/migrate-child.mjs <database url>
import readline from "node:readline";
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../../tsconfig.json", import.meta.url).pathname });
const { default: pg } = await import("pg");
const { migrate } = await import("../../lib/db/migrate.ts");
const pool = new pg.Pool({ connectionString: process.argv[2], max: 2 });
await pool.query("SELECT 1");
console.log("ready");
const lines = readline.createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once("line", resolve));
lines.close();
process.stdin.destroy();
try {
  console.log(`applied ${JSON.stringify(await migrate(pool))}`);
} finally {
  await pool.end();
}

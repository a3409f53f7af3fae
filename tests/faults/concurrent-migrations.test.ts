import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { startEmbedded } from "@/lib/db/embedded";
import { migrate, MIGRATIONS_DIR } from "@/lib/db/migrate";
import { dbKinds, postgresAdminUrl, type DbKind } from "../helpers/services";
import { ROOT, waitUntil } from "./helpers";

// Two processes starting at once on one database (the web app and `fieldmark worker`, two CLI
// commands) must apply each migration once. On the embedded PGlite the advisory lock migrate takes
// excludes nobody (every connection is one database session); each migration's own transaction,
// which locks _prisma_migrations and looks again, is what holds there.

const MIGRATIONS = fs
  .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(MIGRATIONS_DIR, d.name, "migration.sql")))
  .map((d) => d.name)
  .sort();

type Empty = { url: string; close: () => Promise<void> };

/** A database with nothing in it, not migrated: a new PGlite served from this process, or a new PostgreSQL database. */
async function emptyDatabase(kind: DbKind): Promise<Empty> {
  if (kind === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-migrate-"));
    const server = await startEmbedded(dir);
    return {
      url: server.url,
      close: async () => {
        await server.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `fieldmark_test_${crypto.randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresAdminUrl!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    close: async () => {
      const a = new pg.Client({ connectionString: postgresAdminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

async function appliedRows(url: string): Promise<Map<string, number>> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const r = await pool.query<{ migration_name: string; n: number }>(
      "SELECT migration_name, count(*)::int AS n FROM _prisma_migrations GROUP BY migration_name",
    );
    return new Map(r.rows.map((row) => [row.migration_name, row.n]));
  } finally {
    await pool.end();
  }
}

/** Each migration applied by exactly one of the runs, and recorded once. */
async function expectEachOnce(url: string, runs: string[][]) {
  expect([...runs.flat()].sort()).toEqual(MIGRATIONS);
  const rows = await appliedRows(url);
  expect([...rows.keys()].sort()).toEqual(MIGRATIONS);
  expect([...rows.values()].every((n) => n === 1)).toBe(true);
}

describe.each(dbKinds)("migrations started twice at once on %s", (kind) => {
  let database: Empty | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it("three runs in one process, each on its own connection: every migration once", async () => {
    database = await emptyDatabase(kind);
    const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: database!.url, max: 1 }));
    try {
      const runs = await Promise.all(pools.map((p) => migrate(p)));
      await expectEachOnce(database.url, runs);
      expect(await migrate(pools[0])).toEqual([]); // and a later start finds nothing to do
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  }, 60_000);

  it("two processes started together: both start, every migration once", async () => {
    database = await emptyDatabase(kind);
    const children = [0, 1].map(() => {
      const child = spawn(process.execPath, [path.join(ROOT, "tests/faults/migrate-child.mjs"), database!.url], {
        cwd: ROOT,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      return { child, output: () => output, exited };
    });
    try {
      await waitUntil(
        () => children.every((c) => c.output().includes("ready") || c.child.exitCode !== null),
        "both migrating processes to connect",
      );
      for (const c of children) c.child.stdin.write("go\n"); // at the same moment
      const codes = await Promise.all(children.map((c) => c.exited));
      expect(codes, children.map((c) => c.output()).join("\n---\n")).toEqual([0, 0]);
      const runs = children.map((c) => JSON.parse(/^applied (.*)$/m.exec(c.output())![1]) as string[]);
      await expectEachOnce(database.url, runs);
    } finally {
      for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
    }
  }, 90_000);
});

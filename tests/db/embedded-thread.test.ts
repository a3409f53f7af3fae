import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbedded } from "@/lib/db/embedded";
import { startEmbeddedThread } from "@/lib/db/embedded-thread";

// The embedded database on a worker thread (what `fieldmark export` opens while the tool is stopped):
// it serves the wire protocol like the one on the main thread, stops cleanly so the folder opens again
// with what was written, and says what went wrong when the folder cannot hold a database.

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe("the embedded database on a thread of its own", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-thread-"));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("serves SQL, stops with the thread, and the folder opens again with what it wrote", async () => {
    const dataDir = path.join(root, "data");
    const server = await startEmbeddedThread(dataDir);
    expect(server.url).toMatch(/^postgresql:\/\/.*127\.0\.0\.1:\d+\//);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, "server.json"), "utf8")).port).toBe(server.port);
    await query(server.url, "CREATE EXTENSION IF NOT EXISTS vector");
    await query(server.url, "CREATE TABLE notes (id int PRIMARY KEY, body text, v vector(2))");
    await query(server.url, "INSERT INTO notes VALUES (1, 'écrit sur un fil', '[1,0]')");
    await server.stop();
    await server.stop(); // twice is once
    expect(fs.existsSync(path.join(dataDir, "server.json"))).toBe(false);
    await expect(query(server.url, "SELECT 1")).rejects.toThrow();

    const again = await startEmbedded(dataDir);
    try {
      const r = await query(again.url, "SELECT id, body, v <=> '[0,1]' AS d FROM notes");
      expect(r.rows).toEqual([{ id: 1, body: "écrit sur un fil", d: 1 }]);
    } finally {
      await again.stop();
    }
  });

  it("says which folder could not hold the database", async () => {
    const notAFolder = path.join(root, "a-file");
    fs.writeFileSync(notAFolder, "not a folder");
    await expect(startEmbeddedThread(notAFolder)).rejects.toThrow(/a-file/);
  });
});

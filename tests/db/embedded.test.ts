import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbedded, type EmbeddedServer } from "@/lib/db/embedded";

// The embedded PGlite is one database session served to many connections over the wire protocol. Each
// client's extended-protocol exchange (Parse, Bind, Execute, Sync) must run whole: if another
// connection's messages slip in between, a query runs with someone else's parameters (seen once under
// load before lib/db/embedded.ts queued whole exchanges). Many connections at once, each checking that
// every answer is its own, catch that.

// ---- a bare wire-protocol client, to send one exchange in two pieces with a pause between
const cstr = (s: string) => Buffer.from(`${s}\0`);
function message(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head.write(type, 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const parse = (sql: string) => message("P", cstr(""), cstr(sql), int16(0));
const bind = (value: string) =>
  message("B", cstr(""), cstr(""), int16(0), int16(1), int32(Buffer.byteLength(value)), Buffer.from(value), int16(0));
const execute = () => message("E", cstr(""), int32(0));
const sync = () => message("S");

/** Connects, and answers the text of every DataRow's first column and every error until ReadyForQuery. */
async function rawClient(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  let buffered = Buffer.alloc(0);
  let waiting: ((r: string[]) => void) | null = null;
  let answers: string[] = [];
  socket.on("data", (d) => {
    buffered = Buffer.concat([buffered, d]);
    while (buffered.length >= 5 && buffered.length >= 1 + buffered.readInt32BE(1)) {
      const type = String.fromCharCode(buffered[0]);
      const body = buffered.subarray(5, 1 + buffered.readInt32BE(1));
      buffered = buffered.subarray(1 + buffered.readInt32BE(1));
      if (type === "D") answers.push(body.subarray(6, 6 + body.readInt32BE(2)).toString());
      if (type === "E") answers.push(`error: ${body.toString().replace(/\0/g, " ").trim()}`);
      if (type === "Z" && waiting) {
        const w = waiting;
        waiting = null;
        w(answers);
        answers = [];
      }
    }
  });
  const untilReady = () =>
    new Promise<string[]>((resolve) => {
      waiting = resolve;
    });
  await new Promise((r) => socket.once("connect", r));
  const startup = Buffer.concat([
    int32(196608),
    cstr("user"),
    cstr("postgres"),
    cstr("database"),
    cstr("postgres"),
    Buffer.from([0]),
  ]);
  socket.write(Buffer.concat([int32(startup.length + 4), startup]));
  await untilReady();
  return { send: (b: Buffer) => socket.write(b), untilReady, end: () => socket.end() };
}

describe("the embedded PGlite server", () => {
  let dir: string;
  let server: EmbeddedServer;
  let pool: pg.Pool;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-embedded-"));
    server = await startEmbedded(dir);
    pool = new pg.Pool({ connectionString: server.url, max: 12 });
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs one client's exchange whole even when it arrives in pieces and another client's comes between", async () => {
    const a = await rawClient(server.port);
    const b = await rawClient(server.port);
    try {
      a.send(parse("SELECT ($1::int + 1)::text AS v"));
      await new Promise((r) => setTimeout(r, 100)); // A's Bind is still to come when B's whole exchange arrives
      const bAnswer = b.untilReady();
      b.send(Buffer.concat([parse("SELECT upper($1::text) AS v"), bind("from b"), execute(), sync()]));
      await new Promise((r) => setTimeout(r, 100));
      const aAnswer = a.untilReady();
      a.send(Buffer.concat([bind("41"), execute(), sync()]));
      expect(await aAnswer).toEqual(["42"]); // not B's statement run with A's value
      expect(await bAnswer).toEqual(["FROM B"]);
    } finally {
      a.end();
      b.end();
    }
  });

  it("answers every connection with its own parameters when many query at once", async () => {
    await pool.query("CREATE TABLE echo (n bigint PRIMARY KEY, s text NOT NULL)");
    const mismatches: string[] = [];
    const one = async (i: number) => {
      const client = await pool.connect();
      try {
        for (let k = 0; k < 25; k++) {
          const n = i * 1000 + k;
          const s = `value-${n}`;
          // unnamed statements of different shapes, a write and a read, back to back on one connection
          await client.query("INSERT INTO echo (n, s) VALUES ($1, $2)", [n, s]);
          const r = await client.query<{ n: string; s: string; twice: string }>(
            "SELECT n, s, $2::bigint * 2 AS twice FROM echo WHERE n = $1",
            [n, n],
          );
          const row = r.rows[0];
          if (!row || Number(row.n) !== n || row.s !== s || Number(row.twice) !== 2 * n)
            mismatches.push(`${n}: ${JSON.stringify(row)}`);
        }
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: 24 }, (_, i) => one(i)));
    expect(mismatches).toEqual([]);
    expect((await pool.query("SELECT count(*)::int AS n FROM echo")).rows[0].n).toBe(24 * 25);
  }, 120_000);
});

import fs from "node:fs";
import path from "node:path";
import { once } from "node:events";
import zlib from "node:zlib";
import { inTransaction } from "@/lib/db/transaction";
import { appliedMigrations, listTables, readRows, readSequences, serverKind, TEXT_FORM_SETTINGS } from "./catalog";
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  type BackupHeader,
  type Manifest,
  type ManifestTable,
  type TableHeader,
  type TableTrailer,
} from "./format";

// Writes the whole database to one file (format.ts) from one REPEATABLE READ snapshot: experts may
// keep judging while it runs, and the file holds the database as it was at one instant. On PGlite,
// which runs one transaction at a time, their writes wait for the backup to finish.

export type BackupProgress = { table: string; done: number; total: number };
export type BackupResult = { file: string; bytes: number; seconds: number; tables: ManifestTable[] };

export async function writeBackup(
  file: string,
  /** onProgress is awaited: a caller may pace the backup */
  opts: { onProgress?: (p: BackupProgress) => void | Promise<void> } = {},
): Promise<BackupResult> {
  const started = performance.now();
  const target = path.resolve(file);
  // written beside the target and renamed into place: a failed backup never leaves a file that looks whole
  const partial = `${target}.partial-${process.pid}`;
  // a deep buffer, so the next rows are fetched while the last are compressed (on libuv's threads)
  const gzip = zlib.createGzip({ highWaterMark: 16 * 1024 * 1024 } as zlib.ZlibOptions); // passed on to the stream
  const out = fs.createWriteStream(partial, { flags: "w", mode: 0o600 });
  gzip.pipe(out);
  const closed = once(out, "close");
  closed.catch(() => {}); // awaited on success; an error is seen through `failed`
  let failed: Error | undefined;
  gzip.on("error", (e) => (failed = e));
  out.on("error", (e) => (failed = e));
  const write = async (value: unknown) => {
    if (failed) throw failed;
    if (!gzip.write(`${JSON.stringify(value)}\n`)) await once(gzip, "drain");
  };
  try {
    const tables = await inTransaction(
      async (client) => {
        const server = await serverKind(client);
        const header: BackupHeader = {
          format: BACKUP_FORMAT,
          version: BACKUP_VERSION,
          createdAt: new Date().toISOString(),
          databaseKind: server.kind,
          serverVersion: server.version,
          migrations: await appliedMigrations(client),
        };
        await write(header);
        const written: ManifestTable[] = [];
        for (const table of await listTables(client)) {
          const total = Number((await client.query(`SELECT count(*)::bigint AS n FROM "${table.name}"`)).rows[0].n);
          const columns = table.columns.map(({ name, type }) => ({ name, type }));
          const th: TableHeader = { table: table.name, columns, rows: total };
          if (table.definition) th.definition = table.definition;
          await write(th);
          const { rows, sha256 } = await readRows(client, table, columns, async (lines, done) => {
            if (failed) throw failed;
            if (!gzip.write(lines)) await once(gzip, "drain");
            await opts.onProgress?.({ table: table.name, done, total });
          });
          const trailer: TableTrailer = { end: table.name, rows, sha256 };
          await write(trailer);
          written.push({ name: table.name, rows, sha256 });
        }
        const manifest: Manifest = { tables: written, sequences: await readSequences(client) };
        await write({ manifest });
        return written;
      },
      {
        settings: ["transaction_isolation = 'repeatable read'", "transaction_read_only = on", ...TEXT_FORM_SETTINGS],
      },
    );
    gzip.end();
    await closed;
    if (failed) throw failed;
    await fs.promises.rename(partial, target);
    const bytes = (await fs.promises.stat(target)).size;
    return { file: target, bytes, seconds: (performance.now() - started) / 1000, tables };
  } catch (e) {
    gzip.destroy();
    out.destroy();
    await fs.promises.rm(partial, { force: true });
    throw e;
  }
}

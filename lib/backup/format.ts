import fs from "node:fs";
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import zlib from "node:zlib";
import type { AppliedMigration, Column, SequenceState, TableDefinition } from "./catalog";

// A Fieldmark backup is one gzip file of JSON lines (UTF-8, one JSON value per line):
//
//   {"format":"fieldmark-backup","version":1,"createdAt":...,"databaseKind":"pglite","migrations":[...]}
//   {"table":"collections","columns":[{"name":"id","type":"integer"},...],"rows":3}       table header
//   ["1","garden-survey",null,...]                                                         one row
//   ...
//   {"end":"collections","rows":3,"sha256":"..."}                                          table trailer
//   ... every table, parents before children ...
//   {"manifest":{"tables":[{"name","rows","sha256"}],"sequences":[...]}}                   last line
//
// A row is an array of each column's PostgreSQL text form (or null), written with UTC, ISO dates and
// shortest-exact floats, so the same row reads the same from PGlite and a real server. A table's
// sha256 is over its row lines, each with its "\n". The manifest comes last because it is known only
// once every row is written; a file without it is cut short. A vector table's header also carries its
// definition (columns, constraints, indexes), since no migration makes it.

export const BACKUP_FORMAT = "fieldmark-backup";
export const BACKUP_VERSION = 1;

export type BackupHeader = {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  databaseKind: "postgres" | "pglite";
  /** the server's version() */
  serverVersion: string;
  /** the migrations applied to the database it was taken from, as lib/db/migrate.ts records them */
  migrations: AppliedMigration[];
};

export type TableHeader = { table: string; columns: Column[]; rows: number; definition?: TableDefinition };
export type TableTrailer = { end: string; rows: number; sha256: string };
export type ManifestTable = { name: string; rows: number; sha256: string };
export type Manifest = { tables: ManifestTable[]; sequences: SequenceState[] };

/** A file that is not a whole, undamaged Fieldmark backup, or that this Fieldmark cannot restore. */
export class BackupFileError extends Error {}

/**
 * The file's lines, decompressed, with their line numbers. A damaged or cut gzip stream ends in a
 * BackupFileError saying so (zlib checks the CRC and length at the end of the stream).
 */
export async function* readBackupLines(file: string): AsyncGenerator<{ line: string; no: number }> {
  let input: Readable;
  try {
    await fs.promises.access(file, fs.constants.R_OK);
    input = fs.createReadStream(file);
  } catch (e) {
    throw new BackupFileError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const gunzip = zlib.createGunzip();
  input.on("error", (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let no = 0;
  try {
    for await (const chunk of gunzip) {
      const text = rest + decoder.write(chunk as Buffer);
      const parts = text.split("\n");
      rest = parts.pop()!;
      for (const line of parts) yield { line, no: ++no };
    }
  } catch (e) {
    if (e instanceof BackupFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "Z_BUF_ERROR" || /unexpected end/i.test((e as Error).message)
        ? "it ends in the middle of its gzip stream (the file was cut short)"
        : `its gzip stream is damaged (${(e as Error).message})`;
    throw new BackupFileError(`${file} is not a whole backup: ${why}`);
  } finally {
    input.destroy();
  }
  rest += decoder.end();
  if (rest !== "") yield { line: rest, no: ++no };
}

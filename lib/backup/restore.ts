import crypto from "node:crypto";
import { db } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";
import { inTransaction } from "@/lib/db/transaction";
import {
  appliedMigrations,
  createTableSql,
  listTables,
  quoteIdent,
  readRows,
  serverKind,
  sortVectorTable,
  TEXT_FORM_SETTINGS,
  unsafeDefinition,
  type Column,
  type TableInfo,
} from "./catalog";
import {
  BACKUP_FORMAT,
  BACKUP_VERSION,
  BackupFileError,
  readBackupLines,
  type BackupHeader,
  type Manifest,
  type ManifestTable,
  type TableHeader,
  type TableTrailer,
} from "./format";

// Loads a backup into an empty database (or, told to, replaces what is there), all in one transaction:
// a damaged, cut or foreign file, or a schema that does not match, rolls everything back and the
// database is as it was. Order: migrations (lib/db/migrate.ts), then each table's rows as the file
// gives them (parents first), a vector table made again from its definition with its indexes (HNSW
// included) built once its rows are in, then every table read back and checked against the manifest's
// row counts and SHA-256, then the sequences set so new rows do not collide.

export type RestoreProgress = { table: string; phase: "load" | "verify"; done: number; total: number };
export type RestoreResult = {
  seconds: number;
  tables: ManifestTable[];
  /** the kind of database the backup was taken on */
  from: BackupHeader["databaseKind"];
  createdAt: string;
};

/** The target is not one a backup may be restored into (not empty, another schema). */
export class RestoreRefusedError extends Error {
  constructor(
    message: string,
    /** about the database (not empty), not about what the file says */
    readonly aboutTarget = false,
  ) {
    super(message);
  }
}

const BATCH_ROWS = 1000;
const BATCH_CHARS = 8_000_000;

type Line = { line: string; no: number };

function parseObject(file: string, l: Line | undefined, what: string): Record<string, unknown> {
  if (!l) throw new BackupFileError(`${file} ends before ${what}: the file was cut short`);
  let value: unknown;
  try {
    value = JSON.parse(l.line);
  } catch {
    throw new BackupFileError(`${file} line ${l.no}: expected ${what}, found a line that is not JSON (damaged file)`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new BackupFileError(`${file} line ${l.no}: expected ${what} (damaged file)`);
  return value as Record<string, unknown>;
}

function sameColumns(a: Column[], b: Column[]): boolean {
  const key = (cs: Column[]) =>
    cs
      .map((c) => `${c.name}:${c.type}`)
      .sort()
      .join(",");
  return key(a) === key(b);
}

async function checkMigrations(header: BackupHeader, client: import("pg").PoolClient): Promise<void> {
  const here = await appliedMigrations(client);
  const hereByName = new Map(here.map((m) => [m.name, m.checksum]));
  const thereByName = new Map(header.migrations.map((m) => [m.name, m.checksum]));
  const unknown = header.migrations.filter((m) => !hereByName.has(m.name)).map((m) => m.name);
  if (unknown.length)
    throw new RestoreRefusedError(
      `the backup was taken by a newer Fieldmark (its schema has migrations this one lacks: ${unknown.join(", ")}): restore it with that version or a later one`,
    );
  const missing = here.filter((m) => !thereByName.has(m.name)).map((m) => m.name);
  if (missing.length)
    throw new RestoreRefusedError(
      `the backup was taken by an older Fieldmark (its schema lacks migrations ${missing.join(", ")}): restore it with the version that took it, then start this one, which migrates the restored database`,
    );
  const changed = header.migrations.filter((m) => hereByName.get(m.name) !== m.checksum).map((m) => m.name);
  if (changed.length)
    throw new RestoreRefusedError(`migrations ${changed.join(", ")} differ between the backup and this Fieldmark`);
}

/** Empties every table of the app in the transaction: vector tables are dropped with their store rows. */
async function clearDatabase(client: import("pg").PoolClient): Promise<void> {
  await client.query("DELETE FROM vector_stores"); // the trigger drops each model_vectors_<id> table
  const tables = await listTables(client);
  if (tables.length) await client.query(`TRUNCATE ${tables.map((t) => quoteIdent(t.name)).join(", ")}`);
}

async function nonEmptyTables(client: import("pg").PoolClient, tables: TableInfo[]): Promise<string[]> {
  const out: string[] = [];
  for (const t of tables) {
    const r = await client.query(`SELECT EXISTS (SELECT 1 FROM ${quoteIdent(t.name)}) AS any`);
    if (r.rows[0].any) out.push(t.name);
  }
  return out;
}

async function insertBatch(
  client: import("pg").PoolClient,
  table: string,
  columns: Column[],
  rows: (string | null)[][],
): Promise<void> {
  const names = columns.map((c) => quoteIdent(c.name)).join(", ");
  const casts = columns.map((c, i) => `u.c${i}::${c.type}`).join(", ");
  const unnest = columns.map((_, i) => `$${i + 1}::text[]`).join(", ");
  const aliases = columns.map((_, i) => `c${i}`).join(", ");
  const params = columns.map((_, i) => rows.map((r) => r[i]));
  await client.query(
    `INSERT INTO ${quoteIdent(table)} (${names}) SELECT ${casts} FROM unnest(${unnest}) AS u(${aliases})`,
    params,
  );
}

export async function restoreBackup(
  file: string,
  opts: { force?: boolean; onProgress?: (p: RestoreProgress) => void } = {},
): Promise<RestoreResult> {
  const started = performance.now();
  await migrate(db());
  const lines = readBackupLines(file);
  const next = async (): Promise<Line | undefined> => {
    const r = await lines.next();
    return r.done ? undefined : r.value;
  };
  try {
    const result = await inTransaction(
      async (client) => {
        const first = await next();
        let header: BackupHeader;
        try {
          header = parseObject(file, first, "the backup's header") as BackupHeader;
        } catch (e) {
          if (e instanceof BackupFileError) throw new BackupFileError(`${file} is not a Fieldmark backup`);
          throw e;
        }
        if (header.format !== BACKUP_FORMAT) throw new BackupFileError(`${file} is not a Fieldmark backup`);
        if (header.version !== BACKUP_VERSION || !Array.isArray(header.migrations))
          throw new BackupFileError(
            `${file} is a Fieldmark backup of format version ${header.version}; this Fieldmark reads version ${BACKUP_VERSION}`,
          );
        await checkMigrations(header, client);
        // memory for the HNSW builds, as lib/vectors/hnsw.ts gives them (PGlite is 32-bit wasm)
        const memory = (await serverKind(client)).kind === "pglite" ? "256MB" : "1GB";
        await client.query(`SET LOCAL maintenance_work_mem = '${memory}'`);

        let targetTables = await listTables(client);
        const filled = await nonEmptyTables(client, targetTables);
        if (filled.length) {
          if (!opts.force) {
            const count = async (t: string) =>
              filled.includes(t) ? Number((await client.query(`SELECT count(*)::bigint AS n FROM ${t}`)).rows[0].n) : 0;
            throw new RestoreRefusedError(
              `the database is not empty (${await count("collections")} collections, ${await count("users")} users; rows in ${filled.join(", ")}): restore into an empty database, or pass --force to replace everything in it`,
              true,
            );
          }
          await clearDatabase(client);
          targetTables = await listTables(client);
        }
        const target = new Map(targetTables.map((t) => [t.name, t]));

        const seen: ManifestTable[] = [];
        const loaded: TableInfo[] = [];
        let manifest: Manifest | undefined;
        for (;;) {
          const l = await next();
          const obj = parseObject(file, l, "a table or the manifest");
          if ("manifest" in obj) {
            manifest = obj.manifest as Manifest;
            break;
          }
          if (typeof obj.table !== "string" || !Array.isArray(obj.columns))
            throw new BackupFileError(`${file} line ${l!.no}: expected a table's header (damaged file)`);
          const th = obj as unknown as TableHeader;
          let info = target.get(th.table);
          if (th.definition) {
            if (info) throw new RestoreRefusedError(`table ${th.table} already exists in the database`);
            const unsafe = unsafeDefinition(th.table, th.definition);
            if (unsafe)
              throw new BackupFileError(
                `${file} line ${l!.no}: table ${th.table} is not defined as Fieldmark defines vector tables (${unsafe})`,
              );
            for (const sql of createTableSql(th.table, th.definition)) await client.query(sql);
            info = (await listTables(client)).find((t) => t.name === th.table)!;
          } else if (!info) {
            throw new RestoreRefusedError(`the backup has a table ${th.table} that this database does not`);
          }
          if (!sameColumns(th.columns, info.columns))
            throw new RestoreRefusedError(
              `table ${th.table} has other columns in the backup (${th.columns.map((c) => `${c.name} ${c.type}`).join(", ")}) than here (${info.columns.map((c) => `${c.name} ${c.type}`).join(", ")})`,
            );
          const hash = crypto.createHash("sha256");
          let rows = 0;
          // A row the server refuses (a damaged value that is still JSON) is told apart from other
          // failures by the table's checksum: the rest of its rows are read, not loaded, and checked.
          let loadError: Error | undefined;
          const load = async (b: (string | null)[][]) => {
            if (loadError) return;
            try {
              await insertBatch(client, th.table, th.columns, b);
            } catch (e) {
              loadError = e as Error;
            }
          };
          let batch: (string | null)[][] = [];
          let chars = 0;
          let trailer: TableTrailer | undefined;
          for (;;) {
            const rl = await next();
            if (!rl) throw new BackupFileError(`${file} ends inside table ${th.table}: the file was cut short`);
            if (!rl.line.startsWith("[")) {
              const end = parseObject(file, rl, `the end of table ${th.table}`);
              if (end.end !== th.table)
                throw new BackupFileError(
                  `${file} line ${rl.no}: expected the end of table ${th.table} (damaged file)`,
                );
              trailer = end as unknown as TableTrailer;
              break;
            }
            let row: unknown;
            try {
              row = JSON.parse(rl.line);
            } catch {
              throw new BackupFileError(
                `${file} line ${rl.no}: a row of table ${th.table} is not valid JSON (damaged file)`,
              );
            }
            if (
              !Array.isArray(row) ||
              row.length !== th.columns.length ||
              !row.every((v) => v === null || typeof v === "string")
            )
              throw new BackupFileError(
                `${file} line ${rl.no}: a row of table ${th.table} does not have its ${th.columns.length} columns (damaged file)`,
              );
            hash.update(`${rl.line}\n`);
            batch.push(row);
            chars += rl.line.length;
            rows += 1;
            if (batch.length >= BATCH_ROWS || chars >= BATCH_CHARS) {
              await load(batch);
              batch = [];
              chars = 0;
              opts.onProgress?.({ table: th.table, phase: "load", done: rows, total: th.rows });
            }
          }
          if (batch.length) await load(batch);
          opts.onProgress?.({ table: th.table, phase: "load", done: rows, total: th.rows });
          const sha256 = hash.digest("hex");
          if (trailer.rows !== rows || trailer.sha256 !== sha256)
            throw new BackupFileError(
              `${file}: table ${th.table} does not match its checksum (${rows} rows read, ${trailer.rows} written): the file was changed or damaged`,
            );
          if (loadError)
            throw new Error(`table ${th.table} could not be loaded: ${loadError.message}; nothing was restored`);
          if (th.definition) {
            await sortVectorTable(client, info);
            for (const sql of th.definition.indexes) await client.query(sql); // the HNSW build among them
          }
          seen.push({ name: th.table, rows, sha256 });
          // the backup's column order, with this database's collatable flags: read back as the backup read it
          const here = info;
          loaded.push({ ...here, columns: th.columns.map((c) => here.columns.find((x) => x.name === c.name)!) });
        }
        const extra = await next();
        if (extra) throw new BackupFileError(`${file} line ${extra.no}: more follows the manifest (damaged file)`);

        if (!manifest || !Array.isArray(manifest.tables) || !Array.isArray(manifest.sequences))
          throw new BackupFileError(`${file}: the manifest is damaged`);
        const listed = new Map(manifest.tables.map((t) => [t.name, t]));
        for (const t of seen) {
          const m = listed.get(t.name);
          if (!m || m.rows !== t.rows || m.sha256 !== t.sha256)
            throw new BackupFileError(`${file}: table ${t.name} does not match the manifest (damaged file)`);
        }
        if (manifest.tables.length !== seen.length)
          throw new BackupFileError(`${file}: the manifest lists tables the file does not hold (damaged file)`);
        const missing = targetTables.filter((t) => !listed.has(t.name)).map((t) => t.name);
        if (missing.length)
          throw new RestoreRefusedError(`the backup holds no table ${missing.join(", ")}, which this database has`);

        // read every table back as the backup read it: the same text forms, hence the same checksums
        for (const t of loaded) {
          const m = listed.get(t.name)!;
          const back = await readRows(client, t, t.columns, (_, done) =>
            opts.onProgress?.({ table: t.name, phase: "verify", done, total: m.rows }),
          );
          if (back.rows !== m.rows || back.sha256 !== m.sha256)
            throw new Error(
              `table ${t.name} reads back differently after loading (${back.rows} rows, ${m.rows} in the backup): nothing was restored`,
            );
        }
        for (const s of manifest.sequences) {
          await client.query("SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)", [
            quoteIdent(s.table),
            s.column,
            s.value,
            s.isCalled,
          ]);
        }
        return { tables: seen, from: header.databaseKind, createdAt: header.createdAt };
      },
      { settings: TEXT_FORM_SETTINGS },
    );
    await db().query("ANALYZE");
    return { ...result, seconds: (performance.now() - started) / 1000 };
  } catch (e) {
    if (e instanceof BackupFileError || (e instanceof RestoreRefusedError && e.aboutTarget)) throw e;
    // A damaged file can look like another schema or a refused value: read it to its end, where zlib
    // checks the stream's CRC, and say it is damaged if it is.
    try {
      while (!(await lines.next()).done);
    } catch (damage) {
      if (damage instanceof BackupFileError) throw damage;
    }
    throw e;
  } finally {
    await lines.return(undefined);
  }
}

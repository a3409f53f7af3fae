import crypto from "node:crypto";
import type pg from "pg";

// What a backup holds, read from PostgreSQL's own catalog so it works the same on PGlite and a real
// server: every table of the app's `public` schema (pg-boss's `pgboss` schema is not kept), its
// columns as SQL types, its primary key (the order rows are written in), the foreign keys that decide
// the order tables are loaded in, and the sequences behind serial columns. The per-model vector
// tables (`model_vectors_<id>`, lib/vectors/storage.ts) are made at run time, not by a migration, so
// their whole definition (columns, constraints, indexes, storage) travels with them.

/** Prisma's migration bookkeeping: written by lib/db/migrate.ts on the target, never copied. */
export const MIGRATIONS_TABLE = "_prisma_migrations";

export type Column = { name: string; type: string };

export type TableDefinition = {
  columns: (Column & { notNull: boolean; default: string | null; storage: string | null })[];
  /** PRIMARY KEY, FOREIGN KEY, UNIQUE and CHECK constraints as pg_get_constraintdef writes them */
  constraints: { name: string; definition: string }[];
  /** CREATE INDEX statements of indexes that back no constraint (the HNSW index among them) */
  indexes: string[];
};

export type TableInfo = {
  name: string;
  columns: (Column & { collatable: boolean })[];
  primaryKey: string[];
  /** set for tables a migration does not make (vector tables): how to make them again */
  definition?: TableDefinition;
};

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function vectorTableNames(client: pg.PoolClient): Promise<Set<string>> {
  const exists = await client.query("SELECT to_regclass('public.vector_stores') IS NOT NULL AS ok");
  if (!exists.rows[0].ok) return new Set();
  const r = await client.query<{ name: string }>("SELECT table_name AS name FROM vector_stores");
  return new Set(r.rows.map((row) => row.name));
}

/** The app's tables in an order that loads parents before children (foreign keys), then by name. */
export async function listTables(client: pg.PoolClient): Promise<TableInfo[]> {
  const tables = await client.query<{ name: string; oid: number }>(
    `SELECT c.relname AS name, c.oid::int AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> $1 ORDER BY c.relname`,
    [MIGRATIONS_TABLE],
  );
  const fks = await client.query<{ child: string; parent: string }>(
    `SELECT ch.relname AS child, pa.relname AS parent FROM pg_constraint k
       JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = ch.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND ch.relname <> pa.relname`,
  );
  const runtime = await vectorTableNames(client);
  const infos = new Map<string, TableInfo>();
  for (const t of tables.rows) {
    const columns = await client.query<{ name: string; type: string; collatable: boolean }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, ty.typcollation <> 0 AS collatable
         FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        ORDER BY a.attnum`,
      [t.oid],
    );
    const pk = await client.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
        WHERE i.indrelid = $1 AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [t.oid],
    );
    infos.set(t.name, {
      name: t.name,
      columns: columns.rows,
      primaryKey: pk.rows.map((r) => r.name),
      definition: runtime.has(t.name) ? await tableDefinition(client, t.oid) : undefined,
    });
  }
  // Kahn's algorithm over the foreign keys; names break ties so the order is the same everywhere
  const parents = new Map<string, Set<string>>([...infos.keys()].map((n) => [n, new Set<string>()]));
  for (const { child, parent } of fks.rows) if (infos.has(child) && infos.has(parent)) parents.get(child)!.add(parent);
  const ordered: TableInfo[] = [];
  const placed = new Set<string>();
  while (ordered.length < infos.size) {
    const ready = [...infos.keys()].filter((n) => !placed.has(n) && [...parents.get(n)!].every((p) => placed.has(p)));
    if (ready.length === 0) throw new Error("the tables' foreign keys form a cycle: cannot order them for a backup");
    for (const n of ready.sort()) {
      placed.add(n);
      ordered.push(infos.get(n)!);
    }
  }
  return ordered;
}

async function tableDefinition(client: pg.PoolClient, oid: number): Promise<TableDefinition> {
  const columns = await client.query<TableDefinition["columns"][number]>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull",
            pg_get_expr(d.adbin, d.adrelid) AS default,
            CASE WHEN a.attstorage <> ty.typstorage
              THEN CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'm' THEN 'MAIN' WHEN 'e' THEN 'EXTERNAL' ELSE 'EXTENDED' END
            END AS storage
       FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [oid],
  );
  const constraints = await client.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conrelid = $1 AND contype IN ('p', 'f', 'u', 'c') ORDER BY contype DESC, conname`,
    [oid],
  );
  const indexes = await client.query<{ definition: string }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
      ORDER BY c.relname`,
    [oid],
  );
  return { columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows.map((r) => r.definition) };
}

const SAFE = {
  table: /^model_vectors_\d+$/,
  name: /^[a-z_][a-z0-9_]{0,62}$/,
  type: /^(bigint|integer|text|boolean|double precision|real|timestamp\(3\) with time zone|(vector|halfvec)\(\d{1,5}\))$/,
  default: /^(now\(\)|CURRENT_TIMESTAMP|-?\d+)$/,
  storage: /^(PLAIN|MAIN|EXTERNAL|EXTENDED)$/,
  constraint:
    /^(PRIMARY KEY \([a-z_, ]+\)|FOREIGN KEY \([a-z_]+\) REFERENCES [a-z_]+\([a-z_]+\)( ON DELETE (CASCADE|SET NULL|RESTRICT))?)$/,
  index:
    /^CREATE INDEX [a-z0-9_]+ ON (public\.)?model_vectors_\d+ USING (btree|hnsw) \([a-z_, ]+( (vector|halfvec)_(cosine|l2|ip)_ops)?\)( WITH \((m|ef_construction)='\d+'(, (m|ef_construction)='\d+')*\))?$/,
};

/**
 * A runtime table's definition comes from the file and becomes SQL: refused unless it is one Fieldmark
 * makes (a model_vectors_<id> table of plain columns, keys and btree/HNSW indexes), so a crafted file
 * cannot run statements of its own. Returns the reason it is refused, or null.
 */
export function unsafeDefinition(name: string, d: TableDefinition): string | null {
  if (!SAFE.table.test(name)) return `${name} is not a vector table`;
  for (const c of d.columns) {
    if (!SAFE.name.test(c.name) || !SAFE.type.test(c.type)) return `column ${c.name} ${c.type}`;
    if (c.default !== null && !SAFE.default.test(c.default)) return `default ${c.default}`;
    if (c.storage !== null && !SAFE.storage.test(c.storage)) return `storage ${c.storage}`;
  }
  for (const k of d.constraints)
    if (!SAFE.name.test(k.name) || !SAFE.constraint.test(k.definition)) return `constraint ${k.definition}`;
  for (const i of d.indexes) if (!SAFE.index.test(i)) return `index ${i}`;
  return null;
}

/** CREATE TABLE for a runtime table, without its indexes (made after its rows are loaded). */
export function createTableSql(name: string, d: TableDefinition): string[] {
  const cols = d.columns.map(
    (c) => `${quoteIdent(c.name)} ${c.type}${c.notNull ? " NOT NULL" : ""}${c.default ? ` DEFAULT ${c.default}` : ""}`,
  );
  const cons = d.constraints.map((c) => `CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`);
  const sql = [`CREATE TABLE ${quoteIdent(name)} (${[...cols, ...cons].join(", ")})`];
  for (const c of d.columns)
    if (c.storage)
      sql.push(`ALTER TABLE ${quoteIdent(name)} ALTER COLUMN ${quoteIdent(c.name)} SET STORAGE ${c.storage}`);
  return sql;
}

/**
 * The SELECT that reads a table's rows as PostgreSQL's text forms, in one fixed order: the primary key
 * (an index scan, no sort; text columns in byte order, so PGlite and a server with another collation
 * agree), or every column when there is none.
 */
export function selectRowsSql(table: TableInfo, columns: Column[]): string {
  const list = columns.map((c) => `e.${quoteIdent(c.name)}::text`).join(", ");
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const key = (table.primaryKey.length ? table.primaryKey : columns.map((c) => c.name)).map(
    (n) => `e.${quoteIdent(n)}${byName.get(n)?.collatable ? ' COLLATE "C"' : ""}`,
  );
  return `SELECT ${list} FROM ${quoteIdent(table.name)} e ORDER BY ${key.join(", ")}`;
}

/**
 * Rewrites a just-loaded vector table in taxonomic order, as lib/vectors/hnsw.ts sortByTaxonomy does
 * before an index build (the rows of a taxon's subtree then lie together on disk), inside the caller's
 * transaction. Tables without collection_id and taxon_id are left as they are.
 */
export async function sortVectorTable(client: pg.PoolClient, table: TableInfo): Promise<void> {
  const names = new Set(table.columns.map((c) => c.name));
  if (!names.has("collection_id") || !names.has("taxon_id")) return;
  const t = quoteIdent(table.name);
  await client.query(`CREATE TEMP TABLE restore_sorted ON COMMIT DROP AS
    SELECT e.* FROM ${t} e LEFT JOIN taxa x ON x.id = e.taxon_id
    ORDER BY e.collection_id, x.kingdom, x.phylum, x.class, x."order", x.family, x.genus, x.species, x.name, e.taxon_id, e.image_id`);
  await client.query(`TRUNCATE ${t}`);
  await client.query(`INSERT INTO ${t} SELECT * FROM restore_sorted`);
  await client.query("DROP TABLE restore_sorted");
}

/**
 * Reads a table's rows in the order of selectRowsSql, through a cursor (a table may not fit in memory),
 * as the backup's row lines; `each` gets them a batch at a time. Returns the count and the lines' SHA-256.
 */
export async function readRows(
  client: pg.PoolClient,
  table: TableInfo,
  columns: Column[],
  each?: (lines: string, done: number) => Promise<void> | void,
): Promise<{ rows: number; sha256: string }> {
  const hash = crypto.createHash("sha256");
  let rows = 0;
  await client.query(`DECLARE backup_rows NO SCROLL CURSOR FOR ${selectRowsSql(table, columns)}`);
  for (;;) {
    const batch = await client.query<(string | null)[]>({ text: "FETCH 2000 FROM backup_rows", rowMode: "array" });
    let lines = "";
    for (const row of batch.rows) lines += `${JSON.stringify(row)}\n`;
    hash.update(lines);
    rows += batch.rows.length;
    await each?.(lines, rows);
    if (batch.rows.length < 2000) break;
  }
  await client.query("CLOSE backup_rows");
  return { rows, sha256: hash.digest("hex") };
}

export type SequenceState = { table: string; column: string; value: number; isCalled: boolean };

/** The sequences behind serial and bigserial columns, with where they stand. */
export async function readSequences(client: pg.PoolClient): Promise<SequenceState[]> {
  const owned = await client.query<{ seq: string; table: string; column: string }>(
    `SELECT s.relname AS seq, t.relname AS table, a.attname AS column
       FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
       JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      WHERE s.relkind = 'S' AND n.nspname = 'public' AND t.relname <> $1 ORDER BY t.relname, a.attname`,
    [MIGRATIONS_TABLE],
  );
  const out: SequenceState[] = [];
  for (const o of owned.rows) {
    const r = await client.query<{ value: string; isCalled: boolean }>(
      `SELECT last_value::text AS value, is_called AS "isCalled" FROM ${quoteIdent(o.seq)}`,
    );
    out.push({ table: o.table, column: o.column, value: Number(r.rows[0].value), isCalled: r.rows[0].isCalled });
  }
  return out;
}

/** Which database answers, asked of the server itself (the environment's FIELDMARK_DB_KIND may be stale in a test process). */
export async function serverKind(client: pg.PoolClient): Promise<{ kind: "postgres" | "pglite"; version: string }> {
  const version = (await client.query<{ v: string }>("SELECT version() AS v")).rows[0].v;
  return { kind: /PGlite/i.test(version) ? "pglite" : "postgres", version };
}

export type AppliedMigration = { name: string; checksum: string };

export async function appliedMigrations(client: pg.PoolClient): Promise<AppliedMigration[]> {
  const r = await client.query<AppliedMigration>(
    `SELECT migration_name AS name, checksum FROM ${MIGRATIONS_TABLE}
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return r.rows;
}

/** Settings that make every value's text form the same on every server: UTC, ISO dates, exact floats. */
export const TEXT_FORM_SETTINGS = [
  "TimeZone = 'UTC'",
  "DateStyle = 'ISO, YMD'",
  "IntervalStyle = 'postgres'",
  "extra_float_digits = 1",
  "bytea_output = 'hex'",
];

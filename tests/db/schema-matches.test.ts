// prisma/schema.prisma and the migrated database must agree: every model and field has its table and
// column with the same type and nullability, every enum its type with the same values, every primary
// key and unique constraint its index, and the database holds nothing the schema does not name (apart
// from the exceptions below). The migrations are what databases run; the schema is what the client and
// lib/db/rows.ts are typed from, so a difference here is a bug in one of them.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

/** Tables in the database's own schema that are deliberately not Prisma models, and why. */
const tableExceptions: { matches: (table: string) => boolean; reason: string }[] = [
  { matches: (t) => t === "_prisma_migrations", reason: "the migration runner's bookkeeping (lib/db/migrate.ts)" },
  {
    matches: (t) => /^model_vectors_\d+$/.test(t),
    reason: "one vector table per model, created at run time by lib/vectors/storage.ts; raw SQL only",
  },
];
// pg-boss keeps its tables in its own schema `pgboss`; only the `public` schema is compared.

// ---- the schema, as Prisma's own parser reads it

type DmmfField = {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  nativeType?: [string, string[]] | null;
};
type DmmfModel = {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
  uniqueFields: string[][];
};
type Dmmf = {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
  };
};

/**
 * The DMMF of a schema from the Prisma CLI's own schema parser (prisma_schema_build_bg.wasm, the
 * `get_dmmf` that `prisma generate` calls), loaded directly: no engine, no network. Its four imports are
 * what the wasm-bindgen glue in prisma/build/cli.js provides.
 */
function readDmmf(schema: string): Dmmf {
  const require = createRequire(import.meta.url);
  const wasmPath = path.join(path.dirname(require.resolve("prisma/package.json")), "build/prisma_schema_build_bg.wasm");
  type Exports = {
    memory: WebAssembly.Memory;
    __wbindgen_externrefs: WebAssembly.Table;
    __wbindgen_start: () => void;
    __wbindgen_malloc: (len: number, align: number) => number;
    __wbindgen_free: (ptr: number, len: number, align: number) => void;
    get_dmmf: (ptr: number, len: number) => [number, number, number, number];
  };
  const text = (ptr: number, len: number) => new TextDecoder().decode(new Uint8Array(w.memory.buffer, ptr, len));
  // wasm-bindgen suffixes its import names with a hash that changes between Prisma releases: match the stem
  const provided: Record<string, (...args: number[]) => unknown> = {
    __wbg_set_message_: (ptr, len) => {
      throw new Error(`Prisma schema parser panicked: ${text(ptr, len)}`);
    },
    __wbg_Error_: (ptr, len) => new Error(text(ptr, len)),
    __wbg___wbindgen_throw_: (ptr, len) => {
      throw new Error(text(ptr, len));
    },
    __wbindgen_init_externref_table: () => {
      const table = w.__wbindgen_externrefs;
      const base = table.grow(4);
      table.set(0, undefined);
      table.set(base, undefined);
      table.set(base + 1, null);
      table.set(base + 2, true);
      table.set(base + 3, false);
    },
  };
  const wasmModule = new WebAssembly.Module(fs.readFileSync(wasmPath));
  const imports: Record<string, Record<string, (...args: number[]) => unknown>> = {};
  for (const wanted of WebAssembly.Module.imports(wasmModule)) {
    const stem = Object.keys(provided).find((k) => wanted.name.startsWith(k));
    if (!stem)
      throw new Error(`schema-matches.test.ts: Prisma's schema wasm wants ${wanted.name}, which it does not provide`);
    (imports[wanted.module] ??= {})[wanted.name] = provided[stem];
  }
  // the imports above reach `w` only when called, after it is set
  const w = new WebAssembly.Instance(wasmModule, imports).exports as unknown as Exports;
  w.__wbindgen_start();
  const input = new TextEncoder().encode(JSON.stringify({ prismaSchema: schema, noColor: true }));
  const ptr = w.__wbindgen_malloc(input.length, 1);
  new Uint8Array(w.memory.buffer, ptr, input.length).set(input);
  const [outPtr, outLen, errorRef, failed] = w.get_dmmf(ptr, input.length);
  if (failed) throw w.__wbindgen_externrefs.get(errorRef);
  const json = text(outPtr, outLen);
  w.__wbindgen_free(outPtr, outLen, 1);
  return JSON.parse(json) as Dmmf;
}

/** The PostgreSQL type a scalar or enum field becomes, as the database describes it (see dbType). */
const defaultTypes: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Boolean: "boolean",
  DateTime: "timestamp without time zone(3)", // Prisma's default for DateTime is timestamp(3)
  Json: "jsonb",
  Bytes: "bytea",
};
const nativeTypes: Record<string, (args: string[]) => string> = {
  Text: () => "text",
  VarChar: (a) => (a.length ? `character varying(${a[0]})` : "character varying"),
  Char: (a) => `character(${a[0] ?? 1})`,
  Uuid: () => "uuid",
  Integer: () => "integer",
  SmallInt: () => "smallint",
  BigInt: () => "bigint",
  Real: () => "real",
  DoublePrecision: () => "double precision",
  Boolean: () => "boolean",
  Timestamptz: (a) => `timestamp with time zone(${a[0] ?? 6})`,
  Timestamp: (a) => `timestamp without time zone(${a[0] ?? 6})`,
  Date: () => "date",
  JsonB: () => "jsonb",
  Json: () => "json",
  ByteA: () => "bytea",
};

function schemaType(field: DmmfField, enumDbNames: Map<string, string>): string {
  if (field.kind === "enum") return `enum ${enumDbNames.get(field.type) ?? field.type}`;
  let type: string;
  if (field.nativeType) {
    const [name, args] = field.nativeType;
    const map = nativeTypes[name];
    if (!map) throw new Error(`schema-matches.test.ts: add a mapping for @db.${name}`);
    type = map(args);
  } else {
    type = defaultTypes[field.type];
    if (!type) throw new Error(`schema-matches.test.ts: add a mapping for ${field.type}`);
  }
  return field.isList ? `${type}[]` : type;
}

export type Shape = {
  /** table -> column -> "type, null|not null" */
  tables: Map<string, Map<string, string>>;
  /** enum type name -> its values in order */
  enums: Map<string, string[]>;
  /** table -> sorted "pk(a,b)" / "unique(a)" entries */
  keys: Map<string, string[]>;
};

/**
 * Prisma's DMMF leaves out `Unsupported("...")` fields (pgvector columns, say), so those few are read from
 * the schema's text: the field line's name, raw type, `?` and `@map`. Everything else comes from the DMMF.
 */
function unsupportedFields(schema: string, model: string) {
  const block = new RegExp(`^model\\s+${model}\\s*\\{([\\s\\S]*?)^\\}`, "m").exec(schema)?.[1] ?? "";
  return [...block.matchAll(/^\s*(\w+)\s+Unsupported\("([^"]+)"\)(\?)?(.*)$/gm)].map((m) => ({
    column: /@map\("([^"]+)"\)/.exec(m[4])?.[1] ?? m[1],
    type: m[2],
    nullability: m[3] ? "null" : "not null",
  }));
}

function schemaShape(dmmf: Dmmf, schema: string): Shape {
  const enumDbNames = new Map(dmmf.datamodel.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const shape: Shape = { tables: new Map(), enums: new Map(), keys: new Map() };
  for (const e of dmmf.datamodel.enums) {
    shape.enums.set(
      e.dbName ?? e.name,
      e.values.map((v) => v.dbName ?? v.name),
    );
  }
  for (const model of dmmf.datamodel.models) {
    const table = model.dbName ?? model.name;
    const columns = new Map<string, string>();
    const column = (fieldName: string) => {
      const f = model.fields.find((x) => x.name === fieldName)!;
      return f.dbName ?? f.name;
    };
    const keys: string[] = [];
    for (const f of model.fields) {
      if (f.kind === "object") continue; // a relation: its columns are the scalar fields it names
      const nullability = f.isRequired || f.isList ? "not null" : "null";
      columns.set(f.dbName ?? f.name, `${schemaType(f, enumDbNames)}, ${nullability}`);
      if (f.isId) keys.push(`pk(${column(f.name)})`);
      if (f.isUnique) keys.push(`unique(${column(f.name)})`);
    }
    for (const u of unsupportedFields(schema, model.name)) columns.set(u.column, `${u.type}, ${u.nullability}`);
    if (model.primaryKey) keys.push(`pk(${model.primaryKey.fields.map(column).join(",")})`);
    for (const u of model.uniqueFields) keys.push(`unique(${u.map(column).join(",")})`);
    shape.tables.set(table, columns);
    shape.keys.set(table, keys.sort());
  }
  return shape;
}

// ---- the database, as PostgreSQL describes it

async function databaseShape(): Promise<Shape> {
  const shape: Shape = { tables: new Map(), enums: new Map(), keys: new Map() };
  const tables = await db().query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
  );
  for (const t of tables.rows) shape.tables.set(t.table_name, new Map());
  const columns = await db().query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: "YES" | "NO";
    character_maximum_length: number | null;
    datetime_precision: number | null;
    numeric_precision: number | null;
    numeric_scale: number | null;
    formatted: string;
  }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable, c.character_maximum_length,
            c.datetime_precision, c.numeric_precision, c.numeric_scale,
            format_type(a.atttypid, a.atttypmod) AS formatted
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass
                          AND a.attname = c.column_name
      WHERE c.table_schema = current_schema()
      ORDER BY c.table_name, c.ordinal_position`,
  );
  for (const c of columns.rows) {
    let type: string;
    if (c.data_type === "USER-DEFINED") {
      // an enum is `enum <name>`; anything else (vector(512), halfvec, tsvector from an extension) as written
      const isEnum = await db().query(`SELECT 1 FROM pg_type WHERE typname = $1 AND typtype = 'e'`, [c.udt_name]);
      type = isEnum.rowCount ? `enum ${c.udt_name}` : c.formatted;
    } else if (c.data_type.startsWith("timestamp")) type = `${c.data_type}(${c.datetime_precision})`;
    else if (c.data_type === "character varying" || c.data_type === "character")
      type = c.character_maximum_length === null ? c.data_type : `${c.data_type}(${c.character_maximum_length})`;
    else if (c.data_type === "numeric") type = `numeric(${c.numeric_precision},${c.numeric_scale})`;
    else if (c.data_type === "ARRAY") type = c.formatted.replace(/^text\[\]$/, "text[]");
    else type = c.data_type;
    shape.tables.get(c.table_name)!.set(c.column_name, `${type}, ${c.is_nullable === "YES" ? "null" : "not null"}`);
  }
  const enums = await db().query<{ typname: string; labels: string[] }>(
    `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema()
      GROUP BY t.typname`,
  );
  for (const e of enums.rows) shape.enums.set(e.typname, e.labels);
  // primary keys and unique indexes on plain columns (a UNIQUE constraint is one too); expression and
  // partial indexes cannot be said in the schema and are left to the migrations
  const keys = await db().query<{ table_name: string; key: string }>(
    `SELECT c.relname AS table_name,
            (CASE WHEN i.indisprimary THEN 'pk' ELSE 'unique' END) || '(' ||
              (SELECT string_agg(a.attname, ',' ORDER BY k.ord)
                 FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) || ')' AS key
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND i.indisunique AND i.indexprs IS NULL AND i.indpred IS NULL`,
  );
  for (const k of keys.rows) {
    const list = shape.keys.get(k.table_name) ?? [];
    list.push(k.key);
    shape.keys.set(k.table_name, list);
  }
  for (const list of shape.keys.values()) list.sort();
  return shape;
}

// ---- the comparison, naming each difference

export function differences(schema: Shape, database: Shape): string[] {
  const out: string[] = [];
  for (const [table, columns] of schema.tables) {
    const dbColumns = database.tables.get(table);
    if (!dbColumns) {
      out.push(`${table}: a model in the schema, no such table in the database`);
      continue;
    }
    for (const [column, type] of columns) {
      const dbType = dbColumns.get(column);
      if (dbType === undefined) out.push(`${table}.${column}: in the schema (${type}), no such column in the database`);
      else if (dbType !== type) out.push(`${table}.${column}: schema says ${type}, database has ${dbType}`);
    }
    for (const [column, dbType] of dbColumns) {
      if (!columns.has(column)) out.push(`${table}.${column}: in the database (${dbType}), not in the schema`);
    }
    const keys = (schema.keys.get(table) ?? []).join(" ");
    const dbKeys = (database.keys.get(table) ?? []).join(" ");
    if (keys !== dbKeys) out.push(`${table} keys: schema says [${keys}], database has [${dbKeys}]`);
  }
  for (const [table, dbColumns] of database.tables) {
    if (schema.tables.has(table) || tableExceptions.some((e) => e.matches(table))) continue;
    out.push(`${table}: a table in the database (${[...dbColumns.keys()].join(", ")}), not a model in the schema`);
  }
  for (const [name, values] of schema.enums) {
    const dbValues = database.enums.get(name);
    if (!dbValues) out.push(`enum ${name}: in the schema, no such type in the database`);
    else if (dbValues.join(",") !== values.join(","))
      out.push(`enum ${name}: schema says (${values.join(", ")}), database has (${dbValues.join(", ")})`);
  }
  for (const name of database.enums.keys()) {
    if (!schema.enums.has(name)) out.push(`enum ${name}: a type in the database, not in the schema`);
  }
  return out;
}

const schemaText = fs.readFileSync(path.join(process.cwd(), "prisma/schema.prisma"), "utf8");

describe("the schema's parser", () => {
  it("reads the models, their columns and their native types", () => {
    const shape = schemaShape(readDmmf(schemaText), schemaText);
    expect(shape.tables.get("users")?.get("email_verified")).toBe("boolean, not null");
    expect(shape.tables.get("sessions")?.get("expires_at")).toBe("timestamp with time zone(3), not null");
    expect(shape.tables.get("images")?.get("status")).toBe("enum ImageStatus, not null");
    expect(shape.keys.get("judgment_events")).toEqual(["pk(annotator_id,client_id)"]);
  });

  it("reads Unsupported fields, which the DMMF leaves out, from the text", () => {
    const text = schemaText.replace(
      /^(\s+rightsHolder\s+.*)$/m,
      '$1\n  embedding Unsupported("vector(512)")? @map("clip_vector")',
    );
    expect(schemaShape(readDmmf(text), text).tables.get("images")?.get("clip_vector")).toBe("vector(512), null");
  });

  it("names a changed type, a missing column and an extra table", () => {
    const schema = schemaShape(readDmmf(schemaText), schemaText);
    const database = schemaShape(readDmmf(schemaText), schemaText);
    database.tables.get("images")!.set("width", "bigint, null");
    database.tables.get("users")!.delete("image");
    database.tables.set("stray", new Map([["id", "integer, not null"]]));
    database.enums.set("Split", ["val", "test", "train"]);
    expect(differences(schema, database)).toEqual([
      "users.image: in the schema (text, null), no such column in the database",
      "images.width: schema says integer, null, database has bigint, null",
      "stray: a table in the database (id), not a model in the schema",
      "enum Split: schema says (val, test), database has (val, test, train)",
    ]);
  });
});

describe.each(dbKinds)("prisma/schema.prisma and the migrations on %s", (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("agree on every table, column, type, nullability, enum and key", async () => {
    const schema = schemaShape(readDmmf(schemaText), schemaText);
    const database = await databaseShape();
    expect(database.tables.size).toBeGreaterThan(10);
    expect(differences(schema, database)).toEqual([]);
  });

  it("names a field whose type the schema changes, against the real database", async () => {
    const changed = schemaText.replace(/^(\s+width\s+)Int\?/m, "$1BigInt?");
    expect(changed).not.toBe(schemaText);
    expect(differences(schemaShape(readDmmf(changed), changed), await databaseShape())).toEqual([
      "images.width: schema says bigint, null, database has integer, null",
    ]);
  });

  // last: it changes this throwaway database
  it("names what a migration changed behind the schema's back", async () => {
    await db().query(`ALTER TABLE images ADD COLUMN stray integer`);
    await db().query(`ALTER TABLE images ALTER COLUMN file_name DROP NOT NULL`);
    await db().query(`ALTER TABLE models DROP CONSTRAINT models_name_key`);
    await db().query(`CREATE TABLE model_vectors_7 (image_id bigint)`); // an exception: not reported
    await db().query(`CREATE TABLE leftovers (id integer)`);
    // a pgvector column the schema declares as Unsupported: the same raw type on both sides, no difference
    await db().query(`ALTER TABLE images ADD COLUMN clip_vector vector(3)`);
    const text = schemaText.replace(
      /^(\s+rightsHolder\s+.*)$/m,
      '$1\n  clip Unsupported("vector(3)")? @map("clip_vector")',
    );
    const schema = schemaShape(readDmmf(text), text);
    expect(schema.tables.get("images")?.get("clip_vector")).toBe("vector(3), null");
    expect(differences(schema, await databaseShape())).toEqual([
      "images.file_name: schema says text, not null, database has text, null",
      "images.stray: in the database (integer, null), not in the schema",
      "models keys: schema says [pk(id) unique(name)], database has [pk(id)]",
      "leftovers: a table in the database (id), not a model in the schema",
    ]);
  });
});

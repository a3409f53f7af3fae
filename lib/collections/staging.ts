import type pg from "pg";
import { copyFrom, copyText } from "./copy-in";
import type { StagedAnnotation, StagedImage, StagedLicense, StagedTaxon } from "./records";

// Staging: an import first copies every record into its own UNLOGGED tables (fast, never seen by the
// rest of the app), then checks them as a whole in SQL (duplicates, references between sections,
// which can come in any order in a file), then merges them into collections' tables in one
// transaction. So a bad file leaves nothing half-written, and an interrupted one resumes from its
// staged rows. The tables are per import, so finishing or abandoning one is a DROP, not a big DELETE.

export type StagedBatch = {
  images: StagedImage[];
  taxa: StagedTaxon[];
  annotations: StagedAnnotation[];
  licenses: StagedLicense[];
};

/** Memory for the hash joins over a million staged rows (the default 4 MB spills them to disk). */
export const MERGE_WORK_MEM = "256MB";

export function emptyBatch(): StagedBatch {
  return { images: [], taxa: [], annotations: [], licenses: [] };
}

export function batchSize(b: StagedBatch): number {
  return b.images.length + b.taxa.length + b.annotations.length + b.licenses.length;
}

/** Names of one import's staging tables; the id is an integer, so interpolating it is safe. */
export function stageTables(importId: number) {
  const id = Math.trunc(importId);
  return {
    images: `stage_import_${id}_images`,
    taxa: `stage_import_${id}_taxa`,
    annotations: `stage_import_${id}_annotations`,
    licenses: `stage_import_${id}_licenses`,
    annByImage: `stage_import_${id}_ann_by_image`,
  };
}

const IMAGE_COLUMNS = `ord bigint, line integer, source_id text, file_name text, width integer, height integer,
  observed_at text, latitude double precision, longitude double precision, location_uncertainty double precision,
  license text, rights_holder text`;
const TAXON_COLUMNS = `ord bigint, line integer, source_id text, name text, common_name text, rank text, kingdom text,
  phylum text, class text, "order" text, family text, genus text, species text, iconic_group text, image_dir_name text`;
const ANNOTATION_COLUMNS = "ord bigint, line integer, image_id text, category_id text";
const LICENSE_COLUMNS = "ord bigint, line integer, source_id text, name text";

function names(columns: string): string {
  return columns
    .split(",")
    .map((c) => c.trim().split(/\s+/)[0])
    .join(", ");
}

/**
 * Creates the staging tables. A folder import can meet the same file again when it resumes, so its
 * images table ignores repeats; in a file, a repeated id is an error the checks must see.
 */
export async function createStageTables(client: pg.ClientBase, importId: number, uniqueImages: boolean): Promise<void> {
  const t = stageTables(importId);
  await client.query(
    `CREATE UNLOGGED TABLE IF NOT EXISTS ${t.images} (${IMAGE_COLUMNS}${uniqueImages ? ", UNIQUE (source_id)" : ""})`,
  );
  await client.query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${t.taxa} (${TAXON_COLUMNS})`);
  await client.query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${t.annotations} (${ANNOTATION_COLUMNS})`);
  await client.query(`CREATE UNLOGGED TABLE IF NOT EXISTS ${t.licenses} (${LICENSE_COLUMNS})`);
}

export async function stageTablesExist(client: pg.ClientBase, importId: number): Promise<boolean> {
  const r = await client.query("SELECT to_regclass($1) IS NOT NULL AS ok", [stageTables(importId).images]);
  return r.rows[0].ok === true;
}

export async function dropStageTables(client: pg.ClientBase, importId: number): Promise<void> {
  const t = stageTables(importId);
  await client.query(`DROP TABLE IF EXISTS ${t.images}, ${t.taxa}, ${t.annotations}, ${t.licenses}, ${t.annByImage}`);
}

async function insertRows(
  client: pg.ClientBase,
  table: string,
  columns: string,
  rows: object[],
  how: "copy" | "json",
  onConflict = "",
): Promise<void> {
  if (rows.length === 0) return;
  const cols = names(columns);
  if (how === "copy") {
    const keys = cols.split(", ").map((c) => c.replace(/"/g, ""));
    await copyFrom(client, `COPY ${table} (${cols}) FROM STDIN`, copyText(rows, keys));
    return;
  }
  // One JSON parameter per batch: PostgreSQL parses it far faster than thousands of bind parameters.
  await client.query(
    `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM json_to_recordset($1::json) AS r(${columns}) ${onConflict}`,
    [JSON.stringify(rows)],
  );
}

/**
 * Writes one batch of staged rows (the caller wraps it in the transaction that records progress).
 * COPY where it works (PostgreSQL; PGlite's wire server does not speak COPY FROM STDIN), else JSON.
 * A folder import's images need ON CONFLICT, which COPY cannot do.
 */
export async function stageBatch(
  client: pg.ClientBase,
  importId: number,
  batch: StagedBatch,
  uniqueImages: boolean,
  copy: boolean,
): Promise<void> {
  const t = stageTables(importId);
  const how = copy ? "copy" : "json";
  await insertRows(
    client,
    t.images,
    IMAGE_COLUMNS,
    batch.images,
    uniqueImages ? "json" : how,
    uniqueImages ? "ON CONFLICT (source_id) DO NOTHING" : "",
  );
  await insertRows(client, t.taxa, TAXON_COLUMNS, batch.taxa, how);
  await insertRows(client, t.annotations, ANNOTATION_COLUMNS, batch.annotations, how);
  await insertRows(client, t.licenses, LICENSE_COLUMNS, batch.licenses, how);
}

export type StagedCounts = { images: number; taxa: number; annotations: number; licenses: number };

export async function stagedCounts(client: pg.ClientBase, importId: number): Promise<StagedCounts> {
  const t = stageTables(importId);
  const r = await client.query(`SELECT
    (SELECT count(*) FROM ${t.images})::int AS images, (SELECT count(*) FROM ${t.taxa})::int AS taxa,
    (SELECT count(*) FROM ${t.annotations})::int AS annotations, (SELECT count(*) FROM ${t.licenses})::int AS licenses`);
  return r.rows[0];
}

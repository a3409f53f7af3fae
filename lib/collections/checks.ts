import path from "node:path";
import type pg from "pg";
import { ImportError } from "./errors";
import { MERGE_WORK_MEM, stageTables } from "./staging";

// Checks that need the whole source at once, run in SQL over the staged rows so memory stays flat:
// repeated ids, and annotations that name an image or a category the source does not have.
// Each failure names the id and where both sides of the problem are.

type Place = { ord: number; line: number | null };

function placeLabel(section: string, p: Place, csv: boolean): string {
  if (csv) return p.line !== null ? `line ${p.line}` : `row ${p.ord + 1}`;
  return `${section}[${p.ord}]${p.line !== null ? ` (line ${p.line})` : ""}`;
}

function quoteId(id: string, csv: boolean): string {
  return csv || !/^-?\d+$/.test(id) ? JSON.stringify(id) : id;
}

async function firstDuplicate(
  client: pg.ClientBase,
  table: string,
): Promise<{ id: string; places: Place[] } | undefined> {
  const dup = await client.query(`SELECT source_id FROM ${table} GROUP BY source_id HAVING count(*) > 1 LIMIT 1`);
  if (dup.rowCount === 0) return undefined;
  const id: string = dup.rows[0].source_id;
  const places = await client.query(`SELECT ord, line FROM ${table} WHERE source_id = $1 ORDER BY ord LIMIT 2`, [id]);
  return { id, places: places.rows };
}

/**
 * Statistics for the planner, and the one-row-per-annotated-image table that both the checks and the
 * merge read. Min and max of the category differ when an image is given two different categories.
 */
export async function prepareChecks(client: pg.ClientBase, importId: number): Promise<void> {
  const t = stageTables(importId);
  await client.query(`ANALYZE ${t.images}, ${t.taxa}, ${t.annotations}`);
  await client.query(`SET work_mem = '${MERGE_WORK_MEM}'`);
  try {
    await client.query(`DROP TABLE IF EXISTS ${t.annByImage}`);
    await client.query(`CREATE UNLOGGED TABLE ${t.annByImage} AS
      SELECT image_id, min(category_id) AS category_id, max(category_id) AS other_category_id
      FROM ${t.annotations} GROUP BY image_id`);
    await client.query(`ANALYZE ${t.annByImage}`);
  } finally {
    await client.query("RESET work_mem");
  }
}

/** Throws an ImportError for the first problem found; needs prepareChecks first. */
export async function checkStaged(client: pg.ClientBase, importId: number, file: string, csv: boolean): Promise<void> {
  const t = stageTables(importId);
  const name = path.basename(file);
  const imagesSection = csv ? "rows" : "images";
  await client.query(`SET work_mem = '${MERGE_WORK_MEM}'`);
  try {
    await runChecks(client, t, file, name, imagesSection, csv);
  } finally {
    await client.query("RESET work_mem");
  }
}

async function runChecks(
  client: pg.ClientBase,
  t: ReturnType<typeof stageTables>,
  file: string,
  name: string,
  imagesSection: string,
  csv: boolean,
): Promise<void> {
  const dupImage = await firstDuplicate(client, t.images);
  if (dupImage) {
    const [a, b] = dupImage.places;
    throw new ImportError(
      "duplicate-id",
      `${name}: duplicate image id ${quoteId(dupImage.id, csv)}: ${placeLabel(imagesSection, a, csv)} and ${placeLabel(imagesSection, b, csv)}`,
      { file, section: imagesSection, index: b.ord, line: b.line ?? undefined, id: dupImage.id, field: "id" },
    );
  }
  const dupTaxon = await firstDuplicate(client, t.taxa);
  if (dupTaxon) {
    const [a, b] = dupTaxon.places;
    throw new ImportError(
      "duplicate-id",
      `${name}: duplicate category id ${quoteId(dupTaxon.id, csv)}: ${placeLabel("categories", a, csv)} and ${placeLabel("categories", b, csv)}`,
      { file, section: "categories", index: b.ord, line: b.line ?? undefined, id: dupTaxon.id, field: "id" },
    );
  }

  const unknownImage = await client.query(
    `SELECT a.ord, a.line, a.image_id, count(*) OVER ()::int AS n FROM ${t.annotations} a
     WHERE NOT EXISTS (SELECT 1 FROM ${t.images} i WHERE i.source_id = a.image_id) ORDER BY a.ord LIMIT 1`,
  );
  if (unknownImage.rowCount) {
    const r = unknownImage.rows[0];
    const more = r.n > 1 ? ` (${r.n} annotations name images that are not there)` : "";
    throw new ImportError(
      "unknown-reference",
      `${name}: ${placeLabel("annotations", r, csv)} names image ${quoteId(r.image_id, csv)}, which is not in images${more}`,
      { file, section: "annotations", index: r.ord, line: r.line ?? undefined, field: "image_id", id: r.image_id },
    );
  }
  const unknownCategory = await client.query(
    `SELECT a.ord, a.line, a.category_id, count(*) OVER ()::int AS n FROM ${t.annotations} a
     WHERE NOT EXISTS (SELECT 1 FROM ${t.taxa} c WHERE c.source_id = a.category_id) ORDER BY a.ord LIMIT 1`,
  );
  if (unknownCategory.rowCount) {
    const r = unknownCategory.rows[0];
    const more = r.n > 1 ? ` (${r.n} annotations name categories that are not there)` : "";
    throw new ImportError(
      "unknown-reference",
      `${name}: ${placeLabel("annotations", r, csv)} names category ${quoteId(r.category_id, csv)}, which is not in categories${more}`,
      {
        file,
        section: "annotations",
        index: r.ord,
        line: r.line ?? undefined,
        field: "category_id",
        id: r.category_id,
      },
    );
  }

  const conflict = await client.query(
    `SELECT image_id FROM ${t.annByImage} WHERE category_id <> other_category_id LIMIT 1`,
  );
  if (conflict.rowCount) {
    const imageId: string = conflict.rows[0].image_id;
    const rows = (
      await client.query(`SELECT ord, line, category_id FROM ${t.annotations} WHERE image_id = $1 ORDER BY ord`, [
        imageId,
      ])
    ).rows;
    const a = rows[0];
    const b = rows.find((r) => r.category_id !== a.category_id) ?? rows[1];
    throw new ImportError(
      "conflicting-annotations",
      `${name}: image ${quoteId(imageId, csv)} is given two categories: ${placeLabel("annotations", a, csv)} says ` +
        `${quoteId(a.category_id, csv)} and ${placeLabel("annotations", b, csv)} says ${quoteId(b.category_id, csv)}; an image has one taxon`,
      { file, section: "annotations", index: b.ord, line: b.line ?? undefined, field: "category_id", id: imageId },
    );
  }
}

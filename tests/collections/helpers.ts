import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "@/lib/db/client";
import { servicesRequired } from "../helpers/services";

// Shared by the collection tests: where ../shared's fixtures are, small files written to temp
// folders, and counts read straight from the tables.

export const SHARED_DIR = process.env.FIELDMARK_SHARED_DIR ?? path.resolve(import.meta.dirname, "../../../shared");
export const LEPIDOPTERA = path.join(SHARED_DIR, "fixtures/lepidoptera/train.json");
export const NATURAL_MIX = path.join(SHARED_DIR, "fixtures/natural-mix/train.json");

/** Fixture tests run when ../shared is there; in CI (FIELDMARK_REQUIRE_SERVICES=1) it must be. */
export const sharedFixtures = fs.existsSync(LEPIDOPTERA) && fs.existsSync(NATURAL_MIX);
if (!sharedFixtures) {
  if (servicesRequired)
    throw new Error(`FIELDMARK_REQUIRE_SERVICES=1 but the shared fixtures are missing at ${SHARED_DIR}`);
  console.warn(`skipping fixture import tests: ${SHARED_DIR}/fixtures is missing (set FIELDMARK_SHARED_DIR)`);
}

export function tempDir(prefix = "fieldmark-import-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeFile(dir: string, name: string, content: string | Buffer | object): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    typeof content === "string" || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 1),
  );
  return file;
}

export type Counts = { collections: number; images: number; taxa: number; stageTables: number };

/** What is in the database for a collection (or for all), and any staging tables left behind. */
export async function counts(collection?: string): Promise<Counts> {
  const r = await db().query(
    `SELECT
       (SELECT count(*) FROM collections WHERE $1::text IS NULL OR name = $1)::int AS collections,
       (SELECT count(*) FROM images i JOIN collections c ON c.id = i.collection_id WHERE $1::text IS NULL OR c.name = $1)::int AS images,
       (SELECT count(*) FROM taxa t JOIN collections c ON c.id = t.collection_id WHERE $1::text IS NULL OR c.name = $1)::int AS taxa,
       (SELECT count(*) FROM pg_tables WHERE tablename LIKE 'stage_import_%')::int AS "stageTables"`,
    [collection ?? null],
  );
  return r.rows[0];
}

/** A small valid train.json, to be spoiled by each bad-input test. */
export function smallTrainJson() {
  return {
    images: [
      {
        id: 1,
        file_name: "images/a.jpg",
        width: 640,
        height: 480,
        date: "2021-05-06 14:30:00+00:00",
        latitude: 51.5,
        longitude: -0.1,
      },
      { id: 2, file_name: "images/b.jpg" },
      { id: 3, file_name: "images/c.jpg", license: "CC BY 4.0", rights_holder: "someone" },
    ],
    categories: [
      {
        id: 10,
        name: "Danaus plexippus",
        common_name: "Monarch",
        supercategory: "Insects",
        kingdom: "Animalia",
        genus: "Danaus",
        specific_epithet: "plexippus",
      },
      { id: 11, name: "Papilio", supercategory: "Insects", genus: "Papilio" },
    ],
    annotations: [
      { id: 1, image_id: 1, category_id: 10 },
      { id: 2, image_id: 2, category_id: 11 },
      { id: 3, image_id: 3, category_id: 10 },
    ],
  };
}

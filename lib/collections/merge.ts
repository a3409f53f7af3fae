import type pg from "pg";
import { MERGE_WORK_MEM, stageTables } from "./staging";

// The last step of an import: staged rows into taxa and images, in the caller's single transaction.
// Rows already there (same source id in the collection) are left as they are, so importing a source
// again changes nothing.
//
// A million images make this the slowest step, and most of its time goes to the foreign-key triggers
// (two per image row, each a locking lookup of the same collection or one of a few thousand taxa). The
// rows are valid by construction (our collection; taxon ids from a join on taxa in this transaction),
// so when allowed (a superuser, as in embedded PGlite, CI and most single-team servers) and when images
// and taxa have no insert triggers of their own, the merge runs with session_replication_role = replica
// (pg_restore's --disable-triggers) and takes the referenced rows' locks once, up front, which is what
// the triggers would do row by row. Otherwise it runs with the triggers, only slower.

const UNSAFE_TRIGGERS = `SELECT count(*)::int AS n FROM pg_trigger
  WHERE tgrelid IN ('images'::regclass, 'taxa'::regclass) AND NOT tgisinternal AND tgenabled = 'O' AND (tgtype & 4) <> 0`;

async function skipForeignKeyTriggers(client: pg.ClientBase, collectionId: number): Promise<boolean> {
  const r = await client.query(
    `SELECT current_setting('is_superuser') = 'on' AS superuser, (${UNSAFE_TRIGGERS}) AS triggers`,
  );
  if (!r.rows[0].superuser || r.rows[0].triggers > 0) return false;
  // the locks each trigger would have taken: nobody may delete the collection or its taxa under us
  await client.query("SELECT 1 FROM collections WHERE id = $1 FOR KEY SHARE", [collectionId]);
  await client.query("SET LOCAL session_replication_role = replica");
  return true;
}

export async function mergeStaged(
  client: pg.ClientBase,
  importId: number,
  collectionId: number,
): Promise<{ taxaAdded: number; imagesAdded: number }> {
  const t = stageTables(importId);
  await client.query(`SET LOCAL work_mem = '${MERGE_WORK_MEM}'`);
  const fast = await skipForeignKeyTriggers(client, collectionId);
  const taxa = await client.query(
    `INSERT INTO taxa (collection_id, source_id, name, common_name, rank, kingdom, phylum, class, "order", family, genus,
       species, iconic_group, image_dir_name)
     SELECT DISTINCT ON (source_id) $1::int, source_id, name, common_name, rank, kingdom, phylum, class, "order", family,
       genus, species, iconic_group, image_dir_name
     FROM ${t.taxa} ORDER BY source_id, ord
     ON CONFLICT (collection_id, source_id) DO NOTHING`,
    [collectionId],
  );
  if (fast) await client.query("SELECT 1 FROM taxa WHERE collection_id = $1 FOR KEY SHARE", [collectionId]);
  // Into an empty collection nothing can conflict (this import holds the collection's lock, and the
  // checks found no repeated ids), and a plain INSERT skips the speculative-insertion work.
  const empty = (
    await client.query("SELECT NOT EXISTS (SELECT 1 FROM images WHERE collection_id = $1) AS empty", [collectionId])
  ).rows[0].empty;
  const licences = (await client.query(`SELECT EXISTS (SELECT 1 FROM ${t.licenses}) AS any`)).rows[0].any;
  const images = await client.query(
    `INSERT INTO images (collection_id, source_id, file_name, width, height, taxon_id, observed_at, latitude, longitude,
       location_uncertainty, license, rights_holder)
     SELECT $1::int, s.source_id, s.file_name, s.width, s.height, tx.id, s.observed_at::timestamptz, s.latitude,
       s.longitude, s.location_uncertainty, ${licences ? "COALESCE(l.name, s.license)" : "s.license"}, s.rights_holder
     FROM ${t.images} s
     LEFT JOIN ${t.annByImage} a ON a.image_id = s.source_id
     LEFT JOIN taxa tx ON tx.collection_id = $1::int AND tx.source_id = a.category_id
     ${licences ? `LEFT JOIN (SELECT DISTINCT ON (source_id) source_id, name FROM ${t.licenses} ORDER BY source_id, ord) l ON l.source_id = s.license` : ""}
     ${empty ? "" : "ON CONFLICT (collection_id, source_id) DO NOTHING"}`,
    [collectionId],
  );
  if (fast) await client.query("SET LOCAL session_replication_role = DEFAULT");
  return { taxaAdded: taxa.rowCount ?? 0, imagesAdded: images.rowCount ?? 0 };
}

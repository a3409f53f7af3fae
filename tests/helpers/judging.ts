import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { db } from "@/lib/db/client";
import type { SeededCollection } from "./seed";

// Extra images and candidate rows for the judging tests. Candidate surfacing is another part's job;
// these tests fill the candidates table directly, as that job would.

/**
 * Adds `count` Bald Eagle images named `${prefix}-001`..., with real small JPEG files when `files`
 * (the browser tests draw their thumbnails). Returns their source ids in order.
 */
export async function addImages(
  collection: SeededCollection,
  count: number,
  opts: { prefix?: string; files?: boolean } = {},
): Promise<string[]> {
  const prefix = opts.prefix ?? "cand";
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(3, "0")}`);
  if (opts.files) {
    const dir = path.join(collection.imagesRoot, prefix);
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < count; i++) {
      const hue = Math.round((i * 137.5) % 360);
      await sharp({ create: { width: 160, height: 120, channels: 3, background: `hsl(${hue}, 55%, 45%)` } })
        .jpeg({ quality: 70 })
        .toFile(path.join(dir, `${ids[i]}.jpg`));
    }
  }
  await db().query(
    `INSERT INTO images (collection_id, source_id, file_name, width, height, taxon_id)
     SELECT $1, id, $3 || '/' || id || '.jpg', 160, 120,
            (SELECT id FROM taxa WHERE collection_id = $1 AND genus = 'Haliaeetus' LIMIT 1)
       FROM unnest($2::text[]) AS id`,
    [collection.id, ids, prefix],
  );
  return ids;
}

/** Candidate rows for a query: `imageIds` in order get ranks from `firstRank`, under `source`. */
export async function addCandidates(
  collectionId: number,
  queryRowId: number,
  imageIds: string[],
  opts: { source?: string; firstRank?: number } = {},
): Promise<void> {
  await db().query(
    `INSERT INTO candidates (query_id, image_id, source, score, rank)
     SELECT $1, i.id, $4, 1 - (n + $5 - 1) / 10000.0, (n + $5 - 1)::int
       FROM unnest($3::text[]) WITH ORDINALITY AS u(source_id, n) JOIN images i ON i.collection_id = $2 AND i.source_id = u.source_id`,
    [queryRowId, collectionId, imageIds, opts.source ?? "text-image", opts.firstRank ?? 1],
  );
}

export async function queryRowId(collectionId: number, sourceId: string): Promise<number> {
  const { rows } = await db().query("SELECT id FROM queries WHERE collection_id = $1 AND source_id = $2", [
    collectionId,
    sourceId,
  ]);
  return rows[0].id;
}

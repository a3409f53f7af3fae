// Thumbnail throughput on the shared photo fixtures: Fieldmark's thumbnail path (read, EXIF-rotate,
// resize, WebP, atomic write, database update) against a bare sharp resize of the same files in the
// same run, so the ratio shows what the bookkeeping costs.
// Usage: npx tsx bench/thumbnails.ts [--limit N]   (embedded PGlite in a temp folder)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { db } from "@/lib/db/client";
import { openDatabase } from "@/lib/db/open";
import { makeThumbnails, THUMBNAIL_SIZE } from "@/lib/images/thumbnails";

const SHARED = path.resolve(import.meta.dirname, "../../shared/fixtures");
const limitArg = process.argv.indexOf("--limit");
const limit = limitArg > 0 ? Number(process.argv[limitArg + 1]) : 2000;

function listPhotos(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .slice(0, limit);
}

async function bareSharp(dir: string, files: string[]): Promise<number> {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < files.length) {
        const f = files[next++];
        await sharp(path.join(dir, f))
          .rotate()
          .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
          .webp({ quality: 80 })
          .toBuffer();
      }
    }),
  );
  return (performance.now() - start) / 1000;
}

async function fieldmark(dir: string, files: string[]): Promise<number> {
  const c = await db().query("INSERT INTO collections (name, images_root) VALUES ($1, $2) RETURNING id", [
    `bench-${path.basename(path.dirname(dir))}`,
    dir,
  ]);
  const cid = c.rows[0].id;
  await db().query(
    "INSERT INTO images (collection_id, source_id, file_name) SELECT $1, f, f FROM unnest($2::text[]) AS f",
    [cid, files],
  );
  const ids = (await db().query("SELECT min(id) AS a, max(id) AS b FROM images WHERE collection_id = $1", [cid]))
    .rows[0];
  const start = performance.now();
  await makeThumbnails(cid, { fromId: ids.a, toId: ids.b });
  return (performance.now() - start) / 1000;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-bench-thumbs-"));
process.env.FIELDMARK_DATA_DIR = dataDir;
const database = await openDatabase({ dataDir, port: 3000, databaseUrl: undefined });
const rows: string[][] = [];
for (const name of ["natural-mix", "lepidoptera"]) {
  const dir = path.join(SHARED, name, "images");
  if (!fs.existsSync(dir)) {
    console.error(`skipping ${name}: ${dir} not found`);
    continue;
  }
  const files = listPhotos(dir);
  const base = await bareSharp(dir, files);
  const ours = await fieldmark(dir, files);
  rows.push([
    name,
    String(files.length),
    (files.length / base).toFixed(0),
    (files.length / ours).toFixed(0),
    (base / ours).toFixed(2),
  ]);
}
await database.close();
fs.rmSync(dataDir, { recursive: true, force: true });

const head = ["fixture", "images", "bare sharp img/s", "fieldmark img/s", "ratio"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
console.log(line(head));
console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
rows.forEach((r) => console.log(line(r)));

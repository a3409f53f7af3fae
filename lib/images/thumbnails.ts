import fs from "node:fs/promises";
import path from "node:path";
import { randomUUID } from "node:crypto";
import sharp from "sharp";
import { thumbnailsDir } from "@/lib/config";
import { db } from "@/lib/db/client";
import type { CollectionRow, ImageRow } from "@/lib/db/rows";
import { ImageAccessError } from "./allowed-roots";
import { decodeWithOwnError } from "./decode-alone";
import { readOriginal } from "./files";
import { markUnreadable } from "./status";

// Thumbnails are made once (by worker jobs, or on first request) and cached on disk as WebP.
// An image that cannot be read is marked unreadable with its reason; nothing else stops.

export const THUMBNAIL_SIZE = 384;

type ThumbnailSource = Pick<ImageRow, "id" | "collectionId" | "fileName" | "width"> & Pick<CollectionRow, "imagesRoot">;

export function thumbnailPath(collectionId: number, imageId: number): string {
  return path.join(thumbnailsDir(), String(collectionId), `${imageId}.webp`);
}

async function loadRows(where: string, params: unknown[]): Promise<ThumbnailSource[]> {
  const r = await db().query<ThumbnailSource>(
    `SELECT i.id, i.collection_id AS "collectionId", i.file_name AS "fileName", c.images_root AS "imagesRoot", i.width
       FROM images i JOIN collections c ON c.id = i.collection_id WHERE ${where} ORDER BY i.id`,
    params,
  );
  return r.rows;
}

/** Makes one image's thumbnail; on failure to read or decode it marks the image unreadable and returns the reason. */
export async function makeThumbnail(row: ThumbnailSource): Promise<{ ok: true } | { ok: false; reason: string }> {
  const target = thumbnailPath(row.collectionId, row.id);
  let data: Buffer;
  let width: number | undefined;
  let height: number | undefined;
  try {
    const { body } = await readOriginal({ fileName: row.fileName, imagesRoot: row.imagesRoot });
    // rotate() applies the EXIF orientation; failOn "warning" turns truncated JPEGs into errors
    // instead of half-grey thumbnails.
    data = await decodeWithOwnError(() =>
      sharp(body, { failOn: "warning" })
        .rotate()
        .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer(),
    );
    if (row.width == null) {
      const meta = await sharp(body).metadata();
      const swap = (meta.orientation ?? 1) >= 5;
      width = swap ? meta.height : meta.width;
      height = swap ? meta.width : meta.height;
    }
  } catch (e) {
    // the reason is shown to experts beside the image: a refused or missing file's public message
    // names no server path
    let reason: string;
    if (e instanceof ImageAccessError) reason = e.publicMessage;
    else {
      // libvips repeats the same line once per decode attempt: keep each distinct line once
      const lines = (e as Error).message
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      reason = [...new Set(lines)].join("; ");
      // libvips sometimes reports a decoder warning only by this generic line
      if (/warning treated as error/i.test(reason)) reason = `corrupt or truncated image (${reason})`;
    }
    await markUnreadable(row.id, reason);
    return { ok: false, reason };
  }
  // Writing is not the image's fault: a failure here throws (the job retries) and never marks it
  // unreadable. The temporary name is unique per call, so two makers of the same thumbnail at once
  // (two requests, or a request and a worker job) each rename a whole file of their own.
  const tmp = `${target}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, target);
  } catch (e) {
    // a half-written file would hold on to the very space that ran out
    await fs.rm(tmp, { force: true });
    if ((e as NodeJS.ErrnoException).code === "ENOSPC")
      throw new Error(
        `no space left for thumbnails in ${thumbnailsDir()}: free some and the job retries (${(e as Error).message})`,
      );
    throw e;
  }
  await db().query(
    `UPDATE images SET thumbnail_at = now(), status = 'ok', status_reason = NULL,
            width = COALESCE(width, $2), height = COALESCE(height, $3) WHERE id = $1`,
    [row.id, width ?? null, height ?? null],
  );
  return { ok: true };
}

// A page asks for many thumbnails at once, sometimes the same one twice: one decode serves them all.
const inFlight = new Map<number, ReturnType<typeof makeThumbnail>>();
function makeOnce(row: ThumbnailSource): ReturnType<typeof makeThumbnail> {
  let p = inFlight.get(row.id);
  if (!p) {
    p = makeThumbnail(row).finally(() => inFlight.delete(row.id));
    inFlight.set(row.id, p);
  }
  return p;
}

/** The cached thumbnail for an image (made now if missing), or why it cannot be shown. */
export async function thumbnailFor(
  imageRowId: number,
): Promise<{ path: string; etag: string } | { unreadable: string }> {
  const [row] = await loadRows("i.id = $1", [imageRowId]);
  if (!row) return { unreadable: "no such image" };
  const target = thumbnailPath(row.collectionId, row.id);
  let stat = await fs.stat(target).catch(() => undefined);
  if (!stat) {
    const made = await makeOnce(row);
    if (!made.ok) return { unreadable: made.reason };
    stat = await fs.stat(target);
  }
  return { path: target, etag: `"t${row.id}-${stat.mtimeMs.toFixed(0)}-${stat.size}"` };
}

/** Makes the missing thumbnails of images with ids in [fromId, toId], a few at a time. */
export async function makeThumbnails(
  collectionId: number,
  range: { fromId: number; toId: number },
  onProgress?: (done: number, total: number) => void,
): Promise<{ made: number; unreadable: number }> {
  const rows = await loadRows(
    "i.collection_id = $1 AND i.id BETWEEN $2 AND $3 AND i.thumbnail_at IS NULL AND i.status = 'ok'",
    [collectionId, range.fromId, range.toId],
  );
  let made = 0;
  let unreadable = 0;
  let next = 0;
  const CONCURRENCY = 4; // libvips is multi-threaded itself; a little overlap hides file/network latency
  let failed = false;
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (next < rows.length && !failed) {
      const row = rows[next++];
      try {
        const r = await makeThumbnail(row);
        if (r.ok) made++;
        else unreadable++;
      } catch (e) {
        failed = true; // the others finish what they hold and take no more
        throw e;
      }
      onProgress?.(made + unreadable, rows.length);
    }
  });
  // every maker settled before the job fails: a full disk's other writes have removed their temporary
  // files by the time the failure is recorded, and none is still writing when the retry starts
  const settled = await Promise.allSettled(workers);
  const failure = settled.find((r) => r.status === "rejected");
  if (failure) throw failure.reason;
  return { made, unreadable };
}

/** How far a collection's thumbnails are: the UI and CLI show this as progress. */
export async function thumbnailProgress(
  collectionId: number,
): Promise<{ total: number; done: number; unreadable: number }> {
  const r = await db().query(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE thumbnail_at IS NOT NULL)::int AS done,
            count(*) FILTER (WHERE status = 'unreadable')::int AS unreadable
       FROM images WHERE collection_id = $1`,
    [collectionId],
  );
  return r.rows[0];
}

import { db } from "@/lib/db/client";

/** Marks an image unreadable with the reason a person can act on (thumbnails and embedding both do). */
export async function markUnreadable(imageId: number, reason: string): Promise<void> {
  await db().query("UPDATE images SET status = 'unreadable', status_reason = $2 WHERE id = $1", [
    imageId,
    reason.slice(0, 500),
  ]);
}

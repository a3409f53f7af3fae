import { importRunGone } from "@/lib/collections/import-jobs";
import { db } from "@/lib/db/client";
import { boss, QUEUES } from "./boss";

// pg-boss 10 has no heartbeat, and an import may rightly run for hours, so its job keeps a 6 h expiry:
// a worker killed mid-import would leave the job "active" that long. The import itself knows better:
// its lease (lib/collections/import-jobs.ts) says whether the run holding it is gone. The worker asks
// on start and every half minute, and hands an orphaned job back to the queue under the same id (the
// lead's page follows that id), where it resumes from what the import saved.

/** How long a job may run before it must hold its collection's lease (it takes it within seconds). */
const LEASE_GRACE_SECONDS = 120;

export type ReclaimedImport = { jobId: string; collection: string; reason: string };

/** Import jobs pg-boss calls active whose run is gone, failed and retried; what was handed back. */
export async function reclaimOrphanedImports(): Promise<ReclaimedImport[]> {
  const b = await boss();
  const { rows } = await db().query<{ id: string; collection: string; collectionId: number | null; waited: boolean }>(
    `SELECT j.id, j.data->>'collection' AS collection, c.id AS "collectionId",
            j.started_on < now() - make_interval(secs => $2) AS waited
       FROM pgboss.job j LEFT JOIN collections c ON c.name = j.data->>'collection'
      WHERE j.name = $1 AND j.state = 'active'`,
    [QUEUES.imports, LEASE_GRACE_SECONDS],
  );
  const reclaimed: ReclaimedImport[] = [];
  for (const job of rows) {
    const gone = job.collectionId === null ? null : await importRunGone(db(), job.collectionId);
    const reason =
      gone === true
        ? "the worker running it stopped"
        : gone === null && job.waited
          ? `it held no import lease after ${LEASE_GRACE_SECONDS} s`
          : null;
    if (!reason) continue;
    await b.fail(QUEUES.imports, job.id, { message: `${reason}; queued again to resume` });
    await b.retry(QUEUES.imports, job.id);
    reclaimed.push({ jobId: job.id, collection: job.collection, reason });
  }
  return reclaimed;
}

import { randomUUID } from "node:crypto";
import os from "node:os";
import type pg from "pg";
import { databaseKind, db } from "@/lib/db/client";
import { ImportError } from "./errors";
import { describeSource, type SourceInfo } from "./source";
import { createStageTables, dropStageTables, stageTablesExist } from "./staging";

// The `imports` table is an import's memory: which source (and which version of it, by fingerprint),
// how far it got (phase, records_done), how it ended. A later run reads it to resume or to see that
// there is nothing to do.

export type ImportPhase = "reading" | "checking" | "merging" | "done";
export type ImportStatus = "running" | "interrupted" | "done" | "failed" | "abandoned";

export type ImportJob = {
  id: number;
  phase: ImportPhase;
  recordsDone: number;
  resumed: boolean;
  /** set when this very source was already imported: its stats */
  alreadyDone?: ImportStats;
};

export type ImportStats = {
  images: number;
  taxa: number;
  annotations: number;
  imagesAdded: number;
  taxaAdded: number;
  records: number;
};

const LOCK_NAMESPACE = 7_230_115; // pg_advisory_lock(namespace, collection id): one import per collection at a time

export async function ensureCollection(client: pg.ClientBase, name: string, imagesRoot: string): Promise<number> {
  await client.query("INSERT INTO collections (name, images_root) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [
    name,
    imagesRoot,
  ]);
  const r = await client.query(
    "SELECT id, images_root, EXISTS (SELECT 1 FROM images i WHERE i.collection_id = c.id) AS has_images FROM collections c WHERE name = $1",
    [name],
  );
  const { id, images_root: existing, has_images: hasImages } = r.rows[0];
  if (existing !== imagesRoot) {
    // an image's stored path is relative to the collection's one root, so two roots cannot mix
    if (existing && hasImages) {
      throw new ImportError(
        "images-root-mismatch",
        `collection "${name}" keeps its images under ${existing}, but this import's images root is ${imagesRoot}: pass --images-root ${existing}, or import into another collection`,
      );
    }
    await client.query("UPDATE collections SET images_root = $2 WHERE id = $1", [id, imagesRoot]);
  }
  return id;
}

/**
 * Takes the collection's import lock for the session of `client`, waiting up to `waitMs` for another
 * holder (after a kill -9, the dead process's server session can take a moment to go away).
 *
 * Two guards, because the advisory lock excludes nobody on the embedded PGlite (every connection is
 * one database session there): the advisory lock, and a row in `import_leases` inserted in one
 * statement (atomic on both databases). A lease whose holder is gone is taken over: on PostgreSQL
 * whenever the advisory lock is free (its session ended), on either when the holder's pid is dead on
 * this host or the lease was not renewed for LEASE_TTL_SECONDS.
 */
export async function lockCollection(
  client: pg.ClientBase,
  collectionId: number,
  name: string,
  waitMs: number,
): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  const holder = randomUUID();
  const refuse = () =>
    new ImportError("import-running", `another import into collection "${name}" is running; wait for it to finish`);
  for (;;) {
    const r = await client.query("SELECT pg_try_advisory_lock($1, $2) AS ok", [LOCK_NAMESPACE, collectionId]);
    if (r.rows[0].ok) break;
    if (Date.now() >= deadline) throw refuse();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const unlockAdvisory = () =>
    client.query("SELECT pg_advisory_unlock($1, $2)", [LOCK_NAMESPACE, collectionId]).then(
      () => {},
      () => {},
    );
  try {
    while (!(await takeLease(client, collectionId, holder))) {
      if (Date.now() >= deadline) throw refuse();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (e) {
    await unlockAdvisory();
    throw e;
  }
  // renewed on its own connection: the session is busy with the import's statements and transactions
  const renew = setInterval(() => {
    db()
      .query("UPDATE import_leases SET renewed_at = now() WHERE collection_id = $1 AND holder = $2", [
        collectionId,
        holder,
      ])
      .catch(() => {});
  }, LEASE_RENEW_MS);
  renew.unref();
  return async () => {
    clearInterval(renew);
    await client
      .query("DELETE FROM import_leases WHERE collection_id = $1 AND holder = $2", [collectionId, holder])
      .catch(() => {});
    await unlockAdvisory();
  };
}

const LEASE_TTL_SECONDS = 10 * 60; // only for a holder on another host; a local dead pid is seen at once
const LEASE_RENEW_MS = 60_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether the run holding a collection's import lease is gone (killed, its machine lost): its pid is
 * dead on this host, its session no longer holds the advisory lock (PostgreSQL), or it stopped renewing.
 * null when no lease is held. The worker asks this of import jobs pg-boss still calls active.
 */
export async function importRunGone(client: pg.ClientBase | pg.Pool, collectionId: number): Promise<boolean | null> {
  const r = await client.query<{ host: string; pid: number; stale: boolean }>(
    `SELECT host, pid, renewed_at < now() - make_interval(secs => $2) AS stale FROM import_leases WHERE collection_id = $1`,
    [collectionId, LEASE_TTL_SECONDS],
  );
  const lease = r.rows[0];
  if (!lease) return null;
  if (lease.stale || (lease.host === os.hostname() && !pidAlive(lease.pid))) return true;
  if (databaseKind() !== "postgres") return false;
  const locked = await client.query(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2 AND granted`,
    [LOCK_NAMESPACE, collectionId],
  );
  return locked.rowCount === 0;
}

/** Inserts this run's lease, or takes over one whose holder is gone; true when this run holds it. */
async function takeLease(client: pg.ClientBase, collectionId: number, holder: string): Promise<boolean> {
  const current = await client.query<{ holder: string; host: string; pid: number }>(
    "SELECT holder, host, pid FROM import_leases WHERE collection_id = $1",
    [collectionId],
  );
  const held = current.rows[0];
  // on PostgreSQL this run holds the advisory lock, so whoever wrote the row has lost its session
  const gone =
    held && (databaseKind() === "postgres" || (held.host === os.hostname() && !pidAlive(held.pid))) && held.holder;
  const r = await client.query(
    `INSERT INTO import_leases (collection_id, holder, host, pid) VALUES ($1, $2, $3, $4)
     ON CONFLICT (collection_id) DO UPDATE
       SET holder = EXCLUDED.holder, host = EXCLUDED.host, pid = EXCLUDED.pid, renewed_at = now()
     WHERE import_leases.holder = $5 OR import_leases.renewed_at < now() - make_interval(secs => $6)
     RETURNING holder`,
    [collectionId, holder, os.hostname(), process.pid, gone || null, LEASE_TTL_SECONDS],
  );
  return r.rows[0]?.holder === holder;
}

/**
 * Finds the import to continue for this source, or starts one. A finished import of the same file
 * (same fingerprint) means there is nothing to do; an unfinished one resumes; an unfinished import
 * of an older version of the file is abandoned. A folder's fingerprint cannot see files added deep
 * inside it, so a folder is always read again (its rows merge idempotently).
 */
export async function startOrResume(
  client: pg.ClientBase,
  collectionId: number,
  source: SourceInfo,
): Promise<ImportJob> {
  const previous = await client.query(
    `SELECT id, fingerprint, status, phase, records_done, stats FROM imports
     WHERE collection_id = $1 AND source = $2 AND status IN ('running', 'interrupted', 'done') ORDER BY id DESC`,
    [collectionId, source.path],
  );
  let resume: ImportJob | undefined;
  for (const row of previous.rows) {
    if (row.status === "done") {
      if (!resume && row.fingerprint === source.fingerprint && source.kind !== "folder" && row.stats) {
        return {
          id: row.id,
          phase: "done",
          recordsDone: Number(row.records_done),
          resumed: false,
          alreadyDone: row.stats,
        };
      }
      continue;
    }
    if (!resume && row.fingerprint === source.fingerprint && (await stageTablesExist(client, row.id))) {
      resume = { id: row.id, phase: row.phase, recordsDone: Number(row.records_done), resumed: true };
      await client.query("UPDATE imports SET status = 'running', error = NULL WHERE id = $1", [row.id]);
      continue;
    }
    await dropStageTables(client, row.id);
    await client.query("UPDATE imports SET status = 'abandoned', finished_at = now() WHERE id = $1", [row.id]);
  }
  await abandonStale(client, collectionId, source.path);
  if (resume) return resume;
  const created = await client.query(
    `INSERT INTO imports (collection_id, source, source_kind, fingerprint, status, phase, records_done)
     VALUES ($1, $2, $3, $4, 'running', 'reading', 0) RETURNING id`,
    [collectionId, source.path, source.kind, source.fingerprint],
  );
  const id: number = created.rows[0].id;
  await createStageTables(client, id, source.kind === "folder");
  return { id, phase: "reading", recordsDone: 0, resumed: false };
}

/**
 * Unfinished imports of other sources into this collection whose file has since changed or gone can
 * never resume: their staging tables are dropped so they do not sit on disk for ever.
 */
async function abandonStale(client: pg.ClientBase, collectionId: number, except: string): Promise<void> {
  const rows = await client.query(
    "SELECT id, source, fingerprint FROM imports WHERE collection_id = $1 AND source <> $2 AND status IN ('running', 'interrupted')",
    [collectionId, except],
  );
  for (const row of rows.rows) {
    let current: string | undefined;
    try {
      current = describeSource(row.source).fingerprint;
    } catch {
      current = undefined;
    }
    if (current === row.fingerprint) continue;
    await dropStageTables(client, row.id);
    await client.query("UPDATE imports SET status = 'abandoned', finished_at = now() WHERE id = $1", [row.id]);
  }
}

export async function setPhase(client: pg.ClientBase, importId: number, phase: ImportPhase): Promise<void> {
  await client.query("UPDATE imports SET phase = $2 WHERE id = $1", [importId, phase]);
}

/** An interruption keeps everything staged, for the next run to resume. */
export async function markInterrupted(client: pg.ClientBase, importId: number, reason: string): Promise<void> {
  await client.query("UPDATE imports SET status = 'interrupted', error = $2 WHERE id = $1 AND status = 'running'", [
    importId,
    reason,
  ]);
}

/**
 * Bad input: the staged rows go, the import is recorded as failed with its message, and a collection
 * this failure leaves empty and unused is removed (so a mistyped first import leaves no trace).
 */
export async function markFailed(
  client: pg.ClientBase,
  importId: number,
  collectionId: number,
  message: string,
): Promise<void> {
  await dropStageTables(client, importId);
  await client.query("UPDATE imports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1", [
    importId,
    message,
  ]);
  await client.query(
    `DELETE FROM collections c WHERE c.id = $1 AND c.description IS NULL
       AND NOT EXISTS (SELECT 1 FROM images WHERE collection_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM taxa WHERE collection_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM queries WHERE collection_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM imports WHERE collection_id = c.id AND status IN ('running', 'interrupted', 'done'))`,
    [collectionId],
  );
}

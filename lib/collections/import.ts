import path from "node:path";
import type pg from "pg";
import { databaseKind, db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { checkStaged, prepareChecks } from "./checks";
import { ImportError, ImportInterruptedError } from "./errors";
import type { Via } from "@/lib/images/allowed-roots";
import { imagesRootLabel, pathWithinRoot, resolveImagesRoot, type ImagesRoot } from "./images-root";
import {
  ensureCollection,
  lockCollection,
  markFailed,
  markInterrupted,
  setPhase,
  startOrResume,
  type ImportJob,
  type ImportPhase,
  type ImportStats,
} from "./import-jobs";
import { readCsvManifest } from "./read-csv";
import { readImageFolder } from "./read-folder";
import { readInatJson, type ReaderContext, type RecordChunk } from "./read-inat-json";
import { describeSource, type SourceInfo, type SourceKind } from "./source";
import { mergeStaged } from "./merge";
import { batchSize, dropStageTables, emptyBatch, stageBatch, stagedCounts, type StagedBatch } from "./staging";

// Imports a collection: a train.json, a CSV manifest or a folder. Three phases, each recorded in the
// `imports` row: reading (records streamed into staging tables in batches, each batch committed with
// the count of records done, so a killed import resumes after its last batch), checking (the whole
// source checked in SQL), merging (one transaction into taxa and images, idempotent, committed only
// once the checks pass; on PostgreSQL the checks and the merge run side by side).

export type ImportProgress = {
  importId: number;
  phase: ImportPhase;
  /** records (images, categories, annotations) read from the source and staged so far */
  records: number;
  bytesRead: number | null;
  bytesTotal: number | null;
};

export type ImportOptions = {
  /** train.json, manifest.csv or a folder of images */
  source: string;
  /** collection name; created if it does not exist */
  collection: string;
  /** a folder or an http(s) base URL; defaults to the folder holding the source (or the folder itself) */
  imagesRoot?: string;
  /** called after each staged batch and at each phase; throwing from it interrupts the import (resumable) */
  onProgress?: (progress: ImportProgress) => void | Promise<void>;
  /** aborting interrupts the import; the next run resumes it */
  signal?: AbortSignal;
  /** records per staged batch (default 10,000) */
  batchSize?: number;
  /** how long to wait for an http(s) images root to answer (default 5 s) */
  urlProbeTimeoutMs?: number;
  /** how long to wait while another import into the same collection runs (default 15 s) */
  lockWaitMs?: number;
  /**
   * who asked: "cli" (the server's own user: anywhere but the data folder) or "web" (a lead through the
   * app: only FIELDMARK_IMAGE_ROOTS); see lib/images/allowed-roots. Default "cli".
   */
  via?: Via;
};

export type ImportResult = {
  importId: number;
  collection: string;
  collectionId: number;
  source: string;
  sourceKind: SourceKind;
  imagesRoot: string;
  /** this run continued an interrupted import */
  resumed: boolean;
  /** this exact file was imported before: nothing was done */
  alreadyImported: boolean;
  records: number;
  images: { inSource: number; added: number };
  taxa: { inSource: number; added: number };
  annotations: number;
  seconds: number;
};

const DEFAULT_BATCH = 10_000;

function fileNameResolver(source: SourceInfo, root: ImagesRoot): (f: string) => string | null {
  if (source.kind === "folder") {
    // a folder's files are found on disk: relative to the images root, or to the folder for a URL root
    return root.kind === "folder"
      ? (full) => pathWithinRoot(root, full)
      : (full) => pathWithinRoot(root, path.relative(source.path, full).split(path.sep).join("/"));
  }
  return (f) => pathWithinRoot(root, f);
}

function readSource(source: SourceInfo, ctx: ReaderContext): AsyncGenerator<RecordChunk> {
  if (source.kind === "inat-json") return readInatJson(source.path, ctx);
  if (source.kind === "csv") return readCsvManifest(source.path, ctx);
  return readImageFolder(source.path, ctx);
}

function addToBatch(batch: StagedBatch, rec: RecordChunk["records"][number]): void {
  if (rec.kind === "image") batch.images.push(rec.row);
  else if (rec.kind === "taxon") batch.taxa.push(rec.row);
  else if (rec.kind === "annotation") batch.annotations.push(rec.row);
  else batch.licenses.push(rec.row);
}

export async function importCollection(opts: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  const source = describeSource(opts.source, { via: opts.via });
  const root = await resolveImagesRoot(opts.imagesRoot ?? source.defaultImagesRoot, {
    timeoutMs: opts.urlProbeTimeoutMs,
    via: opts.via,
  });
  const rootLabel = imagesRootLabel(root);
  const pool = db();
  const session = await pool.connect(); // holds the collection's import lock for the whole run
  try {
    const collectionId = await ensureCollection(session, opts.collection, rootLabel);
    const unlock = await lockCollection(session, collectionId, opts.collection, opts.lockWaitMs ?? 15_000);
    try {
      const job = await startOrResume(session, collectionId, source);
      const base = {
        importId: job.id,
        collection: opts.collection,
        collectionId,
        source: source.path,
        sourceKind: source.kind,
        imagesRoot: rootLabel,
        resumed: job.resumed,
      };
      if (job.alreadyDone) {
        const s = job.alreadyDone;
        return {
          ...base,
          alreadyImported: true,
          records: s.records,
          images: { inSource: s.images, added: 0 },
          taxa: { inSource: s.taxa, added: 0 },
          annotations: s.annotations,
          seconds: (Date.now() - started) / 1000,
        };
      }
      const stats = await runImport(pool, session, job, source, root, collectionId, opts);
      return {
        ...base,
        alreadyImported: false,
        records: stats.records,
        images: { inSource: stats.images, added: stats.imagesAdded },
        taxa: { inSource: stats.taxa, added: stats.taxaAdded },
        annotations: stats.annotations,
        seconds: (Date.now() - started) / 1000,
      };
    } finally {
      await unlock();
    }
  } finally {
    session.release();
  }
}

async function runImport(
  pool: pg.Pool,
  session: pg.PoolClient,
  job: ImportJob,
  source: SourceInfo,
  root: ImagesRoot,
  collectionId: number,
  opts: ImportOptions,
): Promise<ImportStats> {
  const limit = opts.batchSize ?? DEFAULT_BATCH;
  let recordsDone = job.recordsDone;
  let bytesRead: number | null = source.size === null ? null : 0;
  const report = async (phase: ImportPhase) => {
    await opts.onProgress?.({ importId: job.id, phase, records: recordsDone, bytesRead, bytesTotal: source.size });
  };
  let inflight: Promise<void> | undefined;
  try {
    if (job.phase === "reading") {
      const useCopy = databaseKind() === "postgres";
      const ctx: ReaderContext = { resolveFileName: fileNameResolver(source, root), rootLabel: imagesRootLabel(root) };
      // One batch is written while the next is parsed: the database and the parser each get a core.
      const flush = async (batch: StagedBatch, upTo: number, bytes: number | null) => {
        await inTransaction(async (client) => {
          await stageBatch(client, job.id, batch, source.kind === "folder", useCopy);
          await client.query("UPDATE imports SET records_done = $2 WHERE id = $1", [job.id, upTo]);
        });
        recordsDone = upTo;
        bytesRead = bytes;
        await report("reading");
      };
      let seen = 0;
      let skippedChunks = 0;
      let batch = emptyBatch();
      for await (const chunk of readSource(source, ctx)) {
        if (opts.signal?.aborted) throw new ImportInterruptedError(job.id, recordsDone, opts.signal.reason);
        if (seen + chunk.records.length <= job.recordsDone && ++skippedChunks % 16 === 0 && source.size !== null) {
          // finding our place in a big file takes a while: show the bytes moving
          bytesRead = chunk.bytesRead;
          await report("reading");
        }
        for (const rec of chunk.records) {
          // records an interrupted run already staged are read again (to find our place) and skipped
          if (seen++ < job.recordsDone) continue;
          addToBatch(batch, rec);
          if (batchSize(batch) >= limit) {
            await inflight;
            inflight = flush(batch, seen, source.size === null ? null : chunk.bytesRead);
            inflight.catch(() => {}); // awaited before the next flush; this only marks it handled meanwhile
            batch = emptyBatch();
          }
        }
      }
      await inflight;
      inflight = undefined;
      if (batchSize(batch) > 0 || seen > recordsDone) await flush(batch, seen, source.size);
      bytesRead = source.size;
      await setPhase(session, job.id, "checking");
    }
    if (opts.signal?.aborted) throw new ImportInterruptedError(job.id, recordsDone, opts.signal.reason);
    await report("checking");
    await prepareChecks(session, job.id);
    const counts = await stagedCounts(session, job.id);
    const check = () => checkStaged(session, job.id, source.path, source.kind === "csv");
    // PGlite is one session: a transaction open on one connection holds up the others, so there the
    // checks must finish before the merge begins.
    const concurrent = databaseKind() !== "pglite";
    if (!concurrent) await check();
    await setPhase(session, job.id, "merging");
    await report("merging");
    const stats = await inTransaction(async (client) => {
      let merged: Awaited<ReturnType<typeof mergeStaged>>;
      if (concurrent) {
        // The merge does not wait for the checks: it commits only if they pass, and a problem they
        // find (an ImportError, with its place in the file) is the one reported, whatever the merge met.
        const [checked, result] = await Promise.allSettled([check(), mergeStaged(client, job.id, collectionId)]);
        if (checked.status === "rejected") throw checked.reason;
        if (result.status === "rejected") throw result.reason;
        merged = result.value;
      } else {
        merged = await mergeStaged(client, job.id, collectionId);
      }
      const s: ImportStats = {
        images: counts.images,
        taxa: counts.taxa,
        annotations: counts.annotations,
        imagesAdded: merged.imagesAdded,
        taxaAdded: merged.taxaAdded,
        records: recordsDone,
      };
      await client.query(
        `UPDATE imports SET status = 'done', phase = 'done', error = NULL, finished_at = now(), stats = $2 WHERE id = $1`,
        [job.id, JSON.stringify(s)],
      );
      await dropStageTables(client, job.id);
      return s;
    });
    await report("done");
    return stats;
  } catch (e) {
    await inflight?.catch(() => {});
    if (e instanceof ImportError) {
      await markFailed(session, job.id, collectionId, e.message);
      throw e;
    }
    const reason = e instanceof Error ? e.message : String(e);
    await markInterrupted(session, job.id, reason).catch(() => {});
    throw e;
  }
}

import type pg from "pg";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { getVectorStore, type VectorStore } from "@/lib/vectors/storage";
import { parseVectorText, vectorParam } from "@/lib/vectors/wire";
import type { ImageFilter } from "@/lib/filters/filter";
import { imageConditions, resolveTaxonIds, SqlParams } from "@/lib/filters/sql";

// Nearest-neighbour search over a model's vectors, with filters inside the query. Two ways to answer:
// - index: the HNSW index with pgvector 0.8's iterative scan (relaxed order, re-sorted afterwards), which
//   keeps walking the graph until K rows pass the filter; right when the filter keeps many rows.
// - exact: distances to every matching row; right when the filter is narrow (a 1% filter would make the
//   graph walk visit ~100x K tuples), and exact by definition. Taxon filters read the vector table's own
//   (collection_id, taxon_id) index, and the table is sorted by taxonomy (lib/vectors/hnsw.ts), so a
//   subtree's rows are adjacent on disk; date and place filters join images.
// The choice is made on an estimate of how many rows match. If the index path still returns fewer than
// K rows (a scan limit reached), the exact path answers, so a filter never leaves fewer than K results
// when K exist.

export type SearchResult = {
  /** internal image id */
  imageId: number;
  /** the id users see (the source's image id, or the path of a folder import) */
  sourceId: string;
  /** cosine similarity, higher is closer */
  score: number;
};

export type VectorSearchOptions = {
  collectionId: number;
  /** how many results; default 100 */
  k?: number;
  /** what to search among (lib/filters: taxon, iconic group, days, box) */
  filters?: ImageFilter;
  /** force a path; default "auto" */
  strategy?: "auto" | "exact" | "index";
  /** HNSW candidate list; default max(k, DEFAULT_EF_SEARCH) (at most 1000) */
  efSearch?: number;
  /** at or below this many matching rows the exact path is used; default EXACT_MAX_ROWS */
  exactMaxRows?: number;
  /** images never returned (e.g. the query image itself) */
  excludeImageIds?: number[];
};

export type SearchDetail = {
  results: SearchResult[];
  strategy: "exact" | "index";
  estimatedRows: number;
  fellBack: boolean;
};

export const DEFAULT_K = 100;
export const MAX_K = 10_000;
export const DEFAULT_EF_SEARCH = 200;
export const EXACT_MAX_ROWS = 20_000;

type Query = {
  store: VectorStore;
  k: number;
  /** the resolved taxon filter, as a condition on a table alias's taxon_id */
  taxonCond?: (alias: string) => string;
  /** date and place conditions on images (alias i); none: no join */
  imageConds: string[];
  /** other conditions on the vector table (alias e) */
  vectorConds: string[];
  /** $1 is always the collection id */
  params: SqlParams;
  queryParam: string;
};

function distanceSql(q: Query): string {
  return `(e.vector <=> ${q.queryParam})`;
}

function fromWhere(q: Query): string {
  const join = q.imageConds.length ? " JOIN images i ON i.id = e.image_id" : "";
  const where = [
    "e.collection_id = $1",
    ...(q.taxonCond ? [q.taxonCond("e")] : []),
    ...q.vectorConds,
    ...(q.imageConds.length ? ["i.collection_id = $1", ...q.imageConds] : []),
  ];
  return `FROM ${q.store.tableName} e${join} WHERE ${where.join(" AND ")}`;
}

function resultSql(hits: string): string {
  // a lookup per hit rather than a join: nothing for the planner to choose, whatever enable_* says
  return `WITH hits AS MATERIALIZED (${hits})
    SELECT h.image_id AS "imageId", (SELECT i.source_id FROM images i WHERE i.id = h.image_id) AS "sourceId",
      1 - h.distance AS score
    FROM hits h ORDER BY h.distance, h.image_id`;
}

/**
 * Runs the search statement in a transaction with its settings. JIT is off throughout: compiling takes
 * 100-250 ms, far more than these statements run, and the enable_* penalties below would always trigger it.
 */
async function runWithSettings(
  client: pg.PoolClient,
  settings: string[],
  sql: string,
  values: unknown[],
): Promise<SearchResult[]> {
  return inTransaction(async (c) => (await c.query<SearchResult>(sql, values)).rows, {
    client,
    settings: ["jit = off", ...settings],
  });
}

async function runExact(client: pg.PoolClient, q: Query, parallel: boolean): Promise<SearchResult[]> {
  // OFFSET 0 keeps the planner from answering ORDER BY ... LIMIT through the HNSW index.
  const hits = `SELECT s.image_id, s.distance FROM (
      SELECT e.image_id, ${distanceSql(q)} AS distance ${fromWhere(q)} OFFSET 0) s
    ORDER BY s.distance, s.image_id LIMIT ${q.k}`;
  return runWithSettings(
    client,
    parallel ? [] : ["max_parallel_workers_per_gather = 0"],
    resultSql(hits),
    q.params.values,
  );
}

async function runIndex(
  client: pg.PoolClient,
  q: Query,
  efSearch: number,
  maxScanTuples: number,
): Promise<SearchResult[]> {
  // The planner is steered to the HNSW scan: with a filter its cost model often prefers a bitmap scan
  // and a sort, i.e. an exact scan, which is runExact's job. Settings are integers checked by the caller.
  const settings = [
    `hnsw.ef_search = ${efSearch}`,
    "hnsw.iterative_scan = relaxed_order",
    `hnsw.max_scan_tuples = ${maxScanTuples}`,
    "hnsw.scan_mem_multiplier = 2",
    "enable_seqscan = off",
    "enable_bitmapscan = off",
    "enable_sort = off",
  ];
  const hits = `SELECT e.image_id, ${distanceSql(q)} AS distance ${fromWhere(q)} ORDER BY ${distanceSql(q)} LIMIT ${q.k}`;
  return runWithSettings(client, settings, resultSql(hits), q.params.values);
}

/**
 * How many rows the filter keeps. The planner's estimate decides when it is below the exact-scan limit
 * or far above it (or when there is no filter: the table's statistics count the collection's rows); just
 * above it, a count capped past the limit on the narrow images table settles it.
 */
async function estimateRows(client: pg.PoolClient, q: Query, cap: number): Promise<number> {
  // images has the same taxon_id and an index on (collection_id, taxon_id), and the date and place
  // columns: count there, so counting never joins
  const conds = [...(q.taxonCond ? [q.taxonCond("i")] : []), ...q.imageConds];
  const sql = conds.length
    ? `SELECT 1 FROM images i WHERE i.collection_id = $1 AND ${conds.join(" AND ")}`
    : `SELECT 1 FROM ${q.store.tableName} e WHERE e.collection_id = $1`;
  const values = q.params.values.slice(0, maxParamIndex(sql));
  const plan = await client.query<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }>(
    `EXPLAIN (FORMAT JSON) ${sql}`,
    values,
  );
  const planned = plan.rows[0]["QUERY PLAN"][0].Plan["Plan Rows"];
  // below the limit the planner's word is enough: if it underestimated, the exact scan is slower, not wrong
  if (conds.length === 0 || planned > 10 * cap || planned <= cap) return planned;
  const r = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql} LIMIT ${cap + 1}) s`, values);
  return r.rows[0].n;
}

function maxParamIndex(sql: string): number {
  let max = 0;
  for (const m of sql.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/** The table's row estimate and whether its HNSW index exists, in one round trip. */
async function tableState(client: pg.PoolClient, store: VectorStore): Promise<{ rows: number; indexed: boolean }> {
  const r = await client.query<{ rows: number | null; indexed: boolean }>(
    `SELECT (SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = to_regclass($1)) AS rows,
            to_regclass($2) IS NOT NULL AS indexed`,
    [store.tableName, store.indexName],
  );
  return { rows: Number(r.rows[0].rows ?? 0), indexed: r.rows[0].indexed };
}

/** Nearest images to a vector by cosine similarity, best first, with the search path used. */
export async function searchByVectorDetailed(
  modelId: number,
  vector: ArrayLike<number>,
  opts: VectorSearchOptions,
): Promise<SearchDetail> {
  const store = await getVectorStore(modelId);
  if (vector.length !== store.dim)
    throw new Error(`query vector has ${vector.length} dimensions, the model stores ${store.dim}`);
  const k = opts.k ?? DEFAULT_K;
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new Error(`k must be an integer from 1 to ${MAX_K}, not ${k}`);
  const filters = opts.filters ?? {};
  const taxonIds = await resolveTaxonIds(opts.collectionId, filters);
  if (taxonIds && taxonIds.length === 0) return { results: [], strategy: "exact", estimatedRows: 0, fellBack: false };

  const params = new SqlParams();
  params.add(opts.collectionId); // $1
  // filter parameters first, so the estimate query uses $1.. contiguously
  const taxonParam = taxonIds ? params.add(taxonIds) : undefined;
  const taxonCond = taxonParam ? (alias: string) => `${alias}.taxon_id = ANY(${taxonParam}::int[])` : undefined;
  const imageConds = imageConditions(filters, params);
  const vectorConds = opts.excludeImageIds?.length
    ? [`e.image_id <> ALL(${params.add(opts.excludeImageIds)}::bigint[])`]
    : [];
  const queryParam = `${params.add(vectorParam(vector))}::vector${store.half ? `::halfvec(${store.dim})` : ""}`;
  const q: Query = { store, k, taxonCond, imageConds, vectorConds, params, queryParam };

  const exactMaxRows = opts.exactMaxRows ?? EXACT_MAX_ROWS;
  const client = await db().connect();
  try {
    const strategy = opts.strategy ?? "auto";
    let estimatedRows = -1;
    if (strategy === "auto") {
      estimatedRows = await estimateRows(client, q, exactMaxRows);
      if (estimatedRows <= exactMaxRows) {
        // a narrow scan finishes before parallel workers would have started (and the cores are shared)
        return { results: await runExact(client, q, false), strategy: "exact", estimatedRows, fellBack: false };
      }
    }
    const table = strategy === "exact" ? undefined : await tableState(client, store);
    if (strategy === "exact" || !table!.indexed) {
      return { results: await runExact(client, q, true), strategy: "exact", estimatedRows, fellBack: false };
    }

    const efSearch = Math.min(1000, Math.max(k, opts.efSearch ?? DEFAULT_EF_SEARCH));
    const total = table!.rows;
    // Enough tuples for K rows to pass a filter that keeps `estimatedRows` of `total`, with room to spare.
    const share = estimatedRows > 0 && total > 0 ? Math.min(1, estimatedRows / total) : 1;
    const maxScanTuples = Math.max(20_000, Math.min(Math.ceil((4 * k) / share), 2_000_000));
    const results = await runIndex(client, q, efSearch, maxScanTuples);
    if (results.length >= k) return { results, strategy: "index", estimatedRows, fellBack: false };
    return { results: await runExact(client, q, true), strategy: "index", estimatedRows, fellBack: true };
  } finally {
    client.release();
  }
}

/** Nearest images to a vector by cosine similarity, best first: `[{ imageId, sourceId, score }]`. */
export async function searchByVector(
  modelId: number,
  vector: ArrayLike<number>,
  opts: VectorSearchOptions,
): Promise<SearchResult[]> {
  return (await searchByVectorDetailed(modelId, vector, opts)).results;
}

/** The stored vector of one image for a model. */
export async function imageVector(
  modelId: number,
  imageId: number,
): Promise<{ vector: Float32Array; collectionId: number }> {
  const store = await getVectorStore(modelId);
  const r = await db().query<{ v: string; collection_id: number }>(
    `SELECT vector::vector::text AS v, collection_id FROM ${store.tableName} WHERE image_id = $1`,
    [imageId],
  );
  if (!r.rows[0]) throw new Error(`image ${imageId} has no vector for model ${modelId}`);
  return { vector: parseVectorText(r.rows[0].v), collectionId: r.rows[0].collection_id };
}

/**
 * Images most similar to one image (itself excluded unless includeSelf), searched in the image's own
 * collection unless another is given.
 */
export async function searchSimilarToImage(
  modelId: number,
  imageId: number,
  opts: Omit<VectorSearchOptions, "collectionId"> & { collectionId?: number; includeSelf?: boolean } = {},
): Promise<SearchResult[]> {
  const { vector, collectionId } = await imageVector(modelId, imageId);
  const exclude = opts.includeSelf ? opts.excludeImageIds : [...(opts.excludeImageIds ?? []), imageId];
  return searchByVector(modelId, vector, {
    ...opts,
    collectionId: opts.collectionId ?? collectionId,
    excludeImageIds: exclude,
  });
}

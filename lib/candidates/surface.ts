import type pg from "pg";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import type { QueryRow } from "@/lib/db/rows";
import type { TaxonScopeEntry } from "@/lib/queries/fields";
import { embedTexts } from "@/lib/models/encoder";
import { encoderFor } from "@/lib/models/encoder-cache";
import { modelsWithVectors } from "@/lib/models/registry";
import type { ImageFilter } from "@/lib/filters/filter";
import { resolveTaxonIds } from "@/lib/filters/sql";
import { searchMetadata } from "@/lib/search/metadata-search";
import { searchByVector, searchSimilarToImage, type SearchResult } from "@/lib/search/vector-search";

// Candidate surfacing: fills a query's candidate queue from several sources, each recorded with its
// own score and rank (text-to-image similarity per model, metadata/taxonomy search, similarity to the
// query's example images). Each run reaches DEPTH deeper than the last, so a refill always adds
// images the experts have not seen; ranks stay those of the full ranking, so a refill never reorders
// what was there. The judging queue interleaves sources by rank and drops what an expert has judged.

export const DEPTH = 300;
const MAX_DEPTH = 10_000;

type SurfacedQuery = Pick<QueryRow, "id" | "collectionId" | "text" | "iconicGroup"> & { taxonScope: TaxonScopeEntry[] };

export type SurfaceResult = { queryId: number; sources: Record<string, { surfaced: number; added: number }> };

async function loadQuery(queryId: number): Promise<SurfacedQuery> {
  const r = await db().query<SurfacedQuery>(
    `SELECT id, collection_id AS "collectionId", text, iconic_group AS "iconicGroup", taxon_scope AS "taxonScope"
       FROM queries WHERE id = $1`,
    [queryId],
  );
  if (!r.rows[0]) throw new Error(`no query with row id ${queryId}`);
  return r.rows[0];
}

/**
 * The filters a query implies: one per taxon in its scope (a union, searched one by one), narrowed to
 * its iconic group when the collection's taxonomy names that group (INQUIRE's groups are metadata,
 * and a collection without them must not lose every candidate). What each selects is lib/filters, as
 * on the browse page: the scope that was checked when the query was saved is the scope applied here.
 */
export async function queryFilters(
  q: Pick<SurfacedQuery, "collectionId" | "iconicGroup" | "taxonScope">,
): Promise<ImageFilter[]> {
  let group: ImageFilter = {};
  if (q.iconicGroup) {
    const ids = await resolveTaxonIds(q.collectionId, { iconicGroup: q.iconicGroup });
    if (ids && ids.length) group = { iconicGroup: q.iconicGroup };
  }
  const scope = Array.isArray(q.taxonScope) ? q.taxonScope : [];
  if (!scope.length) return [group];
  return scope.map((t) => ({ taxon: t.name, rank: t.rank, ...group }));
}

/** Runs one search per filter and keeps each image's best score: a union over the taxon scope. */
export async function unionSearch(
  filters: ImageFilter[],
  k: number,
  search: (f: ImageFilter) => Promise<SearchResult[]>,
): Promise<SearchResult[]> {
  const best = new Map<number, SearchResult>();
  for (const f of filters) {
    for (const r of await search(f)) {
      const had = best.get(r.imageId);
      if (!had || r.score > had.score) best.set(r.imageId, r);
    }
  }
  return [...best.values()].sort((a, b) => b.score - a.score || a.imageId - b.imageId).slice(0, k);
}

async function depthFor(queryId: number, source: string): Promise<number> {
  const r = await db().query("SELECT count(*)::int AS n FROM candidates WHERE query_id = $1 AND source = $2", [
    queryId,
    source,
  ]);
  return Math.min(MAX_DEPTH, r.rows[0].n + DEPTH);
}

/** Writes one source's ranking; returns how many images are new to that source's list. */
async function writeSource(
  client: pg.ClientBase,
  queryId: number,
  source: string,
  results: SearchResult[],
): Promise<number> {
  if (!results.length) return 0;
  const r = await client.query(
    `INSERT INTO candidates (query_id, image_id, source, score, rank)
     SELECT $1, u.image_id, $2, u.score, u.rank
       FROM unnest($3::bigint[], $4::float8[], $5::int[]) AS u(image_id, score, rank)
     ON CONFLICT (query_id, image_id, source) DO UPDATE SET score = EXCLUDED.score, rank = EXCLUDED.rank
     RETURNING (xmax = 0) AS inserted`,
    [queryId, source, results.map((x) => x.imageId), results.map((x) => x.score), results.map((_, i) => i + 1)],
  );
  return r.rows.filter((row) => row.inserted).length;
}

export type SurfaceOptions = {
  /** only these models (default: every model with vectors for the collection) */
  modelIds?: number[];
  /** image similarity only: no text and no metadata search (the simulator's static ranker sees embeddings alone) */
  embeddingsOnly?: boolean;
};

export async function surfaceCandidates(queryId: number, opts: SurfaceOptions = {}): Promise<SurfaceResult> {
  const q = await loadQuery(queryId);
  const filters = await queryFilters(q);
  // every source is searched first and all are written in one transaction: a run killed halfway
  // writes nothing, so its retry reaches the same depth, not one refill deeper on some sources
  const found: [string, SearchResult[]][] = [];
  const record = async (source: string, results: SearchResult[]) => {
    found.push([source, results]);
  };

  const models = (await modelsWithVectors(q.collectionId)).filter(
    (m) => !opts.modelIds || opts.modelIds.includes(m.id),
  );
  for (const m of models.filter((x) => x.kind === "clip" && !opts.embeddingsOnly)) {
    const source = `text-image:${m.name}`;
    const k = await depthFor(queryId, source);
    const [vector] = await embedTexts(await encoderFor(m), [q.text]);
    await record(
      source,
      await unionSearch(filters, k, (f) =>
        searchByVector(m.id, vector, { collectionId: q.collectionId, k, filters: f }),
      ),
    );
  }

  const examples = (
    await db().query<{ image_id: number }>(
      "SELECT image_id FROM query_examples WHERE query_id = $1 ORDER BY position",
      [queryId],
    )
  ).rows;
  for (const m of examples.length ? models : []) {
    const source = `similar:${m.name}`;
    const k = await depthFor(queryId, source);
    const perExample = await Promise.all(
      examples.map((e) =>
        unionSearch(filters, k, (f) =>
          searchSimilarToImage(m.id, Number(e.image_id), { collectionId: q.collectionId, k, filters: f }),
        ),
      ),
    );
    const best = new Map<number, SearchResult>();
    for (const r of perExample.flat())
      if (!best.has(r.imageId) || r.score > best.get(r.imageId)!.score) best.set(r.imageId, r);
    await record(source, [...best.values()].sort((a, b) => b.score - a.score).slice(0, k));
  }

  if (!opts.embeddingsOnly) {
    const k = await depthFor(queryId, "metadata");
    await record(
      "metadata",
      await unionSearch(filters, k, (f) => searchMetadata(q.collectionId, q.text, { k, filters: f })),
    );
  }
  const sources: SurfaceResult["sources"] = {};
  await inTransaction(async (client) => {
    for (const [source, results] of found)
      sources[source] = { surfaced: results.length, added: await writeSource(client, queryId, source, results) };
  });
  return { queryId, sources };
}

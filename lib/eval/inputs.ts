import fs from "node:fs";
import path from "node:path";
import { parseInquireQueriesCsv, QueryCsvError } from "@/lib/queries/inquire-file";
import { EvalInputError, readCsvTable } from "./csv-table";

// The files `fieldmark eval` reads, in the layouts INQUIRE publishes and Fieldmark's export writes:
// - queries: inquire_queries_<split>.csv (query_id, query_text, supercategory, category, iconic_group);
// - annotations: inquire_annotations.csv, one row per relevant (query_id, image_id) pair;
// - a run: query_id, image_id, score, any number of rows per query;
// - a rerank set: query_id, inat24_image_id, relevant (INQUIRE-Rerank's columns; others may be there).

export type EvalQuery = {
  queryId: string;
  text: string;
  supercategory: string | null;
  category: string | null;
  iconicGroup: string | null;
};

export function readEvalQueries(file: string): EvalQuery[] {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new EvalInputError(`${file}: no such file`, file);
  }
  try {
    return parseInquireQueriesCsv(bytes, path.basename(file)).map((q) => ({
      queryId: q.queryId,
      text: q.text,
      supercategory: q.supercategory,
      category: q.category,
      iconicGroup: q.iconicGroup,
    }));
  } catch (e) {
    if (e instanceof QueryCsvError) throw new EvalInputError(e.message, file, e.line, e.column);
    throw e;
  }
}

/**
 * The relevant images of each query, by query id. Rows for queries not in `queries` are skipped (the
 * annotations file covers both splits); a pair listed twice counts once, as INQUIRE counts a set.
 */
export function readAnnotations(file: string, queries: ReadonlySet<string>): Map<string, Set<string>> {
  const { records, column, fail } = readCsvTable(file, ["query_id", "image_id"]);
  const [queryAt, imageAt] = [column("query_id"), column("image_id")];
  const relevant = new Map<string, Set<string>>();
  for (let i = 0; i < records.length; i++) {
    const queryId = records[i][queryAt];
    const imageId = records[i][imageAt];
    if (queryId === "") fail(i, "query_id", "empty");
    if (imageId === "") fail(i, "image_id", "empty");
    if (!queries.has(queryId)) continue;
    let set = relevant.get(queryId);
    if (!set) relevant.set(queryId, (set = new Set()));
    set.add(imageId);
  }
  return relevant;
}

export type RunRow = { imageId: string; score: number };

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A run's rows by query id. Every query id must be in `queries`; a (query, image) pair may appear once. */
export function readRun(file: string, queries: ReadonlySet<string>): Map<string, RunRow[]> {
  const { records, column, fail, lineOf } = readCsvTable(file, ["query_id", "image_id", "score"]);
  const [queryAt, imageAt, scoreAt] = [column("query_id"), column("image_id"), column("score")];
  const byQuery = new Map<string, RunRow[]>();
  const seen = new Map<string, Map<string, number>>(); // query -> image -> record index
  for (let i = 0; i < records.length; i++) {
    const queryId = records[i][queryAt];
    const imageId = records[i][imageAt];
    const scoreText = records[i][scoreAt];
    if (!queries.has(queryId)) fail(i, "query_id", `${JSON.stringify(queryId)} is not a query of the queries file`);
    if (imageId === "") fail(i, "image_id", "empty");
    if (!NUMBER.test(scoreText)) fail(i, "score", `${JSON.stringify(scoreText)} is not a number`);
    const score = Number(scoreText);
    if (!Number.isFinite(score)) fail(i, "score", `${scoreText} is too large`);
    let images = seen.get(queryId);
    if (!images) seen.set(queryId, (images = new Map()));
    const earlier = images.get(imageId);
    if (earlier !== undefined) {
      fail(i, "image_id", `image ${imageId} is ranked twice for query ${queryId} (also on line ${lineOf(earlier)})`);
    }
    images.set(imageId, i);
    let list = byQuery.get(queryId);
    if (!list) byQuery.set(queryId, (list = []));
    list.push({ imageId, score });
  }
  return byQuery;
}

export type RerankItem = { imageId: string; relevant: boolean };

const TRUE = new Set(["1", "true", "True", "TRUE", "1.0"]);
const FALSE = new Set(["0", "false", "False", "FALSE", "0.0"]);

/** A rerank set's images by query id, for the queries in `queries` (others are skipped). */
export function readRerankSet(file: string, queries: ReadonlySet<string>): Map<string, RerankItem[]> {
  const { records, column, fail, lineOf } = readCsvTable(file, ["query_id", "inat24_image_id", "relevant"]);
  const [queryAt, imageAt, relevantAt] = [column("query_id"), column("inat24_image_id"), column("relevant")];
  const byQuery = new Map<string, RerankItem[]>();
  const seen = new Map<string, number>();
  for (let i = 0; i < records.length; i++) {
    const queryId = records[i][queryAt];
    const imageId = records[i][imageAt];
    const relevantText = records[i][relevantAt];
    if (queryId === "") fail(i, "query_id", "empty");
    if (imageId === "") fail(i, "inat24_image_id", "empty");
    if (!TRUE.has(relevantText) && !FALSE.has(relevantText)) {
      fail(i, "relevant", `${JSON.stringify(relevantText)} is not 0 or 1`);
    }
    const key = `${queryId}\u0000${imageId}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      fail(
        i,
        "inat24_image_id",
        `image ${imageId} is in query ${queryId}'s set twice (also on line ${lineOf(earlier)})`,
      );
    }
    seen.set(key, i);
    if (!queries.has(queryId)) continue;
    let list = byQuery.get(queryId);
    if (!list) byQuery.set(queryId, (list = []));
    list.push({ imageId, relevant: TRUE.has(relevantText) });
  }
  if (byQuery.size === 0 && records.length > 0) {
    throw new EvalInputError(
      `${path.basename(file)}: none of its queries is in the queries file (is it the other split's set?)`,
      file,
    );
  }
  return byQuery;
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { EvalInputError } from "./csv-table";
import { readRun } from "./inputs";
import { finishedQueries, relevantImages, rerankSetData } from "./run-data";
import { insertScoredRun, writeRunResults, type RankedRow } from "./runs";
import { rankScored, scoreFullRank, scoreRerank, type ScoredImage } from "./score-ranking";

// A run made elsewhere (say a multimodal LLM re-ranking each query's top 100), imported from a run CSV
// (query_id,image_id,score, the ids users see) with the model's name, and scored like an in-tool run:
// full-rank against the finished queries' final labels, or rerank over a rerank set. The whole file is
// read and checked (lib/eval/inputs.ts's readRun, then every image id against the collection) before
// anything is written.

export type ImportRunInput = {
  collectionId: number;
  file: string;
  /** the model that made the run, as it should appear beside the others */
  modelName: string;
  modelVersion?: string | null;
  rerankSetId?: number | null;
  k: number;
  command: string;
  createdBy: string | null;
};

export async function importRun(input: ImportRunInput): Promise<{ runId: number; queries: number }> {
  const name = input.modelName.trim();
  if (!name || name.length > 200)
    throw new EvalInputError("the run's model name must be 1 to 200 characters", input.file);
  const all = await db().query<{ source_id: string }>("SELECT source_id FROM queries WHERE collection_id = $1", [
    input.collectionId,
  ]);
  const run = readRun(input.file, new Set(all.rows.map((r) => r.source_id)));
  const imageIds = [...new Set([...run.values()].flat().map((r) => r.imageId))];
  const found = await db().query<{ id: string; source_id: string }>(
    "SELECT id, source_id FROM images WHERE collection_id = $1 AND source_id = ANY($2::text[])",
    [input.collectionId, imageIds],
  );
  const rowOf = new Map(found.rows.map((r) => [r.source_id, Number(r.id)]));
  for (const [queryId, rows] of run)
    for (const r of rows)
      if (!rowOf.has(r.imageId))
        throw new EvalInputError(
          `${path.basename(input.file)}: image_id ${JSON.stringify(r.imageId)} (query ${queryId}) is not an image of the collection`,
          input.file,
          undefined,
          "image_id",
        );

  const kind = input.rerankSetId ? "rerank" : "full-rank";
  const data = input.rerankSetId ? await rerankSetData(input.collectionId, input.rerankSetId) : null;
  const queries = data ? data.queries : await finishedQueries(input.collectionId);
  const ranked = new Map<number, ScoredImage[]>();
  const kept: RankedRow[] = [];
  for (const q of queries) {
    const list = (run.get(q.queryId) ?? []).map((r) => ({
      imageRowId: rowOf.get(r.imageId)!,
      imageId: r.imageId,
      score: r.score,
    }));
    ranked.set(q.rowId, list);
    kept.push(...rankScored(q.rowId, list));
  }
  const scored = data
    ? scoreRerank(queries, ranked, data.sets, input.k)
    : scoreFullRank(queries, ranked, (await relevantImages(queries.map((q) => q.rowId))).sourceIds, input.k);

  const runId = await inTransaction(async (client) => {
    const id = await insertScoredRun(client, {
      collectionId: input.collectionId,
      name,
      kind,
      source: "imported",
      model: { id: null, name, version: input.modelVersion ?? null, checksum: null },
      rerankSetId: input.rerankSetId ?? null,
      k: input.k,
      command: input.command,
      createdBy: input.createdBy,
    });
    await writeRunResults(client, id, kept, scored.metrics, scored.means);
    return id;
  });
  return { runId, queries: queries.length };
}

/**
 * An uploaded run CSV imported: written to a private temporary folder under its own base name (so
 * errors name the file the user chose), read there, and removed.
 */
export async function importRunUpload(
  bytes: Uint8Array,
  fileName: string,
  input: Omit<ImportRunInput, "file">,
): Promise<{ runId: number; queries: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-run-"));
  const base =
    path
      .basename(fileName)
      .replace(/[^\w.@+-]/g, "_")
      .slice(0, 100) || "run.csv";
  const file = path.join(dir, base);
  try {
    fs.writeFileSync(file, bytes);
    return await importRun({ ...input, file });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

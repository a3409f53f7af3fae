import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { relevantByQuery } from "@/lib/agreement/labels";
import { compareRuns } from "@/lib/eval/compare";
import { evaluateFiles } from "@/lib/eval/evaluate";
import { importRun } from "@/lib/eval/import-run";
import { pinModel, runById, runQueryMetrics, startRun, type RunKind } from "@/lib/eval/runs";
import { startWorker } from "@/workers/index";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { waitUntil } from "../faults/helpers";
import { createRunFixture, type RunFixture } from "./run-fixture";

// Runs inside the tool, scored by the worker's job, against the same functions on an independent path:
// the run's stored ranking and the final labels written to INQUIRE's files and scored by `fieldmark
// eval`'s evaluateFiles. Two-stage keeps the first model's top k and re-orders it by the second; an
// imported run CSV is scored and reaches the comparison beside the in-tool runs.

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe.each(dbKinds)("model runs on %s", (kind) => {
  let t: TestDatabase;
  let f: RunFixture;
  let worker: { stop: () => Promise<void> };

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    f = await createRunFixture();
    worker = await startWorker();
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  async function run(kindOf: RunKind, k: number, second?: string): Promise<number> {
    const model = (await pinModel("runs-first"))!;
    const { runId, jobId } = await startRun({
      collectionId: f.collectionId,
      name: second ? "runs-first then runs-second" : "runs-first",
      kind: kindOf,
      source: "in-tool",
      model,
      secondModel: second ? await pinModel(second) : null,
      k,
      command: "test",
      createdBy: null,
    });
    expect((await runById(runId))!.jobId).toBe(jobId);
    await waitUntil(async () => ["done", "failed"].includes((await runById(runId))!.status), `run ${runId}`, 60_000);
    const row = (await runById(runId))!;
    expect(row.error).toBeNull();
    expect(row.status).toBe("done");
    return runId;
  }

  /** the run's stored ranking and the final labels as files, scored by fieldmark eval's function */
  async function scoredFromFiles(runId: number, k: number) {
    const dir = path.join(t.filesDir, `run-${runId}`);
    fs.mkdirSync(dir, { recursive: true });
    const qs = await db().query(
      "SELECT id, source_id, text, supercategory, category FROM queries WHERE collection_id = $1 AND status = 'finished' ORDER BY id",
      [f.collectionId],
    );
    fs.writeFileSync(
      path.join(dir, "queries.csv"),
      ",query_id,query_text,supercategory,category,iconic_group\n" +
        qs.rows.map((q, i) => `${i},${q.source_id},${q.text},${q.supercategory},${q.category},`).join("\n") +
        "\n",
    );
    const relevant = await relevantByQuery(qs.rows.map((q) => q.id));
    const sourceOf = new Map(f.imageRowIds.map((id, i) => [id, f.sourceIds[i]]));
    const querySource = new Map(qs.rows.map((q) => [q.id, q.source_id]));
    fs.writeFileSync(
      path.join(dir, "annotations.csv"),
      "query_id,image_id\n" +
        [...relevant].flatMap(([q, ids]) => ids.map((id) => `${querySource.get(q)},${sourceOf.get(id)}`)).join("\n") +
        "\n",
    );
    const scores = await db().query(
      "SELECT query_id, image_id, score FROM eval_run_scores WHERE run_id = $1 AND rank <= $2",
      [runId, k],
    );
    fs.writeFileSync(
      path.join(dir, "run.csv"),
      "query_id,image_id,score\n" +
        scores.rows
          .map((r) => `${querySource.get(r.query_id)},${sourceOf.get(Number(r.image_id))},${r.score}`)
          .join("\n") +
        "\n",
    );
    return evaluateFiles({
      queries: path.join(dir, "queries.csv"),
      annotations: path.join(dir, "annotations.csv"),
      run: path.join(dir, "run.csv"),
      k,
    });
  }

  it("a full-rank run's per-query metrics are fieldmark eval's on the same ranking written to files", async () => {
    const runId = await run("full-rank", 10);
    const stored = await runQueryMetrics(runId);
    const files = await scoredFromFiles(runId, 10);
    expect(stored.map((m) => m.sourceId)).toEqual(files.per_query.map((m) => m.query_id));
    expect(stored.length).toBe(3); // the query with nothing relevant is left out, as the files say
    expect(files.left_out.map((l) => l.query_id)).toEqual(["4"]);
    for (const [i, m] of stored.entries())
      for (const name of ["ap", "ndcg", "mrr", "precision", "recall"] as const)
        expect(m[name]).toBeCloseTo(files.per_query[i][name], 12);
    // the ranking is the model's: similarity to the example image, best first
    const top = await db().query(
      "SELECT image_id FROM eval_run_scores WHERE run_id = $1 AND query_id = $2 ORDER BY rank LIMIT 5",
      [runId, f.queries[1]],
    );
    const ex = f.vectors.first[f.exampleOf.get(f.queries[1])!];
    const expected = f.imageRowIds
      .map((id, i) => ({ id, s: cos(ex, f.vectors.first[i]) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 5)
      .map((x) => x.id);
    expect(top.rows.map((r) => Number(r.image_id))).toEqual(expected);
    // the mean is kept on the run and some relevant image below the kept depth has its rank in the collection
    expect((await runById(runId))!.means.ap).toBeCloseTo(files.mean.ap, 12);
  });

  it("two-stage re-orders only the first model's top k, by the second model", async () => {
    const k = 12;
    const runId = await run("two-stage", k, "runs-second");
    for (const q of f.queries) {
      const ex = f.exampleOf.get(q)!;
      const firstTop = f.imageRowIds
        .map((id, i) => ({ id, i, s: cos(f.vectors.first[ex], f.vectors.first[i]) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, k);
      const reordered = firstTop
        .map((x) => ({ id: x.id, s: cos(f.vectors.second[ex], f.vectors.second[x.i]) }))
        .sort((a, b) => b.s - a.s)
        .map((x) => x.id);
      const stored = await db().query(
        "SELECT image_id FROM eval_run_scores WHERE run_id = $1 AND query_id = $2 AND rank <= $3 ORDER BY rank",
        [runId, q, k],
      );
      expect(stored.rows.map((r) => Number(r.image_id))).toEqual(reordered);
    }
    const files = await scoredFromFiles(runId, k);
    const stored = await runQueryMetrics(runId);
    for (const [i, m] of stored.entries()) expect(m.ap).toBeCloseTo(files.per_query[i].ap, 12);
  });

  it("an imported run CSV is scored the same way and reaches the comparison beside the in-tool runs", async () => {
    const file = path.join(t.filesDir, "llm-run.csv");
    // an LLM's scores: the reverse of the image id order, for the first two queries only
    const lines = ["query_id,image_id,score"];
    for (const q of ["1", "2"]) for (let i = 0; i < 30; i++) lines.push(`${q},${f.sourceIds[i]},${1 - i / 100}`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const { runId } = await importRun({
      collectionId: f.collectionId,
      file,
      modelName: "gpt-rerank",
      k: 10,
      command: "test",
      createdBy: null,
    });
    const stored = await runQueryMetrics(runId);
    const files = await scoredFromFiles(runId, 10);
    expect(stored.map((m) => m.ap)).toEqual(
      files.per_query.map((m) => expect.closeTo(m.ap, 12)) as unknown as number[],
    );
    // query 3 has no rows in the run: it scores 0 and counts
    expect(stored.find((m) => m.sourceId === "3")!.ap).toBe(0);
    const table = await compareRuns(f.collectionId);
    const imported = table.find((r) => r.run.id === runId)!;
    expect(imported.run).toMatchObject({
      source: "imported",
      modelName: "gpt-rerank",
      kind: "full-rank",
      status: "done",
    });
    expect(imported.mean!.ap).toBeCloseTo(files.mean.ap, 12);
    expect(Object.keys(imported.categories)).toEqual(["Feeding", "Mating"]);
    expect(table.filter((r) => r.run.source === "in-tool").length).toBeGreaterThanOrEqual(2);
  });

  it("a rerank run re-orders each query's rerank set by the model and is scored as fieldmark eval --rerank scores it", async () => {
    // a rerank set by hand: each query's first 30 images, in reverse order, all three scored queries included
    const set = await db().query(
      `INSERT INTO rerank_sets (collection_id, version, model_name, model_checksum, built_at)
       VALUES ($1, 1, 'hand', 'none', now()) RETURNING id`,
      [f.collectionId],
    );
    const setId = set.rows[0].id;
    for (const q of f.queries.slice(0, 3)) {
      await db().query("INSERT INTO rerank_set_queries (rerank_set_id, query_id, status) VALUES ($1, $2, 'included')", [
        setId,
        q,
      ]);
      await db().query(
        `INSERT INTO rerank_items (rerank_set_id, query_id, image_id, rank, score)
         SELECT $1, $2, u.id, 31 - u.o, u.o FROM unnest($3::bigint[]) WITH ORDINALITY AS u(id, o)`,
        [setId, q, f.imageRowIds.slice(0, 30)],
      );
    }
    const model = (await pinModel("runs-first"))!;
    const { runId } = await startRun({
      collectionId: f.collectionId,
      name: "runs-first rerank",
      kind: "rerank",
      source: "in-tool",
      model,
      rerankSetId: setId,
      k: 10,
      command: "test",
      createdBy: null,
    });
    await waitUntil(async () => ["done", "failed"].includes((await runById(runId))!.status), `run ${runId}`, 60_000);
    expect((await runById(runId))!.error).toBeNull();
    // the files: the set with final-label relevance, and the run's scores of the set's images
    const dir = path.join(t.filesDir, `rerank-${runId}`);
    fs.mkdirSync(dir);
    const relevant = await relevantByQuery(f.queries.slice(0, 3));
    const lines = ["query_id,inat24_image_id,relevant"];
    const runLines = ["query_id,image_id,score"];
    for (const [n, q] of f.queries.slice(0, 3).entries()) {
      const ex = f.vectors.first[f.exampleOf.get(q)!];
      for (let i = 0; i < 30; i++) {
        lines.push(`${n + 1},${f.sourceIds[i]},${relevant.get(q)!.includes(f.imageRowIds[i]) ? 1 : 0}`);
        runLines.push(`${n + 1},${f.sourceIds[i]},${cos(ex, f.vectors.first[i])}`);
      }
    }
    fs.writeFileSync(path.join(dir, "rerank.csv"), lines.join("\n") + "\n");
    fs.writeFileSync(path.join(dir, "run.csv"), runLines.join("\n") + "\n");
    fs.writeFileSync(
      path.join(dir, "queries.csv"),
      ",query_id,query_text,supercategory,category,iconic_group\n0,1,a,Behavior,,\n1,2,b,Behavior,,\n2,3,c,Behavior,,\n",
    );
    const files = evaluateFiles({
      queries: path.join(dir, "queries.csv"),
      rerank: path.join(dir, "rerank.csv"),
      run: path.join(dir, "run.csv"),
      k: 10,
    });
    const stored = await runQueryMetrics(runId);
    expect(stored.map((m) => m.sourceId)).toEqual(files.per_query.map((m) => m.query_id));
    for (const [i, m] of stored.entries())
      for (const name of ["ap", "ndcg", "mrr", "precision", "recall"] as const)
        expect(m[name]).toBeCloseTo(files.per_query[i][name], 6);
    // only the set's images are ranked
    const ranked = await db().query("SELECT count(*)::int AS n FROM eval_run_scores WHERE run_id = $1", [runId]);
    expect(ranked.rows[0].n).toBe(90);
  });

  it("an imported run naming an image the collection lacks is refused before anything is written", async () => {
    const file = path.join(t.filesDir, "bad-run.csv");
    fs.writeFileSync(file, "query_id,image_id,score\n1,1000,0.5\n1,nope,0.4\n");
    const before = (await db().query("SELECT count(*)::int AS n FROM eval_runs")).rows[0].n;
    await expect(
      importRun({ collectionId: f.collectionId, file, modelName: "x", k: 10, command: "t", createdBy: null }),
    ).rejects.toThrow(/image_id "nope" \(query 1\) is not an image/);
    expect((await db().query("SELECT count(*)::int AS n FROM eval_runs")).rows[0].n).toBe(before);
  });
});

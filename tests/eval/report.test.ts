import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportHtmlFile } from "@/lib/eval/report/file";
import { pinModel, runById, startRun } from "@/lib/eval/runs";
import { startWorker } from "@/workers/index";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { waitUntil } from "../faults/helpers";
import { createRunFixture, type RunFixture } from "./run-fixture";

// The PoC report of a run on the fixture: its counts worked out here from what the fixture holds (the
// vectors, who judged what, the one adjudication), not read back from the report's own queries.

const K = 10;
const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe.each(dbKinds)("the PoC report on %s", (kind) => {
  let t: TestDatabase;
  let f: RunFixture;
  let worker: { stop: () => Promise<void> };
  let runId: number;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    f = await createRunFixture("report");
    worker = await startWorker();
    ({ runId } = await startRun({
      collectionId: f.collectionId,
      name: "report-first",
      kind: "full-rank",
      source: "in-tool",
      model: (await pinModel("report-first"))!,
      k: K,
      command: "fieldmark eval --collection report --model report-first --k 10",
      createdBy: null,
    }));
    await waitUntil(async () => (await runById(runId))!.status === "done", "the run", 60_000);
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  /** the fixture's final label of image index j for query index qi: as the first annotator judged, except
   *  the image the second was unsure of (no final label); null when nobody judged it */
  function label(qi: number, j: number): "relevant" | "not_relevant" | "open" | null {
    const judged = Array.from({ length: 40 }, (_, n) => (qi * 7 + n * 3) % 160);
    const at = judged.indexOf(j);
    if (at < 0) return null;
    if (at === 5) return "open";
    return qi < 3 && j % 4 === qi % 4 ? "relevant" : "not_relevant";
  }

  it("has its three sections, the summary and the command, with the right counts", async () => {
    const made = (await reportHtmlFile({ id: f.collectionId, name: "report" }, runId, { threshold: 0.5 }))!;
    const r = made.report;
    // (a) false positives in the top k of the three scored queries, by the fixture's labels
    let fps = 0;
    let unjudged = 0;
    const byTaxon = new Map<string, number>();
    for (let qi = 0; qi < 3; qi++) {
      const ex = f.vectors.first[qi];
      const top = f.vectors.first
        .map((v, j) => ({ j, s: cos(ex, v) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, K);
      for (const { j } of top) {
        const l = label(qi, j);
        if (l === "not_relevant") {
          fps++;
          const taxon = j % 2 === 0 ? "Vanessa atalanta" : "Danaus plexippus"; // ordinality counts from 1
          byTaxon.set(taxon, (byTaxon.get(taxon) ?? 0) + 1);
        }
        if (l === null) unjudged++;
      }
    }
    expect(r.errors.falsePositives).toBe(fps);
    expect(r.errors.unjudgedInTopK).toBe(unjudged);
    expect(Object.fromEntries(r.errors.byTaxon.map((c) => [c.name, c.count]))).toEqual(Object.fromEntries(byTaxon));
    expect(r.errors.byCategory.reduce((s, c) => s + c.count, 0)).toBe(fps);
    expect(r.errors.topFalsePositives.length).toBe(Math.min(12, fps));
    expect(r.errors.lowestRelevant.length).toBeGreaterThan(0);
    // (b) three scored queries of 46 judgments each, one unsure each; 6 images judged twice, 2 of them differently
    expect(r.expert).toMatchObject({ queries: 3, judgments: 138, unsure: 3, pairs: 18 });
    expect(r.expert.disagreementRate).toBeCloseTo(6 / 18, 12);
    // (c) the probe per category, the labels per query stated
    expect("untrusted" in r.probe).toBe(false);
    if (!("untrusted" in r.probe)) {
      expect(r.probe.labelsPerQuery).toBe(10);
      expect(r.probe.categories.map((c) => c.category)).toEqual(["Feeding", "Mating"]);
    }
    for (const id of ["summary", "errors", "expert", "retraining", "provenance"])
      expect(made.html).toContain(`id="${id}"`);
    expect(made.html).toContain("fieldmark eval --collection report --model report-first --k 10");
    expect(made.html).toContain(`fieldmark report --collection report --run ${runId}`);
    expect(made.html).toMatch(/<svg[^>]*>/); // charts drawn as SVG
    expect(made.html).toContain("data:image/"); // thumbnails (here, placeholders: the fixture has no photos) embedded
    expect(made.html).not.toMatch(/src="(?!data:)/); // nothing fetched from elsewhere
    expect(r.summary).toMatch(/Over 3 finished queries/);
    // the query with nothing relevant gets no number, and the report says why
    expect(made.html).toContain("query 4: no relevant image by final label");
  });
});

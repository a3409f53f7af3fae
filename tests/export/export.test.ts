import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { readRerankSet } from "@/lib/eval/inputs";
import { RERANK_COLUMNS } from "@/lib/export/rerank-files";
import { checkOutDir, writeExport, type WrittenExport } from "@/lib/export/write";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { seedExportFixture, type ExportFixture } from "./fixture";

// The export's files from a small benchmark: annotations by final label, the rerank set as INQUIRE-Rerank
// Parquet and as the CSV `fieldmark eval --rerank` reads, the left-out list, SHA256SUMS that
// sha256sum -c accepts, and the same bytes from a second export.

const toArrayBuffer = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

describe.each(dbKinds)("the export on %s", (kind) => {
  let t: TestDatabase;
  let f: ExportFixture;
  let first: WrittenExport;
  let second: WrittenExport;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    f = await seedExportFixture(path.join(t.filesDir, "photos"));
    first = await writeExport(f.id, path.join(t.filesDir, "one"));
    second = await writeExport(f.id, path.join(t.filesDir, "two"));
  }, 120_000);
  afterAll(async () => t?.close());

  const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name));

  it("writes the files INQUIRE's layout names, and only finished queries with a split", () => {
    expect([...first.files.keys()].sort()).toEqual([
      "README.md",
      "SHA256SUMS",
      "charts/queries-per-category.svg",
      "charts/relevant-per-query.svg",
      "inquire_annotations.csv",
      "inquire_queries_test.csv",
      "inquire_queries_val.csv",
      "inquire_rerank_test.csv",
      "inquire_rerank_test.parquet",
      "inquire_rerank_val.csv",
      "inquire_rerank_val.parquet",
      "judgments.jsonl",
    ]);
    expect(read(first.dir, "inquire_queries_val.csv").toString()).toBe(
      ',query_id,query_text,supercategory,category,iconic_group\n0,1,"a swallowtail, wings open",Appearance,Unique appearances or morphs,Insects\n',
    );
    expect(read(first.dir, "inquire_queries_test.csv").toString()).toBe(
      ',query_id,query_text,supercategory,category,iconic_group\n0,2,"an eagle ""on the nest"", seen from below",Behavior,"Mating, Courtship, Reproduction",Birds\n1,5,a robin with a worm,Behavior,Feeding and Hydration,Birds\n',
    );
    expect(first.plan.leftOut).toEqual([
      { query_id: "3", text: "a monarch feeding", status: "labeling", reason: "not finished (status labeling)" },
      { query_id: "4", text: "an oak in winter", status: "finished", reason: "no split (val or test) assigned yet" },
    ]);
  });

  it("lists the relevant pairs by final label: adjudicated not relevant absent, agreed and adjudicated relevant present", () => {
    const csv = read(first.dir, "inquire_annotations.csv").toString();
    expect(csv).toBe(
      [
        "query_id,image_id,image_path",
        "1,1001,papilio/1001.jpg", // agreed by both
        "1,1003,papilio/1003.jpg",
        "1,1004,papilio/1004.jpg",
        "1,1005,papilio/1005.jpg", // disagreement adjudicated relevant; 1002 adjudicated not relevant
        "2,1013,haliaeetus/1013.jpg",
        "2,1014,haliaeetus/1014.jpg", // 1015 unsure, 1016 not relevant
        "",
      ].join("\n"),
    );
  });

  it("writes the rerank set as Parquet with INQUIRE-Rerank's columns, types and values", async () => {
    const bytes = toArrayBuffer(read(first.dir, "inquire_rerank_val.parquet"));
    const meta = parquetMetadata(bytes);
    const leaves = meta.schema.slice(1);
    expect(leaves.map((s) => s.name)).toEqual([...RERANK_COLUMNS]);
    const types = Object.fromEntries(leaves.map((s) => [s.name, s.type]));
    expect(types).toMatchObject({
      query: "BYTE_ARRAY",
      relevant: "INT64",
      clip_score: "DOUBLE",
      inat24_image_id: "INT64",
    });
    expect(types).toMatchObject({ inat24_species_id: "INT64", latitude: "DOUBLE", date: "BYTE_ARRAY" });
    const rows = await parquetReadObjects({ file: bytes });
    expect(rows.map((r) => [Number(r.inat24_image_id), Number(r.relevant), r.clip_score])).toEqual([
      [1003, 1, 0.5],
      [1001, 1, 0.4375],
      [1005, 1, 0.375],
      [1002, 0, 0.3125],
      [1006, 0, 0.25],
      [1004, 1, 0.1875],
    ]);
    expect(rows[0]).toMatchObject({
      query: "a swallowtail, wings open",
      inat24_file_name: "papilio/1003.jpg",
      supercategory: "Appearance",
      category: "Unique appearances or morphs",
      iconic_group: "Insects",
      inat24_species_name: "Papilio machaon",
      location_uncertainty: 25,
      license: "cc-by",
      rights_holder: "Test Photographer",
    });
    expect(Number(rows[0].inat24_species_id)).toBe(1);
    expect(rows[0].date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const test = await parquetReadObjects({ file: toArrayBuffer(read(first.dir, "inquire_rerank_test.parquet")) });
    expect(new Set(test.map((r) => r.query))).toEqual(new Set(['an eagle "on the nest", seen from below']));
    expect(first.plan.rerankSet?.version).toBe(1);
  });

  it("writes the rerank CSV that fieldmark eval --rerank reads", () => {
    const file = path.join(first.dir, "inquire_rerank_val.csv");
    expect(read(first.dir, "inquire_rerank_val.csv").toString().split("\n")[0]).toBe(
      ["query_id", ...RERANK_COLUMNS].join(","),
    );
    const set = readRerankSet(file, new Set(["1"]));
    expect(set.get("1")!.map((i) => [i.imageId, i.relevant])).toEqual([
      ["1003", true],
      ["1001", true],
      ["1005", true],
      ["1002", false],
      ["1006", false],
      ["1004", true],
    ]);
    const testSet = readRerankSet(path.join(first.dir, "inquire_rerank_test.csv"), new Set(["2", "5"]));
    expect([...testSet.keys()]).toEqual(["2"]); // 5 has nothing relevant in its top: left out
  });

  it("keeps judged-not-relevant apart from never looked at, with pseudonyms by first judgment", () => {
    const lines = read(first.dir, "judgments.jsonl")
      .toString()
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    const judgments = lines.filter((l) => l.kind === "judgment");
    expect(judgments).toHaveLength(14); // query 3 is not published
    expect(new Set(judgments.map((l) => l.annotator))).toEqual(new Set(["annotator-1", "annotator-2"]));
    const first1002 = judgments.find((l) => l.image_id === "1002" && l.annotator === "annotator-1");
    expect(first1002).toMatchObject({ value: "relevant", history: [{ value: "not_relevant" }] });
    const adjudications = lines.filter((l) => l.kind === "adjudication");
    expect(adjudications.map((l) => [l.image_id, l.value, l.adjudicator])).toEqual([
      ["1002", "not_relevant", "annotator-3"],
      ["1005", "relevant", "annotator-3"],
    ]);
    const finals = new Map(lines.filter((l) => l.kind === "final").map((l) => [`${l.query_id}/${l.image_id}`, l]));
    expect(finals.get("1/1006")).toMatchObject({ value: "not_relevant", basis: "single" });
    expect(finals.get("1/1002")).toMatchObject({ value: "not_relevant", basis: "adjudicated" });
    expect(finals.has("1/1007")).toBe(false); // never looked at
    expect(JSON.stringify(lines)).not.toMatch(/u-bea|u-al|u-lead/);
  });

  it("writes a card with counts, recall only where trusted, agreement and the rerank model", () => {
    const card = read(first.dir, "README.md").toString();
    expect(card).toContain("- queries: 3 (val 1, test 2)");
    expect(card).toContain("| 1 | val | finished | 6 | 4 | 0.960 (95% 0.800–1.000) |");
    expect(card).toContain("| 2 | test | finished | 4 | 2 | not enough audits |");
    expect(card).toContain("| 5 | test | finished | 1 | 0 | not enough audits |");
    expect(card).toContain("- model: test-clip");
    expect(card).toContain("- checksum: sha256:abc123");
    expect(card).toContain("| 5 | no-relevant |");
    expect(card).toContain("| cc-by |");
    expect(card).toContain("![Queries and relevant images per category](charts/queries-per-category.svg)");
    expect(card).toMatch(/Overall: 3 pairs, raw agreement 0\.333, kappa /);
    expect(read(first.dir, "charts/queries-per-category.svg").toString()).toMatch(/^<svg/);
  });

  it("gives the same bytes on a second export, every file", () => {
    expect([...second.files.keys()]).toEqual([...first.files.keys()]);
    for (const name of first.files.keys())
      expect(read(second.dir, name).equals(read(first.dir, name)), name).toBe(true);
  });

  it("writes SHA256SUMS that sha256sum -c verifies", () => {
    const out = execFileSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: first.dir }).toString();
    expect(out.trim().split("\n")).toHaveLength(first.files.size - 1);
    expect(out).not.toMatch(/FAILED/);
    fs.appendFileSync(path.join(first.dir, "judgments.jsonl"), " ");
    expect(() =>
      execFileSync("sha256sum", ["-c", "--quiet", "SHA256SUMS"], { cwd: first.dir, stdio: "pipe" }),
    ).toThrow();
  });

  it("freezes the published splits and the rerank set, and leaves the rest movable", async () => {
    const { rows } = await db().query(
      "SELECT source_id, split_frozen_at IS NOT NULL AS frozen FROM queries WHERE collection_id = $1 ORDER BY source_id",
      [f.id],
    );
    expect(rows.map((r) => [r.source_id, r.frozen])).toEqual([
      ["1", true],
      ["2", true],
      ["3", false],
      ["4", false],
      ["5", true],
    ]);
    const set = await db().query("SELECT frozen_at FROM rerank_sets WHERE id = $1", [f.rerankSetId]);
    expect(set.rows[0].frozen_at).not.toBeNull();
    expect(first.rerankSetFrozen).toBe(true);
    expect(second.rerankSetFrozen).toBe(false);
  });

  it("refuses a folder that is not empty, and with --include-unfinished exports the labeling query", async () => {
    expect(() => checkOutDir(first.dir)).toThrow(/is not empty: export into a new or empty folder/);
    const all = await writeExport(f.id, path.join(t.filesDir, "all"), { includeUnfinished: true });
    expect(all.plan.queries.map((q) => q.sourceId)).toEqual(["1", "2", "3", "5"]);
    expect(all.plan.leftOut.map((l) => l.query_id)).toEqual(["4"]);
    expect(read(all.dir, "inquire_annotations.csv").toString()).toContain("3,1010,danaus/1010.jpg\n");
  });
});

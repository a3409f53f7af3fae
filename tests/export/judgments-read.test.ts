import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finalLabels, judgmentsByQuery } from "@/lib/agreement/labels";
import { db } from "@/lib/db/client";
import { judgmentsJsonl } from "@/lib/export/judgments-file";
import { readExportJudgments } from "@/lib/export/judgments-read";
import type { PlannedQuery } from "@/lib/export/plan";
import { JUDGMENT_VALUES } from "@/lib/judgments/values";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { rng } from "../helpers/random";
import { dbKinds } from "../helpers/services";

// The export's one read of the judgments (packed text, parsed digit by digit) against plain SQL rows:
// its compact fields are what judgmentsByQuery gives (labels and agreement are decided from them), the
// rest is each row's times, time spent, history and source as stored; and every judgment line of
// judgments.jsonl says what the row says, times as Date#toISOString writes them. Ids and sources hold
// the characters a packed read could trip on.

const ANNOTATORS = ["a1", "annotator two, the second", "a\u001fthree"];
const SOURCES = [null, "", "text-image", 'a "quoted"\tsource', "ünïcode ✓"];

describe.each(dbKinds)("the export's read of the judgments on %s", (kind) => {
  let t: TestDatabase;
  const queries: PlannedQuery[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const pool = db();
    for (const id of ANNOTATORS)
      await pool.query("INSERT INTO users (id, name, email) VALUES ($1, $1, md5($1) || '@example.org')", [id]);
    const c = (await pool.query("INSERT INTO collections (name) VALUES ('read') RETURNING id")).rows[0].id;
    // image ids with a separator, a quote and a non-ASCII letter among plain numbers
    await pool.query(
      `INSERT INTO images (collection_id, source_id, file_name)
       SELECT $1, CASE g % 7 WHEN 0 THEN 'img' || E'\\x1f' || g WHEN 1 THEN 'é"' || g ELSE g::text END, g || '.jpg'
         FROM generate_series(1, 50) g`,
      [c],
    );
    const images: number[] = (await pool.query("SELECT id FROM images ORDER BY id")).rows.map((r) => Number(r.id));
    const rand = rng(5);
    for (let q = 0; q < 4; q++) {
      const id = (
        await pool.query("INSERT INTO queries (collection_id, source_id, text) VALUES ($1, $2, 'q') RETURNING id", [
          c,
          `q${q + 1}`,
        ])
      ).rows[0].id;
      queries.push({ id, sourceId: `q${q + 1}`, text: "q", status: "finished", split: "test" });
      for (const image of [...images].sort(() => rand() - 0.5).slice(0, 30))
        for (const annotator of ANNOTATORS) {
          if (annotator !== "a1" && rand() < 0.6) continue;
          // times with milliseconds, some before 1970 and some changed later; a history on some
          const first = Math.round((rand() * 2 - 0.3) * 1.8e12);
          const last = rand() < 0.3 ? first + Math.round(rand() * 1e8) : first;
          const history =
            rand() < 0.3 ? [{ value: "unsure", at: new Date(first).toISOString(), clientId: "c\u00e9" }] : [];
          await pool.query(
            `INSERT INTO judgments (query_id, image_id, annotator_id, value, source, time_spent_ms, history, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              id,
              image,
              annotator,
              JUDGMENT_VALUES[Math.floor(rand() * 3)],
              SOURCES[Math.floor(rand() * SOURCES.length)],
              rand() < 0.5 ? null : Math.floor(rand() * 90_000),
              JSON.stringify(history),
              new Date(first),
              new Date(last),
            ],
          );
        }
    }
  });
  afterAll(async () => t?.close());

  async function sqlRows() {
    const { rows } = await db().query<{
      id: string;
      query_id: number;
      image_id: string;
      source_id: string;
      annotator_id: string;
      value: string;
      source: string | null;
      time_spent_ms: number | null;
      history: unknown[];
      created_at: Date;
      updated_at: Date;
    }>("SELECT j.*, i.source_id FROM judgments j JOIN images i ON i.id = j.image_id ORDER BY j.id");
    return rows;
  }

  it("gives judgmentsByQuery's judgments, and each row's times, history and source as stored", async () => {
    const ids = queries.map((q) => q.id);
    const read = await readExportJudgments(ids);
    const compact = await judgmentsByQuery(ids);
    for (const id of ids)
      expect(
        read.byQuery
          .get(id)!
          .map(({ id, imageId, annotatorId, value, day }) => ({ id, imageId, annotatorId, value, day })),
      ).toEqual(compact.get(id));
    const expected = (await sqlRows()).map((r) => ({
      id: Number(r.id),
      image: r.source_id,
      annotatorId: r.annotator_id,
      first: r.created_at.getTime(),
      last: r.updated_at.getTime(),
      timeSpentMs: r.time_spent_ms,
      history: r.history.length ? r.history : null,
      source: r.source,
    }));
    const got = [...read.rows]
      .sort((a, b) => a.id - b.id)
      .map((j) => ({
        id: j.id,
        image: j.image,
        annotatorId: j.annotatorId,
        first: j.first,
        last: j.last,
        timeSpentMs: j.timeSpentMs,
        history: j.history ? JSON.parse(j.history) : null,
        source: j.source,
      }));
    expect(got).toEqual(expected);
    // the cases that matter were there
    expect(expected.some((r) => r.source === "") && expected.some((r) => r.source === null)).toBe(true);
    expect(expected.some((r) => r.first < 0) && expected.some((r) => r.last !== r.first)).toBe(true);
    expect(expected.some((r) => r.image.includes("\u001f"))).toBe(true);
  });

  it("writes each judgment line from its row, with the final labels and in file order", async () => {
    const ids = queries.map((q) => q.id);
    const judged = await readExportJudgments(ids);
    const labels = await finalLabels(ids, db(), judged.byQuery);
    const file = await judgmentsJsonl(queries, labels, judged);
    const lines = file.bytes.toString("utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(file.lines);
    const parsed = lines.map((l) => JSON.parse(l));
    const who = new Map<string, string>();
    const rows = await sqlRows();
    // pseudonyms by first judgment
    for (const r of [...rows].sort(
      (a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.annotator_id < b.annotator_id ? -1 : 1),
    ))
      if (!who.has(r.annotator_id)) who.set(r.annotator_id, `annotator-${who.size + 1}`);
    const querySource = new Map(queries.map((q) => [q.id, q.sourceId]));
    const expected = rows.map((r) => ({
      kind: "judgment",
      query_id: querySource.get(r.query_id)!,
      image_id: r.source_id,
      annotator: who.get(r.annotator_id)!,
      value: r.value,
      first_judged_at: r.created_at.toISOString(),
      judged_at: r.updated_at.toISOString(),
      source: r.source,
      time_spent_ms: r.time_spent_ms,
      history: (r.history as { value: string; at: string }[]).map((h) => ({ value: h.value, at: h.at })),
    }));
    const key = (l: { query_id: string; image_id: string; annotator: string }) =>
      `${l.query_id}\u0000${l.image_id}\u0000${l.annotator}`;
    const judgmentLines = parsed.filter((l) => l.kind === "judgment");
    expect(new Map(judgmentLines.map((l) => [key(l), l]))).toEqual(new Map(expected.map((l) => [key(l), l])));
    expect(parsed.filter((l) => l.kind === "final")).toHaveLength(labels.length);
    // file order: query, then image (numbers first, by value; then text), then kind
    const rank = (l: { query_id: string; image_id: string; kind: string }) => [
      queries.findIndex((q) => q.sourceId === l.query_id),
      /^\d+$/.test(l.image_id) ? 0 : 1,
      /^\d+$/.test(l.image_id) ? Number(l.image_id) : 0,
      l.image_id,
      ["judgment", "adjudication", "final"].indexOf(l.kind),
    ];
    for (let i = 1; i < parsed.length; i++) {
      const [a, b] = [rank(parsed[i - 1]), rank(parsed[i])];
      const cmp = a.findIndex((x, k) => x !== b[k]);
      if (cmp >= 0) expect(a[cmp] < b[cmp], `line ${i + 1} after line ${i}`).toBe(true);
    }
  });
});

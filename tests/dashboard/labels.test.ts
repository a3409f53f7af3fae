import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agreementReport } from "@/lib/agreement/kappa";
import {
  countFinalLabels,
  finalLabelCounts,
  finalLabels,
  judgmentsByQuery,
  labelsByQuery,
  relevantPlaces,
} from "@/lib/agreement/labels";
import { agreementForQueries } from "@/lib/agreement/read";
import { db } from "@/lib/db/client";
import { finalLabel } from "@/lib/agreement/final-label";
import { JUDGMENT_VALUES, type JudgmentValue } from "@/lib/judgments/values";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { rng } from "../helpers/random";
import { dbKinds } from "../helpers/services";

// The dashboard's fast readers of final labels (one compact read, finalLabel in memory) give what
// finalLabels gives, pair for pair, on random judgments by three annotators with adjudications; and
// agreementForQueries, now over the same read, what agreementReport gives over the raw rows.

/** The reference: every pair's judgments gathered by SQL alone, with the lead's adjudication, then finalLabel. */
async function finalLabelsBySql(queryIds: number[]) {
  const { rows } = await db().query<{
    query_id: number;
    image_id: string;
    values: JudgmentValue[] | null;
    adjudicated: JudgmentValue | null;
  }>(
    `WITH judged AS (
       SELECT query_id, image_id, array_agg(value::text ORDER BY annotator_id) AS values
         FROM judgments WHERE query_id = ANY($1::int[]) GROUP BY query_id, image_id)
     SELECT coalesce(j.query_id, a.query_id) AS query_id, coalesce(j.image_id, a.image_id) AS image_id,
            j.values, a.value::text AS adjudicated
       FROM judged j
       FULL JOIN (SELECT query_id, image_id, value FROM adjudications WHERE query_id = ANY($1::int[])) a
         ON a.query_id = j.query_id AND a.image_id = j.image_id
      ORDER BY 1, 2`,
    [queryIds],
  );
  return rows.map((r) => ({
    queryId: r.query_id,
    imageId: Number(r.image_id),
    judgments: (r.values ?? []).length,
    ...finalLabel(r.values ?? [], r.adjudicated),
  }));
}

describe.each(dbKinds)("final labels read compactly on %s", (kind) => {
  let t: TestDatabase;
  const queryIds: number[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const pool = db();
    // an id with a space and a comma: the compact read must not split on them
    const annotators = ["a1", "annotator two, the second", "a3"];
    for (const id of annotators)
      await pool.query("INSERT INTO users (id, name, email) VALUES ($1, $1, md5($1) || '@example.org')", [id]);
    const c = (await pool.query("INSERT INTO collections (name) VALUES ('labels') RETURNING id")).rows[0].id;
    await pool.query(
      "INSERT INTO images (collection_id, source_id, file_name) SELECT $1, g::text, g || '.jpg' FROM generate_series(1, 60) g",
      [c],
    );
    const images: number[] = (await pool.query("SELECT id FROM images ORDER BY id")).rows.map((r) => Number(r.id));
    const rand = rng(11);
    for (let q = 0; q < 5; q++) {
      const id = (
        await pool.query("INSERT INTO queries (collection_id, source_id, text) VALUES ($1, $2, 'q') RETURNING id", [
          c,
          String(q + 1),
        ])
      ).rows[0].id;
      queryIds.push(id);
      // judged in a shuffled image order, so judging order is not image order
      const order = [...images].sort(() => rand() - 0.5).slice(0, 40);
      for (const image of order)
        for (const annotator of annotators) {
          if (annotator !== "a1" && rand() < 0.7) continue;
          const value = JUDGMENT_VALUES[Math.floor(rand() * 3)];
          await pool.query("INSERT INTO judgments (query_id, image_id, annotator_id, value) VALUES ($1, $2, $3, $4)", [
            id,
            image,
            annotator,
            value,
          ]);
        }
      for (const image of [...order.slice(0, 5), images[59]])
        // the last one: adjudicated, never judged
        if (!order.slice(40).includes(image))
          await pool.query(
            "INSERT INTO adjudications (query_id, image_id, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [id, image, rand() < 0.5 ? "relevant" : "not_relevant"],
          );
    }
  });
  afterAll(async () => t?.close());

  it("the labels the SQL reference gives, in the order first judged; finalLabels the same by pair", async () => {
    const expected = await finalLabelsBySql(queryIds);
    expect(await finalLabels(queryIds)).toEqual(expected);
    const labels = await labelsByQuery(queryIds);
    const got = [...labels].flatMap(([queryId, list]) =>
      list.map(({ imageId, judgments, value, basis, needsAdjudication }) => ({
        queryId,
        imageId,
        judgments,
        value,
        basis,
        needsAdjudication,
      })),
    );
    const key = (r: { queryId: number; imageId: number }) => r.queryId * 1e9 + r.imageId;
    expect([...got].sort((a, b) => key(a) - key(b))).toEqual(expected);
    // the order: by each image's first judgment (judgments.id)
    const { rows } = await db().query(
      "SELECT query_id, image_id FROM judgments GROUP BY query_id, image_id ORDER BY query_id, min(id)",
    );
    for (const id of queryIds)
      expect(
        labels
          .get(id)!
          .filter((l) => l.judgments > 0)
          .map((l) => l.imageId),
      ).toEqual(rows.filter((r) => r.query_id === id).map((r) => Number(r.image_id)));
    expect(
      expected.some((l) => l.basis === "adjudicated") &&
        expected.some((l) => l.basis === "disagreement") &&
        expected.some((l) => l.judgments === 0),
    ).toBe(true);
  });

  it("counts and places agree with the labels", async () => {
    const expected = await finalLabelsBySql(queryIds);
    const counts = await finalLabelCounts(queryIds);
    for (const id of queryIds) {
      const mine = expected.filter((l) => l.queryId === id);
      expect(counts.get(id)).toEqual({
        judged: mine.filter((l) => l.judgments > 0).length,
        relevant: mine.filter((l) => l.value === "relevant").length,
        notRelevant: mine.filter((l) => l.value === "not_relevant").length,
        unsure: mine.filter((l) => l.value === "unsure").length,
        disagreement: mine.filter((l) => l.basis === "disagreement").length,
        adjudicated: mine.filter((l) => l.basis === "adjudicated").length,
        needsAdjudication: mine.filter((l) => l.needsAdjudication).length,
      });
    }
    const labels = (await labelsByQuery(queryIds)).get(queryIds[0])!;
    const places = relevantPlaces(labels);
    expect(places.length).toBe(labels.filter((l) => l.judgments > 0 && l.value === "relevant").length);
    for (const p of places) expect(labels[p - 1].value).toBe("relevant");
    expect(countFinalLabels([])).toMatchObject({ judged: 0, relevant: 0 });
  });

  it("reads every judgment whole, and agreement over it is agreementReport over the rows", async () => {
    const byQuery = await judgmentsByQuery(queryIds);
    const { rows } = await db().query(
      `SELECT id, query_id AS "queryId", image_id AS "imageId", annotator_id AS "annotatorId", value,
              to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM judgments ORDER BY id`,
    );
    expect([...byQuery.values()].flat().sort((a, b) => a.id - b.id)).toEqual(
      rows.map((r) => ({
        id: Number(r.id),
        imageId: Number(r.imageId),
        annotatorId: r.annotatorId,
        value: r.value,
        day: Date.parse(`${r.day}T00:00:00Z`) / 86_400_000,
      })),
    );
    const report = await agreementForQueries(queryIds);
    const expected = agreementReport(
      rows.map((r) => ({ ...r, queryId: String(r.queryId), imageId: String(r.imageId) })),
    );
    expect(report.overall).toEqual(expected.overall);
    expect(report.perQuery).toEqual(expected.perQuery);
    expect(report.perPair).toEqual(expected.perPair);
    expect(report.overall.pairs).toBeGreaterThan(20);
  });
});

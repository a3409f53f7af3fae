import { querySignals } from "@/lib/active-learning/stopping";
import { db } from "@/lib/db/client";

// A small collection for the dashboard tests, every number worked by hand (tests/dashboard/dashboard):
//   query 1 "red fox" (Species / fox / Mammalia): Ann judges images 1-6 in order R N R U N N; Bob judges
//     1-3 as R R N. Final labels: 1 R (agreed), 2 none (they disagree), 3 R once the lead adjudicates it
//     (a disagreement before), 4 U, 5 N, 6 N.
//   query 2 "heron fishing" (Behavior / feeding / Aves): Bob judges 7-10 as N R R N.
//   query 3 "pigeons on a roof" (Context / urban / Aves): a draft, nothing judged.
// Ann's judgments fall either side of midnight UTC (23:30 and 00:30), Bob's on the 3rd and 4th.

export const ANN = { id: "ann", name: "Ann Annotator" };
export const BOB = { id: "bob", name: "Bob Botanist" };

const R = "relevant";
const N = "not_relevant";
const U = "unsure";

export type DashboardFixture = { collectionId: number; q1: number; q2: number; q3: number };

export async function seedDashboardFixture(): Promise<DashboardFixture> {
  const pool = db();
  for (const u of [ANN, BOB])
    await pool.query("INSERT INTO users (id, name, email, role) VALUES ($1, $2, $1 || '@example.org', 'expert')", [
      u.id,
      u.name,
    ]);
  const collectionId = (await pool.query("INSERT INTO collections (name) VALUES ('dash') RETURNING id")).rows[0].id;
  await pool.query(
    `INSERT INTO images (collection_id, source_id, file_name) SELECT $1, g::text, g || '.jpg' FROM generate_series(1, 10) g`,
    [collectionId],
  );
  const query = async (id: string, text: string, sup: string, cat: string, group: string, status: string) =>
    (
      await pool.query(
        `INSERT INTO queries (collection_id, source_id, text, supercategory, category, iconic_group, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [collectionId, id, text, sup, cat, group, status],
      )
    ).rows[0].id as number;
  const q1 = await query("1", "red fox", "Species", "fox", "Mammalia", "labeling");
  const q2 = await query("2", "heron fishing", "Behavior", "feeding", "Aves", "labeling");
  const q3 = await query("3", "pigeons on a roof", "Context", "urban", "Aves", "draft");
  // one at a time, so judgments.id follows the order written here
  const judge = async (q: number, who: string, image: number, value: string, at: string) =>
    pool.query(
      `INSERT INTO judgments (query_id, image_id, annotator_id, value, created_at)
       VALUES ($1, (SELECT id FROM images WHERE collection_id = $2 AND source_id = $3), $4, $5, $6)`,
      [q, collectionId, String(image), who, value, at],
    );
  const ann: [number, string, string][] = [
    [1, R, "2026-11-02T23:30:00Z"],
    [2, N, "2026-11-02T23:31:00Z"],
    [3, R, "2026-11-02T23:32:00Z"],
    [4, U, "2026-11-03T00:30:00Z"],
    [5, N, "2026-11-03T00:31:00Z"],
    [6, N, "2026-11-03T00:32:00Z"],
  ];
  for (const [image, value, at] of ann) await judge(q1, ANN.id, image, value, at);
  for (const [image, value] of [
    [1, R],
    [2, R],
    [3, N],
  ] as const)
    await judge(q1, BOB.id, image, value, "2026-11-03T10:00:00Z");
  for (const [image, value] of [
    [7, N],
    [8, R],
    [9, R],
    [10, N],
  ] as const)
    await judge(q2, BOB.id, image, value, "2026-11-04T09:00:00Z");
  // query 1's last round: a trusted estimate; query 2's: an estimate not to trust, with its reason
  const estimate = (trusted: boolean) => ({
    remaining: 1,
    remainingLow: 0,
    remainingHigh: 3,
    recall: 0.8,
    recallLow: 0.5,
    recallHigh: 1,
    audited: trusted ? 40 : 8,
    trusted,
    ...(trusted ? {} : { reason: "only 8 audit judgments (30 needed)" }),
  });
  for (const [q, trusted, sequence] of [
    [q1, true, [true, false, true, false, false, false]],
    [q2, false, [false, true, true, false]],
  ] as const) {
    const signals = querySignals({ sequence, collectionSize: 10, audit: null, estimate: estimate(trusted) });
    await pool.query("INSERT INTO query_learning (query_id, rounds, signals) VALUES ($1, 2, $2)", [
      q,
      JSON.stringify(signals),
    ]);
  }
  return { collectionId, q1, q2, q3 };
}

/** The lead settles query 1's image 3 as relevant. */
export async function adjudicateImage3(f: DashboardFixture): Promise<void> {
  await db().query(
    `INSERT INTO adjudications (query_id, image_id, value)
     VALUES ($1, (SELECT id FROM images WHERE collection_id = $2 AND source_id = '3'), 'relevant')`,
    [f.q1, f.collectionId],
  );
}

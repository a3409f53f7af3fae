import { db } from "@/lib/db/client";
import { seedCollection, type SeededCollection } from "../helpers/seed";

// A small benchmark to export, written straight to the tables: the seeded garden collection, three
// users, five queries (three finished with splits, one still labeling, one finished without a split),
// judgments by two experts with two disagreements the lead adjudicated, and a built rerank set v1
// pinned to a model (two queries included, one left out for having nothing relevant in its top).

export type ExportFixture = SeededCollection & { queryRowIds: Record<string, number>; rerankSetId: number };

const at = (minute: number) => new Date(Date.UTC(2026, 10, 2, 9, minute)).toISOString();

async function imageRowId(collectionId: number, sourceId: string): Promise<number> {
  const r = await db().query("SELECT id FROM images WHERE collection_id = $1 AND source_id = $2", [
    collectionId,
    sourceId,
  ]);
  return Number(r.rows[0].id);
}

export async function seedExportFixture(imagesRoot: string, name = "garden-survey"): Promise<ExportFixture> {
  return seedBenchmark(await seedCollection(imagesRoot, name));
}

/** The users, queries, judgments, adjudications and rerank set above, on a collection already seeded. */
export async function seedBenchmark(c: SeededCollection): Promise<ExportFixture> {
  for (const [id, role] of [
    ["u-lead", "lead"],
    ["u-bea", "expert"],
    ["u-al", "expert"],
  ])
    await db().query(
      "INSERT INTO users (id, name, email, role) VALUES ($1, $2, $1 || '@example.org', $3) ON CONFLICT DO NOTHING",
      [id, id.slice(2), role],
    );
  const queries: [string, string, string, string | null, string, string, string][] = [
    // source id, text, status, split, supercategory, category, iconic group
    ["1", "a swallowtail, wings open", "finished", "val", "Appearance", "Unique appearances or morphs", "Insects"],
    [
      "2",
      'an eagle "on the nest", seen from below',
      "finished",
      "test",
      "Behavior",
      "Mating, Courtship, Reproduction",
      "Birds",
    ],
    ["3", "a monarch feeding", "labeling", "test", "Behavior", "Feeding and Hydration", "Insects"],
    ["4", "an oak in winter", "finished", null, "Context", "Miscellaneous Context", "Plants"],
    ["5", "a robin with a worm", "finished", "test", "Behavior", "Feeding and Hydration", "Birds"],
  ];
  const queryRowIds: Record<string, number> = {};
  for (const [sourceId, text, status, split, sup, cat, group] of queries) {
    const r = await db().query(
      `INSERT INTO queries (collection_id, source_id, text, status, split, supercategory, category, iconic_group)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [c.id, sourceId, text, status, split, sup, cat, group],
    );
    queryRowIds[sourceId] = r.rows[0].id;
  }
  // [query, image, annotator, value, minute, earlier value]
  const judgments: [string, string, string, string, number, string?][] = [
    ["1", "1001", "u-bea", "relevant", 1],
    ["1", "1002", "u-bea", "relevant", 2, "not_relevant"],
    ["1", "1003", "u-bea", "relevant", 3],
    ["1", "1004", "u-bea", "relevant", 4],
    ["1", "1005", "u-bea", "not_relevant", 5],
    ["1", "1006", "u-bea", "not_relevant", 6],
    ["1", "1001", "u-al", "relevant", 10],
    ["1", "1002", "u-al", "not_relevant", 11], // disagreement: adjudicated not relevant
    ["1", "1005", "u-al", "relevant", 12], // disagreement: adjudicated relevant
    ["2", "1013", "u-al", "relevant", 20],
    ["2", "1014", "u-al", "relevant", 21],
    ["2", "1015", "u-al", "unsure", 22],
    ["2", "1016", "u-al", "not_relevant", 23],
    ["3", "1010", "u-bea", "relevant", 30],
    ["5", "1019", "u-bea", "not_relevant", 40],
  ];
  for (const [q, image, annotator, value, minute, earlier] of judgments) {
    const history = earlier ? [{ value: earlier, at: at(minute - 1), clientId: "c-earlier" }] : [];
    await db().query(
      `INSERT INTO judgments (query_id, image_id, annotator_id, value, source, history, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'text-image', $5, $6, $7)`,
      [
        queryRowIds[q],
        await imageRowId(c.id, image),
        annotator,
        value,
        JSON.stringify(history),
        earlier ? at(minute - 1) : at(minute),
        at(minute),
      ],
    );
  }
  for (const [image, value] of [
    ["1002", "not_relevant"],
    ["1005", "relevant"],
  ])
    await db().query(
      `INSERT INTO adjudications (query_id, image_id, value, adjudicator_id, note, created_at, updated_at)
       VALUES ($1, $2, $3, 'u-lead', 'looked again, at full size', $4, $4)`,
      [queryRowIds["1"], await imageRowId(c.id, image), value, at(50)],
    );
  // query 1's recall is trusted, query 2's is not
  const estimate = (trusted: boolean) => ({
    remaining: 0.2,
    remainingLow: 0,
    remainingHigh: 1.5,
    recall: 0.96,
    recallLow: 0.8,
    recallHigh: 1,
    audited: trusted ? 60 : 4,
    trusted,
    ...(trusted ? {} : { reason: "too few audited" }),
  });
  for (const [q, trusted] of [
    ["1", true],
    ["2", false],
  ] as const)
    await db().query("INSERT INTO query_learning (query_id, signals) VALUES ($1, $2)", [
      queryRowIds[q],
      JSON.stringify({ estimate: estimate(trusted) }),
    ]);

  const set = await db().query(
    `INSERT INTO rerank_sets (collection_id, version, model_name, model_checksum, model_revision, depth, pinned_at, built_at)
     VALUES ($1, 1, 'test-clip', 'sha256:abc123', 'r1', 6, $2, $2) RETURNING id`,
    [c.id, at(55)],
  );
  const rerankSetId = set.rows[0].id;
  const members: [string, string, string[]][] = [
    ["1", "included", ["1003", "1001", "1005", "1002", "1006", "1004"]],
    ["2", "included", ["1013", "1016", "1014", "1015", "1017", "1018"]],
    ["5", "no-relevant", ["1019", "1020"]],
  ];
  for (const [q, status, images] of members) {
    await db().query("INSERT INTO rerank_set_queries (rerank_set_id, query_id, status) VALUES ($1, $2, $3)", [
      rerankSetId,
      queryRowIds[q],
      status,
    ]);
    for (const [i, image] of images.entries())
      await db().query(
        "INSERT INTO rerank_items (rerank_set_id, query_id, image_id, rank, score) VALUES ($1, $2, $3, $4, $5)",
        [rerankSetId, queryRowIds[q], await imageRowId(c.id, image), i + 1, 0.5 - i * 0.0625],
      );
  }
  return { ...c, queryRowIds, rerankSetId };
}

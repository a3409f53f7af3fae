import crypto from "node:crypto";
import { createUser } from "@/lib/auth/users";
import { db } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import type { JudgmentValue, JudgmentWrite } from "@/lib/judgments/values";
import { applyJudgmentWrites } from "@/lib/judgments/write";
import { createQuery, updateQuery } from "@/lib/queries/queries";
import { buildIndex } from "@/lib/vectors/hnsw";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { addCandidates, addImages } from "../helpers/judging";
import { rng } from "../helpers/random";
import { seedCollection } from "../helpers/seed";

// A whole small project, as the app writes it, for the backup tests: a collection with taxa and
// images, three accounts and a session, queries with revisions and examples, candidates, judgments
// changed and withdrawn (history and trail), a hold, audits, a rerank set, an export, an import row,
// and two models with vectors (float32 with an HNSW index, and halfvec), with awkward text and floats.

const HOSTILE = `quotes " ' \\ back\\slash, tab\tnewline\nemoji 🦉, <b>tags</b>, 'single', "double"`;

export async function seedProject(imagesRoot: string): Promise<void> {
  const seeded = await seedCollection(imagesRoot);
  const ana = (await createUser({ email: "ana@example.org", name: "Ana", password: "password-123", role: "expert" }))
    .id;
  const lea = (await createUser({ email: "lea@example.org", name: "Léa", password: "password-456", role: "lead" })).id;
  await createUser({ email: "root@example.org", name: "Root", password: "password-789", role: "admin" });
  await db().query(
    `INSERT INTO sessions (id, expires_at, token, user_id, ip_address, user_agent) VALUES ('s1', now() + interval '7 days', 'tok-1', $1, '127.0.0.1', $2)`,
    [ana, HOSTILE],
  );
  await db().query(
    `INSERT INTO verifications (id, identifier, value, expires_at) VALUES ('v1', 'ana@example.org', 'x', now())`,
  );
  await db().query(
    `INSERT INTO auth_rate_limits (key, count, window_started_at) VALUES ('127.0.0.1/sign-in/email', 3, now())`,
  );

  const q1 = await createQuery(
    seeded.id,
    { text: "Bald eagle carrying a fish", taxonScope: [{ rank: "genus", name: "Haliaeetus" }], notes: HOSTILE },
    ana,
  );
  await updateQuery(seeded.id, q1.id, { notes: `${HOSTILE} (edited)` }, ana);
  await updateQuery(seeded.id, q1.id, { split: "test" }, lea);
  const q2 = await createQuery(seeded.id, { text: "Monarch on milkweed", category: "Behavior" }, lea);
  const images = await addImages(seeded, 40);
  await addCandidates(seeded.id, q1.rowId, images, { source: "text-image" });
  await addCandidates(seeded.id, q1.rowId, images.slice(0, 10), { source: "similar", firstRank: 41 });
  await addCandidates(seeded.id, q2.rowId, images.slice(5, 25));
  await db().query(
    `INSERT INTO query_examples (query_id, image_id, position) SELECT $1, id, 1 FROM images WHERE source_id = $2`,
    [q1.rowId, images[3]],
  );

  const random = rng(7);
  const values: (JudgmentValue | null)[] = ["relevant", "not_relevant", "unsure"];
  const ref1 = { rowId: q1.rowId, collectionId: seeded.id };
  for (const [annotator, from] of [
    [ana, 0],
    [lea, 10],
  ] as const) {
    const writes: JudgmentWrite[] = images.slice(from, from + 25).map((imageId) => ({
      clientId: crypto.randomUUID(),
      imageId,
      value: values[Math.floor(random() * 3)],
      source: "text-image",
      timeSpentMs: Math.floor(random() * 4000),
    }));
    // changes, then a withdrawal: history in judgments, the whole trail in judgment_events
    for (const w of writes.slice(0, 6)) writes.push({ ...w, clientId: crypto.randomUUID(), value: "unsure" });
    writes.push({ ...writes[0], clientId: crypto.randomUUID(), value: null });
    await applyJudgmentWrites(ref1, annotator, writes);
  }
  await db().query(
    `INSERT INTO candidate_holds (query_id, annotator_id, image_id, tab, held_until)
     SELECT $1, $2, id, 'tab-1', now() + interval '1 minute' FROM images WHERE source_id = ANY($3)`,
    [q1.rowId, ana, images.slice(30, 34)],
  );

  // models: float32 with an HNSW index, halfvec without
  const models: number[] = [];
  for (const [name, dim] of [
    ["clip-test", 8],
    ["half-test", 4],
  ] as const) {
    const r = await db().query<{ id: number }>(
      `INSERT INTO models (name, kind, folder, dim, config) VALUES ($1, 'clip', '/models/x', $2, $3) RETURNING id`,
      [name, dim, JSON.stringify({ note: HOSTILE, dim, scale: 0.1 + 0.2 })],
    );
    models.push(r.rows[0].id);
    await ensureVectorStorage(r.rows[0].id, dim, { half: name === "half-test" });
  }
  const allImages = (await db().query<{ id: number }>("SELECT id FROM images ORDER BY id")).rows.map((r) => r.id);
  for (const [i, modelId] of models.entries()) {
    const dim = i === 0 ? 8 : 4;
    const rows = allImages.map((imageId) => ({
      imageId,
      vector: Array.from({ length: dim }, () => (random() - 0.5) * (i === 0 ? 1 : 3) + 1e-7),
    }));
    await upsertEmbeddings(modelId, rows);
  }
  await buildIndex(models[0], { m: 8, efConstruction: 32 });

  await inTransaction(async (client) => {
    const rs = await client.query<{ id: number }>(
      `INSERT INTO rerank_sets (collection_id, version, model_id, model_name, model_checksum, frozen_at)
       VALUES ($1, 1, $2, 'tiny', 'sha256:ab12', now()) RETURNING id`,
      [seeded.id, models[0]],
    );
    await client.query(
      "INSERT INTO rerank_set_queries (rerank_set_id, query_id, status, relevant) VALUES ($1, $2, 'included', 3)",
      [rs.rows[0].id, q1.rowId],
    );
    await client.query(
      `INSERT INTO rerank_items (rerank_set_id, query_id, image_id, rank, score)
       SELECT $1, $3, id, row_number() OVER (ORDER BY id), 1.0 / (id + 3) FROM images WHERE collection_id = $2 LIMIT 12`,
      [rs.rows[0].id, seeded.id, q1.rowId],
    );
    await client.query(
      `INSERT INTO adjudications (query_id, image_id, value, adjudicator_id, note)
       SELECT $1, id, 'relevant', $3, $4 FROM images WHERE collection_id = $2 ORDER BY id LIMIT 1`,
      [q1.rowId, seeded.id, lea, HOSTILE],
    );
    const audit = await client.query<{ id: number }>(
      "INSERT INTO audit_samples (query_id, stratum, seed, population) VALUES ($1, 'unjudged', 9007199254740991, 1234) RETURNING id",
      [q1.rowId],
    );
    await client.query(
      "INSERT INTO audit_items (audit_sample_id, image_id) SELECT $1, id FROM images WHERE collection_id = $2 LIMIT 7",
      [audit.rows[0].id, seeded.id],
    );
    await client.query(
      `INSERT INTO exports (collection_id, split, path, checksums, created_by, status, rerank_set_id)
       VALUES ($1, 'test', '/exports/x', $2, $3, 'done', $4)`,
      [seeded.id, JSON.stringify({ "judgments.csv": "ab12", weird: HOSTILE }), lea, rs.rows[0].id],
    );
    await client.query(
      `INSERT INTO imports (collection_id, source, source_kind, fingerprint, status, records_done, stats, finished_at)
       VALUES ($1, '/photos/train.json', 'inat-json', 'fp', 'done', 31, $2, now())`,
      [seeded.id, JSON.stringify({ images: 31, ratio: 1 / 3 })],
    );
    // floats at the edges of their text forms
    await client.query(
      `UPDATE images SET latitude = 48.123456789012345, longitude = -0.0000001234567890123, location_uncertainty = 'Infinity'
        WHERE id = (SELECT min(id) FROM images)`,
    );
  });
}

/** Every row of every table (vector tables included), each as row_to_json in UTC, sorted: for comparing two databases. */
export async function tableContents(): Promise<Record<string, string[]>> {
  return inTransaction(
    async (client) => {
      const tables = await client.query<{ name: string }>(
        `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
      );
      const out: Record<string, string[]> = {};
      for (const { name } of tables.rows) {
        const r = await client.query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM "${name}" t`);
        out[name] = r.rows.map((row) => row.j).sort();
      }
      return out;
    },
    { settings: ["TimeZone = 'UTC'"] },
  );
}

/** The indexes of the vector tables, as CREATE INDEX statements. */
export async function vectorIndexes(): Promise<string[]> {
  const r = await db().query<{ def: string }>(
    `SELECT indexdef AS def FROM pg_indexes WHERE schemaname = 'public' AND tablename LIKE 'model_vectors_%' ORDER BY indexname`,
  );
  return r.rows.map((row) => row.def);
}

/** What the next id of each serial column would be, without taking it. */
export async function nextIds(): Promise<Record<string, number>> {
  const r = await db().query<{ name: string; next: number }>(
    `SELECT s.sequencename AS name, CASE WHEN s.last_value IS NULL THEN s.start_value ELSE s.last_value + s.increment_by END::bigint AS next
       FROM pg_sequences s WHERE s.schemaname = 'public' ORDER BY 1`,
  );
  return Object.fromEntries(r.rows.map((row) => [row.name, row.next]));
}

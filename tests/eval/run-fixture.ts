import { db } from "@/lib/db/client";
import { ensureVectorStorage } from "@/lib/vectors/storage";
import { upsertEmbeddings } from "@/lib/vectors/upsert";
import { rng } from "../helpers/random";
import { createCollection, createModel, gaussian, normalise } from "../search/fixture";

// A small collection for model runs: two taxa, two image-only models with different vectors, and
// finished queries with an example image each and final labels (judgments, one disagreement, one
// unsure, one adjudication), plus a finished query with nothing relevant (which a run must leave out).

export const DIM = 8;
export const IMAGES = 160;

export type RunFixture = {
  collectionId: number;
  models: { first: number; second: number };
  vectors: { first: Float32Array[]; second: Float32Array[] };
  imageRowIds: number[];
  sourceIds: string[];
  /** query row ids: three with relevant images, the last with none */
  queries: number[];
  exampleOf: Map<number, number>;
};

function vectorsFor(seed: number): Float32Array[] {
  const random = rng(seed);
  const centres = [0, 1, 2, 3].map(() => normalise(Float32Array.from({ length: DIM }, () => gaussian(random))));
  return Array.from({ length: IMAGES }, (_, i) => {
    const c = centres[i % 4];
    return normalise(Float32Array.from(c, (x) => x + 0.6 * gaussian(random)));
  });
}

export async function createRunFixture(name = "runs"): Promise<RunFixture> {
  const collectionId = await createCollection(name);
  const taxa = await db().query<{ id: number }>(
    `INSERT INTO taxa (collection_id, source_id, name, rank, iconic_group) VALUES
       ($1, 't1', 'Danaus plexippus', 'species', 'Insecta'), ($1, 't2', 'Vanessa atalanta', 'species', 'Insecta')
     RETURNING id`,
    [collectionId],
  );
  const sourceIds = Array.from({ length: IMAGES }, (_, i) => String(1000 + i));
  const ids = await db().query<{ id: string }>(
    `INSERT INTO images (collection_id, source_id, file_name, taxon_id)
     SELECT $1, s, s || '.jpg', CASE WHEN o % 2 = 0 THEN $3::int ELSE $4::int END
       FROM unnest($2::text[]) WITH ORDINALITY AS u(s, o) ORDER BY o RETURNING id`,
    [collectionId, sourceIds, taxa.rows[0].id, taxa.rows[1].id],
  );
  const imageRowIds = ids.rows.map((r) => Number(r.id));
  const vectors = { first: vectorsFor(11), second: vectorsFor(12) };
  const models = { first: await createModel(`${name}-first`, DIM), second: await createModel(`${name}-second`, DIM) };
  for (const [key, modelId] of Object.entries(models) as ["first" | "second", number][]) {
    await ensureVectorStorage(modelId, DIM);
    await upsertEmbeddings(
      modelId,
      imageRowIds.map((imageId, i) => ({ imageId, vector: vectors[key][i] })),
    );
  }
  for (const u of ["ann", "bea", "lead"])
    await db().query(
      "INSERT INTO users (id, name, email) VALUES ($1, $1, $1 || '@example.org') ON CONFLICT DO NOTHING",
      [u],
    );

  const queries: number[] = [];
  const exampleOf = new Map<number, number>();
  const categories = ["Feeding", "Feeding", "Mating", "Mating"];
  for (let qi = 0; qi < 4; qi++) {
    const q = await db().query<{ id: number }>(
      `INSERT INTO queries (collection_id, source_id, text, supercategory, category, status)
       VALUES ($1, $2, $3, 'Behavior', $4, 'finished') RETURNING id`,
      [collectionId, String(qi + 1), `query ${qi + 1}`, categories[qi]],
    );
    const queryId = q.rows[0].id;
    queries.push(queryId);
    const example = qi; // image qi belongs to cluster qi % 4
    exampleOf.set(queryId, example);
    await db().query("INSERT INTO query_examples (query_id, image_id) VALUES ($1, $2)", [
      queryId,
      imageRowIds[example],
    ]);
    // judged: 40 images; relevant the ones of the example's cluster among them (none for the last query)
    const judged = Array.from({ length: 40 }, (_, j) => (qi * 7 + j * 3) % IMAGES);
    for (const j of judged) {
      const relevant = qi < 3 && j % 4 === qi % 4;
      await db().query(
        "INSERT INTO judgments (query_id, image_id, annotator_id, value) VALUES ($1, $2, 'ann', $3) ON CONFLICT DO NOTHING",
        [queryId, imageRowIds[j], relevant ? "relevant" : "not_relevant"],
      );
    }
    // a second annotator on the first five: agrees on four, disagrees on one, and is unsure of one more
    for (const [n, j] of judged.slice(0, 6).entries()) {
      const relevant = qi < 3 && j % 4 === qi % 4;
      const value =
        n === 5
          ? "unsure"
          : n === 0
            ? relevant
              ? "not_relevant"
              : "relevant"
            : relevant
              ? "relevant"
              : "not_relevant";
      await db().query("INSERT INTO judgments (query_id, image_id, annotator_id, value) VALUES ($1, $2, 'bea', $3)", [
        queryId,
        imageRowIds[j],
        value,
      ]);
    }
    // the lead settles the disagreement as the first annotator had it
    const j0 = judged[0];
    await db().query(
      "INSERT INTO adjudications (query_id, image_id, value, adjudicator_id) VALUES ($1, $2, $3, 'lead')",
      [queryId, imageRowIds[j0], qi < 3 && j0 % 4 === qi % 4 ? "relevant" : "not_relevant"],
    );
  }
  return { collectionId, models, vectors, imageRowIds, sourceIds, queries, exampleOf };
}

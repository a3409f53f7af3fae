-- Assembling the benchmark (issue 8): blind overlap samples and the lead's adjudication, versioned
-- rerank sets pinned to a model, splits frozen by an export, and exports as jobs with progress.

-- Images another annotator judged, assigned to a second expert who judges them blind in the ordinary
-- grid. reason: "sample" (the share a lead asked for) or "unsure" (every unsure judgment goes).
CREATE TABLE overlap_assignments (
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  annotator_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reason text NOT NULL,
  requested_by text,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (query_id, image_id, annotator_id)
);
CREATE INDEX overlap_assignments_annotator_id_query_id_idx ON overlap_assignments(annotator_id, query_id);

-- The lead's final word on a (query, image): it outranks every judgment (lib/agreement/final-label.ts).
-- history holds earlier values with who and when, as judgments.history does.
CREATE TABLE adjudications (
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  value "JudgmentValue" NOT NULL CHECK (value <> 'unsure'),
  adjudicator_id text REFERENCES users(id) ON DELETE SET NULL,
  note text,
  history jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (query_id, image_id)
);

-- Rerank sets were per (query, model) and never written; they become versions per collection, each
-- pinned to a model (its name, revision or file checksum, and the date, kept even if the model goes).
DROP TABLE rerank_items;
DROP TABLE rerank_sets;

CREATE TABLE rerank_sets (
  id serial PRIMARY KEY,
  collection_id integer NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  version integer NOT NULL,
  model_id integer REFERENCES models(id) ON DELETE SET NULL,
  model_name text NOT NULL,
  model_checksum text NOT NULL,
  model_revision text,
  depth integer NOT NULL DEFAULT 100,
  pinned_by text,
  pinned_at timestamptz(3) NOT NULL DEFAULT now(),
  built_at timestamptz(3),
  frozen_at timestamptz(3),
  build_job text,
  build_phase text,
  build_done integer,
  build_total integer,
  build_error text,
  UNIQUE (collection_id, version)
);

-- Each finished query's place in a set: "included", "no-relevant" (nothing relevant in its top 100:
-- left out and listed) or "unjudged" (some of its top 100 still wait in the labeling queue).
CREATE TABLE rerank_set_queries (
  rerank_set_id integer NOT NULL REFERENCES rerank_sets(id) ON DELETE CASCADE,
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  status text NOT NULL,
  relevant integer NOT NULL DEFAULT 0,
  unjudged integer NOT NULL DEFAULT 0,
  PRIMARY KEY (rerank_set_id, query_id)
);

CREATE TABLE rerank_items (
  rerank_set_id integer NOT NULL,
  query_id integer NOT NULL,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  rank integer NOT NULL,
  score double precision NOT NULL,
  PRIMARY KEY (rerank_set_id, query_id, image_id),
  FOREIGN KEY (rerank_set_id, query_id) REFERENCES rerank_set_queries(rerank_set_id, query_id) ON DELETE CASCADE
);

-- A query's split is frozen by the first export that publishes it; a lead may move it until then.
ALTER TABLE queries ADD COLUMN split_frozen_at timestamptz(3);

-- Exports run as worker jobs; the row follows the job (phase, done of total) and keeps what it wrote.
ALTER TABLE exports
  ADD COLUMN status text NOT NULL DEFAULT 'queued',
  ADD COLUMN job_id text,
  ADD COLUMN phase text,
  ADD COLUMN done integer,
  ADD COLUMN total integer,
  ADD COLUMN error text,
  ADD COLUMN include_unfinished boolean NOT NULL DEFAULT false,
  ADD COLUMN pseudonymous boolean NOT NULL DEFAULT true,
  ADD COLUMN rerank_set_id integer REFERENCES rerank_sets(id) ON DELETE SET NULL,
  ADD COLUMN left_out jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN finished_at timestamptz(3);
ALTER TABLE exports ALTER COLUMN checksums SET DEFAULT '{}';
CREATE INDEX exports_collection_id_idx ON exports(collection_id);

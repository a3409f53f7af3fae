-- Model runs kept inside the tool (issue 9): a registered model's ranking of a collection scored
-- against the finished queries' final labels (full-rank, rerank over a rerank set, or two-stage: a
-- first model's top k re-ordered by a second), or a run made elsewhere and imported from a run CSV.
-- The model's name, version and checksum are kept with the run, so it survives the model's removal.
CREATE TABLE eval_runs (
  id serial PRIMARY KEY,
  collection_id integer NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  name text NOT NULL,
  -- full-rank | rerank | two-stage
  kind text NOT NULL,
  -- in-tool | imported
  source text NOT NULL DEFAULT 'in-tool',
  model_id integer REFERENCES models(id) ON DELETE SET NULL,
  model_name text NOT NULL,
  model_version text,
  model_checksum text,
  second_model_id integer REFERENCES models(id) ON DELETE SET NULL,
  second_model_name text,
  rerank_set_id integer REFERENCES rerank_sets(id) ON DELETE SET NULL,
  k integer NOT NULL DEFAULT 50,
  -- queued | running | done | failed; the pg-boss job and its progress while it runs
  status text NOT NULL DEFAULT 'queued',
  job_id text,
  phase text,
  done integer,
  total integer,
  error text,
  -- the command (or form) that asked for the run, and the mean metrics once scored
  command text,
  means jsonb NOT NULL DEFAULT '{}',
  created_by text,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  finished_at timestamptz(3)
);
CREATE INDEX eval_runs_collection_id_idx ON eval_runs(collection_id);

-- The run's ranking per query: its top images by score, rank 1 first.
CREATE TABLE eval_run_scores (
  run_id integer NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  score double precision NOT NULL,
  rank integer NOT NULL,
  PRIMARY KEY (run_id, query_id, image_id)
);
CREATE INDEX eval_run_scores_run_id_query_id_rank_idx ON eval_run_scores(run_id, query_id, rank);

-- The run's metrics per query (fractions 0..1), as lib/eval/metrics.ts computes them.
CREATE TABLE eval_run_metrics (
  run_id integer NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  ap double precision NOT NULL,
  ndcg double precision NOT NULL,
  mrr double precision NOT NULL,
  precision double precision NOT NULL,
  recall double precision NOT NULL,
  relevant integer NOT NULL,
  retrieved integer NOT NULL,
  PRIMARY KEY (run_id, query_id)
);

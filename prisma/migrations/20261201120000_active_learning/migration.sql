-- Continuous active learning and recall estimates (lib/active-learning, lib/recall).
-- A query is finished only when a lead confirms it; "done" never meant more than that.
ALTER TYPE "QueryStatus" RENAME VALUE 'done' TO 'finished';

-- One row per query that has had a learning round: the round's bookkeeping, the model it used, and
-- the stopping signals it computed (shown in the workspace, the query list and the API).
CREATE TABLE query_learning (
  query_id integer PRIMARY KEY REFERENCES queries(id) ON DELETE CASCADE,
  model_id integer REFERENCES models(id) ON DELETE SET NULL,
  rounds integer NOT NULL DEFAULT 0,
  last_batch integer NOT NULL DEFAULT 0,
  judged_at_round integer NOT NULL DEFAULT 0,
  positives integer NOT NULL DEFAULT 0,
  negatives integer NOT NULL DEFAULT 0,
  signals jsonb,
  looks_complete boolean NOT NULL DEFAULT false,
  round_ms integer,
  error text,
  trained_at timestamptz(3),
  finished_by text,
  finished_at timestamptz(3)
);

-- An audit draw is several strata sampled at once; found_at_draw is what judging had found by then.
ALTER TABLE audit_samples
  ADD COLUMN draw integer NOT NULL DEFAULT 1,
  ADD COLUMN from_rank integer NOT NULL DEFAULT 0,
  ADD COLUMN to_rank integer NOT NULL DEFAULT 0,
  ADD COLUMN found_at_draw integer NOT NULL DEFAULT 0;
CREATE INDEX audit_items_image_id_idx ON audit_items(image_id);

-- The expert's workspace: idempotent judgment writes, query example images, and the indexes the
-- judging grid reads through.

-- Every judgment write, keyed by the id the browser gave it. The browser's retry queue may send a
-- write twice (the answer was lost, the page was reloaded); the second finds its key here and changes
-- nothing. It is also the full trail, undo included; judgments.history keeps each row's earlier values.
CREATE TABLE judgment_events (
  annotator_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id text NOT NULL,
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  value "JudgmentValue", -- NULL: the judgment was withdrawn (undo)
  source text,
  time_spent_ms integer,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (annotator_id, client_id)
);
CREATE INDEX judgment_events_query_id_created_at_idx ON judgment_events (query_id, created_at);

-- Images a query's author picked as examples of what it means (the similar-to-example source
-- starts from these).
CREATE TABLE query_examples (
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (query_id, image_id)
);

-- One annotator's judgments of a query (their queue excludes them; their progress counts them).
CREATE INDEX judgments_query_id_annotator_id_idx ON judgments (query_id, annotator_id);
-- The queue reads a query's candidates best rank first, across sources.
CREATE INDEX candidates_query_id_rank_idx ON candidates (query_id, rank);

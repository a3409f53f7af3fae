-- An expert with the same query open in two tabs (or two machines) gets different images in each:
-- a page served to one tab is held for it a while, and the other tab's queue passes over it. A hold
-- lapses when its tab is closed (the page says so as it goes) or has not asked for it again in time.
CREATE TABLE candidate_holds (
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  annotator_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  tab text NOT NULL,
  held_until timestamptz(3) NOT NULL,
  PRIMARY KEY (query_id, annotator_id, image_id)
);
CREATE INDEX candidate_holds_tab_idx ON candidate_holds (query_id, annotator_id, tab);

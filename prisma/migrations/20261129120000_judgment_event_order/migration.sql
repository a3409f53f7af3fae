-- The trail of judgment writes in the order they were saved. created_at has millisecond precision,
-- and a judgment, its change and its undo often land within one millisecond (a batch sent after an
-- outage); a sequence number keeps their order.
ALTER TABLE judgment_events ADD COLUMN seq bigserial NOT NULL;
DROP INDEX judgment_events_query_id_created_at_idx;
CREATE INDEX judgment_events_query_id_seq_idx ON judgment_events (query_id, seq);

-- An HNSW build queued from the UI runs in the worker as a pg-boss job: the job's id is kept here so
-- any page can show its state (from pg-boss) and, while PostgreSQL builds, pgvector's phase and tuple
-- counts (written here by the worker about once a second).
ALTER TABLE vector_stores
  ADD COLUMN index_build_job text,
  ADD COLUMN index_build_phase text,
  ADD COLUMN index_build_done bigint,
  ADD COLUMN index_build_total bigint;

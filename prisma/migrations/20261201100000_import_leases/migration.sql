-- One import per collection at a time, on both databases. The advisory lock an import takes excludes
-- nobody on the embedded PGlite (one database session shared by every connection), so an import also
-- holds this row: inserting it is one statement, atomic on both. A row left by a killed process is
-- taken over when its holder's pid is gone (same host) or it has not been renewed for a while
-- (lib/collections/import-jobs.ts).
CREATE TABLE import_leases (
  collection_id integer PRIMARY KEY REFERENCES collections(id) ON DELETE CASCADE,
  holder text NOT NULL,
  host text NOT NULL,
  pid integer NOT NULL,
  renewed_at timestamptz(3) NOT NULL DEFAULT now()
);

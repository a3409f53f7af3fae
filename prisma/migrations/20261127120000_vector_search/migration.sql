-- Vectors move from the one untyped `embeddings` table to one table per model, created by
-- lib/vectors/storage.ts when a model's storage is registered: a typed vector(D) or halfvec(D) column
-- takes a plain HNSW index (an untyped column needs a cast per model in every index and query), and
-- each model's index is built, sized and dropped on its own.
DROP TABLE IF EXISTS embeddings;

CREATE TABLE vector_stores (
  model_id integer PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
  table_name text NOT NULL UNIQUE,
  dim integer NOT NULL CHECK (dim > 0),
  half boolean NOT NULL DEFAULT false,
  index_m integer,
  index_ef_construction integer,
  index_built_at timestamptz(3),
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

-- Deleting a store row, directly or through its model, drops the model's vector table with it.
CREATE FUNCTION drop_vector_store_table() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('DROP TABLE IF EXISTS %I', OLD.table_name);
  RETURN OLD;
END
$$;
CREATE TRIGGER vector_stores_drop_table AFTER DELETE ON vector_stores
  FOR EACH ROW EXECUTE FUNCTION drop_vector_store_table();

-- Full-text document of a taxon: names and common names weigh most, then the rank chain and iconic
-- group, then the rank word. Both 'simple' (exact Latin names) and 'english' (stemmed: "butterflies"
-- finds "butterfly") lexemes, so one english query matches either. lib/search/metadata-search.ts calls
-- this function with the same arguments so the planner uses the GIN index below.
CREATE FUNCTION taxon_search_document(
  name text, common_name text, rank text, kingdom text, phylum text, class text, ord text,
  family text, genus text, species text, iconic_group text
) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('simple', concat_ws(' ', $1, $2, $9 || ' ' || $10)), 'A')
      || setweight(to_tsvector('english', concat_ws(' ', $1, $2)), 'A')
      || setweight(to_tsvector('simple', concat_ws(' ', $4, $5, $6, $7, $8, $9, $11)), 'B')
      || setweight(to_tsvector('english', concat_ws(' ', $4, $5, $6, $7, $8, $9, $11)), 'B')
      || setweight(to_tsvector('simple', coalesce($3, '')), 'D')
$$;

CREATE INDEX taxa_search_idx ON taxa USING gin (
  taxon_search_document(name, common_name, rank, kingdom, phylum, class, "order", family, genus, species, iconic_group)
);

-- Each model's vector table carries its image's taxon_id, copied when the vector is written, so a taxon
-- or iconic-group filter is answered from the vector table alone: no per-row join to images, and (after
-- lib/vectors/hnsw.ts sorts the table by taxonomy) the rows of a taxon's subtree lie together on disk.
-- This trigger keeps the copy right when an image's taxon changes (including ON DELETE SET NULL).
CREATE FUNCTION copy_image_taxon_to_vectors() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  t text;
BEGIN
  FOR t IN SELECT table_name FROM vector_stores LOOP
    EXECUTE format('UPDATE %I SET taxon_id = $1 WHERE image_id = $2', t) USING NEW.taxon_id, NEW.id;
  END LOOP;
  RETURN NULL;
END
$$;
CREATE TRIGGER images_taxon_to_vectors AFTER UPDATE OF taxon_id ON images
  FOR EACH ROW WHEN (OLD.taxon_id IS DISTINCT FROM NEW.taxon_id) EXECUTE FUNCTION copy_image_taxon_to_vectors();

-- Vector tables made before this migration get the column and its index.
DO $$
DECLARE
  t text;
BEGIN
  FOR t IN SELECT table_name FROM vector_stores LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS taxon_id integer', t);
    EXECUTE format('UPDATE %I e SET taxon_id = i.taxon_id FROM images i WHERE i.id = e.image_id', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I (collection_id, taxon_id)', t || '_collection_taxon_idx', t);
  END LOOP;
END
$$;

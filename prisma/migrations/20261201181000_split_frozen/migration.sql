-- A query's split is frozen once an export has published it (queries.split_frozen_at). lib/queries'
-- checkSplitChange refuses a change with a clear message; this trigger is the last word for every
-- other way a split could be written (an import over a frozen query, a hand-run UPDATE).
CREATE FUNCTION queries_split_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.split_frozen_at IS NOT NULL AND NEW.split IS DISTINCT FROM OLD.split THEN
    RAISE EXCEPTION 'query % has a frozen split (%, exported %): it cannot change', OLD.source_id, OLD.split, OLD.split_frozen_at
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER queries_split_frozen BEFORE UPDATE OF split ON queries
  FOR EACH ROW EXECUTE FUNCTION queries_split_frozen();

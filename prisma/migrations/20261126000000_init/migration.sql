-- Fieldmark's initial schema: the whole product's data model (see prisma/schema.prisma).
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TYPE "Role" AS ENUM ('admin', 'lead', 'expert');
CREATE TYPE "ImageStatus" AS ENUM ('ok', 'unreadable');
CREATE TYPE "JudgmentValue" AS ENUM ('relevant', 'not_relevant', 'unsure');
CREATE TYPE "QueryStatus" AS ENUM ('draft', 'labeling', 'done', 'frozen');
CREATE TYPE "Split" AS ENUM ('val', 'test');

CREATE TABLE users (
  id text PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  email_verified boolean NOT NULL DEFAULT false,
  image text,
  role "Role" NOT NULL DEFAULT 'expert',
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id text PRIMARY KEY,
  expires_at timestamptz(3) NOT NULL,
  token text NOT NULL UNIQUE,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  ip_address text,
  user_agent text,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_id_idx ON sessions(user_id);

CREATE TABLE accounts (
  id text PRIMARY KEY,
  account_id text NOT NULL,
  provider_id text NOT NULL,
  user_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  access_token text,
  refresh_token text,
  id_token text,
  access_token_expires_at timestamptz(3),
  refresh_token_expires_at timestamptz(3),
  scope text,
  password text,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX accounts_user_id_idx ON accounts(user_id);

CREATE TABLE verifications (
  id text PRIMARY KEY,
  identifier text NOT NULL,
  value text NOT NULL,
  expires_at timestamptz(3) NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX verifications_identifier_idx ON verifications(identifier);

CREATE TABLE collections (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text,
  images_root text,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE taxa (
  id serial PRIMARY KEY,
  collection_id integer NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  source_id text NOT NULL,
  name text NOT NULL,
  common_name text,
  rank text,
  kingdom text,
  phylum text,
  class text,
  "order" text,
  family text,
  genus text,
  species text,
  iconic_group text,
  image_dir_name text,
  UNIQUE (collection_id, source_id)
);
CREATE INDEX taxa_collection_id_iconic_group_idx ON taxa(collection_id, iconic_group);

CREATE TABLE images (
  id bigserial PRIMARY KEY,
  collection_id integer NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  source_id text NOT NULL,
  file_name text NOT NULL,
  width integer,
  height integer,
  taxon_id integer REFERENCES taxa(id) ON DELETE SET NULL,
  observed_at timestamptz(3),
  latitude double precision,
  longitude double precision,
  location_uncertainty double precision,
  license text,
  rights_holder text,
  status "ImageStatus" NOT NULL DEFAULT 'ok',
  status_reason text,
  thumbnail_at timestamptz(3),
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (collection_id, source_id)
);
CREATE INDEX images_collection_id_taxon_id_idx ON images(collection_id, taxon_id);
CREATE INDEX images_collection_id_observed_at_idx ON images(collection_id, observed_at);

CREATE TABLE imports (
  id serial PRIMARY KEY,
  collection_id integer NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  source text NOT NULL,
  source_kind text NOT NULL,
  fingerprint text NOT NULL,
  status text NOT NULL,
  phase text,
  records_done bigint NOT NULL DEFAULT 0,
  stats jsonb,
  error text,
  started_at timestamptz(3) NOT NULL DEFAULT now(),
  finished_at timestamptz(3)
);
CREATE INDEX imports_collection_id_idx ON imports(collection_id);

CREATE TABLE models (
  id serial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  kind text NOT NULL,
  folder text NOT NULL,
  dim integer NOT NULL,
  config jsonb,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE embeddings (
  model_id integer NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  collection_id integer NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  vector vector NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (model_id, image_id)
);

CREATE TABLE queries (
  id serial PRIMARY KEY,
  collection_id integer NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  source_id text NOT NULL,
  text text NOT NULL,
  supercategory text,
  category text,
  iconic_group text,
  taxon_scope jsonb NOT NULL DEFAULT '[]',
  notes text,
  status "QueryStatus" NOT NULL DEFAULT 'draft',
  split "Split",
  created_by text,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (collection_id, source_id)
);

CREATE TABLE query_revisions (
  id serial PRIMARY KEY,
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  editor_id text,
  snapshot jsonb NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX query_revisions_query_id_idx ON query_revisions(query_id);

CREATE TABLE judgments (
  id bigserial PRIMARY KEY,
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  annotator_id text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  value "JudgmentValue" NOT NULL,
  source text,
  time_spent_ms integer,
  client_id text,
  history jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (query_id, image_id, annotator_id)
);
CREATE INDEX judgments_query_id_value_idx ON judgments(query_id, value);

CREATE TABLE candidates (
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  image_id bigint NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  source text NOT NULL,
  score double precision NOT NULL,
  rank integer NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (query_id, image_id, source)
);
CREATE INDEX candidates_query_id_source_rank_idx ON candidates(query_id, source, rank);

CREATE TABLE rerank_sets (
  id serial PRIMARY KEY,
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  model_id integer NOT NULL REFERENCES models(id) ON DELETE RESTRICT,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  UNIQUE (query_id, model_id)
);

CREATE TABLE rerank_items (
  rerank_set_id integer NOT NULL REFERENCES rerank_sets(id) ON DELETE CASCADE,
  image_id bigint NOT NULL,
  rank integer NOT NULL,
  score double precision NOT NULL,
  PRIMARY KEY (rerank_set_id, image_id)
);

CREATE TABLE audit_samples (
  id serial PRIMARY KEY,
  query_id integer NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
  stratum text NOT NULL,
  seed bigint NOT NULL,
  population bigint NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX audit_samples_query_id_idx ON audit_samples(query_id);

CREATE TABLE audit_items (
  audit_sample_id integer NOT NULL REFERENCES audit_samples(id) ON DELETE CASCADE,
  image_id bigint NOT NULL,
  PRIMARY KEY (audit_sample_id, image_id)
);

CREATE TABLE exports (
  id serial PRIMARY KEY,
  collection_id integer NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  split "Split",
  path text NOT NULL,
  checksums jsonb NOT NULL,
  created_by text,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

-- Model fetches from the Hugging Face hub (lib/models/hub, lib/jobs/model-fetch.ts): one row per fetch asked
-- for on the models page, recording its pg-boss job and the progress the worker writes, so every page shows
-- the same fetch and two clicks queue one job. status: queued | fetching | ready | failed.
CREATE TABLE "model_fetches" (
    "id" SERIAL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "repo" TEXT NOT NULL,
    "revision" TEXT,
    "commit_sha" TEXT,
    "variant" TEXT NOT NULL DEFAULT 'fp32',
    "status" TEXT NOT NULL DEFAULT 'queued',
    "job_id" TEXT,
    "phase" TEXT,
    "file" TEXT,
    "done_bytes" BIGINT,
    "total_bytes" BIGINT,
    "error" TEXT,
    "model_id" INTEGER REFERENCES "models"("id") ON DELETE SET NULL,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3)
);

CREATE INDEX "model_fetches_name_idx" ON "model_fetches"("name");

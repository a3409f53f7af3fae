import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boss, QUEUES } from "@/lib/jobs/boss";
import { startWorker } from "@/workers";
import { handleCandidateJobs } from "@/workers/candidates";
import { handleEmbeddingJobs } from "@/workers/embeddings";
import { handleImportJobs } from "@/workers/imports";
import { handleThumbnailJobs } from "@/workers/thumbnails";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";

// Every handler checks its job's data before using it, so a malformed job fails saying which field is
// wrong instead of running with undefined ids.

function job(name: string, data: unknown): PgBoss.Job<unknown> {
  return { id: "job-1", name, data, expireInSeconds: 60 };
}

describe("job data checked by the handlers", () => {
  it("names the field at fault, before anything touches the database", async () => {
    await expect(
      handleEmbeddingJobs([job(QUEUES.embeddings, { collectionId: 1, modelId: 2, imageIds: [3, "4"] })]),
    ).rejects.toThrow(/embeddings job job-1 has malformed data: imageIds\.1: .*expected number/);
    await expect(handleThumbnailJobs([job(QUEUES.thumbnails, { collectionId: 1, fromId: 5 })])).rejects.toThrow(
      /toId: .*expected number/,
    );
    await expect(handleCandidateJobs([job(QUEUES.candidates, { queryId: 7, reason: "bored" })])).rejects.toThrow(
      /reason: /,
    );
    await expect(handleImportJobs([job(QUEUES.imports, { collection: "c" })])).rejects.toThrow(/source: /);
  });
});

describe.each(dbKinds)("a malformed job through the worker on %s", (kind) => {
  let t: TestDatabase;
  let worker: { stop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  it("fails with a message naming the field", async () => {
    const b = await boss();
    const id = await b.send(QUEUES.indexes, { modelId: "seven" }, { retryLimit: 0 });
    worker = await startWorker();
    const deadline = Date.now() + 30_000;
    let found = await b.getJobById(QUEUES.indexes, id!);
    while (found?.state !== "failed" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      found = await b.getJobById(QUEUES.indexes, id!);
    }
    expect(found?.state).toBe("failed");
    expect((found?.output as { message?: string }).message).toMatch(
      /^indexes job .+ has malformed data: modelId: Invalid input: expected number, received string$/,
    );
  });
});

import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { stopBoss } from "@/lib/jobs/boss";
import { enqueueModelFetch, ModelFetchInputError, modelFetchStatusByJob } from "@/lib/jobs/model-fetch";
import { startWorker } from "@/workers";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { repoFilesFromFolder, startStandInHub, type StandInHub } from "../helpers/stand-in-hub";
import { waitUntil } from "../faults/helpers";
import { tempDir, tinyClipFolder } from "./model-folders";

// The models page's fetch: a worker job over a model_fetches row, queued once however many clicks,
// its progress and final answer read back by job id.

describe.each(dbKinds)("the model fetch job on %s", (kind) => {
  let t: TestDatabase;
  let hub: StandInHub;
  let worker: { stop: () => Promise<void> } | undefined;
  const saved = { endpoint: process.env.HF_ENDPOINT, dataDir: process.env.FIELDMARK_DATA_DIR };
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const files = repoFilesFromFolder(tinyClipFolder(path.join(tempDir(), "tiny-clip")));
    hub = await startStandInHub({ "fieldmark/tiny-clip": { files }, "fieldmark/gated-clip": { files, gated: true } });
    process.env.HF_ENDPOINT = hub.url;
    process.env.FIELDMARK_DATA_DIR = t.dataDir;
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await stopBoss({ timeout: 2_000 });
    await hub?.close();
    await t?.close();
    for (const [k, v] of [
      ["HF_ENDPOINT", saved.endpoint],
      ["FIELDMARK_DATA_DIR", saved.dataDir],
    ] as const)
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });

  it("queues one job for two clicks, shows progress, ends ready with the model registered at the pinned commit", async () => {
    hub.setThrottle(4 * 1024 * 1024);
    const first = await enqueueModelFetch({ repo: "fieldmark/tiny-clip", name: "page-tiny", variant: "fp32" });
    const second = await enqueueModelFetch({ repo: "fieldmark/tiny-clip", name: "page-tiny", variant: "fp32" });
    expect(second).toEqual({ ...first, alreadyQueued: true });
    expect((await modelFetchStatusByJob(first.jobId))?.state).toBe("queued");
    worker = await startWorker();
    const seen = new Set<string>();
    await waitUntil(async () => {
      const s = await modelFetchStatusByJob(first.jobId);
      if (s?.state === "fetching" && s.done > 0 && s.done < s.total) seen.add("partway");
      return s?.state === "ready" || s?.state === "failed";
    }, "the fetch to end");
    const done = (await modelFetchStatusByJob(first.jobId))!;
    expect(done.error).toBeNull();
    expect(done.state).toBe("ready");
    expect(seen.has("partway")).toBe(true);
    expect(done.done).toBe(done.total);
    expect(done.commit).toBe(hub.commitOf("fieldmark/tiny-clip"));
    const model = (await db().query("SELECT id, config->>'revision' AS revision FROM models WHERE name = 'page-tiny'"))
      .rows[0];
    expect(done.modelId).toBe(model.id);
    expect(model.revision).toBe(done.commit);
    await expect(
      enqueueModelFetch({ repo: "fieldmark/tiny-clip", name: "page-tiny", variant: "fp32" }),
    ).rejects.toBeInstanceOf(ModelFetchInputError);
    hub.setThrottle(0);
  }, 120_000);

  it("records the hub's refusal as the fetch's error", async () => {
    const { jobId } = await enqueueModelFetch({ repo: "fieldmark/gated-clip", name: "gated", variant: "fp32" });
    await waitUntil(async () => (await modelFetchStatusByJob(jobId))?.state === "failed", "the fetch to fail");
    expect((await modelFetchStatusByJob(jobId))?.error).toMatch(/gated.*HF_TOKEN/);
    await expect(enqueueModelFetch({ repo: "not a repo", name: "x", variant: "fp32" })).rejects.toMatchObject({
      field: "repo",
    });
  }, 60_000);
});

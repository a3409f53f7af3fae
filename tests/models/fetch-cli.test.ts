import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { fetchedModelDir } from "@/lib/models/hub/fetch-model";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { repoFilesFromFolder, startStandInHub, type StandInHub } from "../helpers/stand-in-hub";
import { kill9, spawnCli, waitUntil, type Child } from "../faults/helpers";
import { tempDir, tinyClipFolder } from "./model-folders";

// `fieldmark models fetch` as a user runs it, with HF_ENDPOINT pointing at the stand-in hub: killed
// with SIGKILL in the middle of a file, run again, it resumes from the .part and registers the model.

const REPO = "fieldmark/tiny-clip";

describe("fieldmark models fetch (the CLI, killed and run again)", () => {
  let t: TestDatabase;
  let hub: StandInHub;
  let files: Record<string, Buffer>;
  let child: Child | undefined;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    files = repoFilesFromFolder(tinyClipFolder(path.join(tempDir(), "tiny-clip")));
    hub = await startStandInHub({ [REPO]: { files } });
  }, 120_000);
  afterAll(async () => {
    if (child) await kill9(child);
    await hub?.close();
    await t?.close();
  });

  it("resumes after kill -9 and ends with the hub's bytes", async () => {
    const env = {
      ...process.env,
      DATABASE_URL: t.url,
      FIELDMARK_DB_KIND: t.kind,
      FIELDMARK_DATA_DIR: t.dataDir,
      HF_ENDPOINT: hub.url,
    };
    const dir = fetchedModelDir("cli-tiny", t.dataDir);
    const part = path.join(dir, "onnx", "vision_model.onnx.part");
    const size = files["onnx/vision_model.onnx"].length;
    hub.setThrottle(1024 * 1024);
    child = spawnCli(["models", "fetch", REPO, "--name", "cli-tiny"], env);
    await waitUntil(
      () => (fs.statSync(part, { throwIfNoEntry: false })?.size ?? 0) > size / 4,
      "a quarter of the vision tower",
    );
    await kill9(child);
    child = undefined;
    const kept = fs.statSync(part).size;
    expect(kept).toBeLessThan(size);
    hub.setThrottle(0);

    const before = hub.requests.length;
    const again = spawnCli(["models", "fetch", REPO, "--name", "cli-tiny", "--json"], env);
    expect(await again.exited, again.output()).toBe(0);
    const out = again.output();
    expect(out).toMatch(/2\/5 onnx\/text_model\.onnx \[#+\]/); // a bar per file, with the overall share
    expect(out).toContain("overall 100%");
    const resumed = hub.requests
      .slice(before)
      .filter((r) => r.path.endsWith("/onnx/vision_model.onnx") && r.range !== "bytes=0-0");
    expect(resumed[0]?.range).toBe(`bytes=${kept}-${size - 1}`);
    expect(fs.readFileSync(path.join(dir, "onnx", "vision_model.onnx")).equals(files["onnx/vision_model.onnx"])).toBe(
      true,
    );
    const row = (await db().query("SELECT config->>'revision' AS revision FROM models WHERE name = 'cli-tiny'"))
      .rows[0];
    expect(row.revision).toBe(hub.commitOf(REPO));
  }, 180_000);
});

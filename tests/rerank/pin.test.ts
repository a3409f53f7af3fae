import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256File } from "@/lib/models/onnx-file";
import { modelChecksum, modelRevision, RerankInputError } from "@/lib/rerank/pin";
import { copyFolder, tempDir, tinyClipFolder } from "../models/model-folders";

// What a rerank set records of its model: a checksum over the files its embeddings depend on (the same
// files give the same checksum wherever the folder is; any change to one of them gives another), and
// the hub revision when the config records one.

describe("a pinned model's checksum and revision", () => {
  const dir = tempDir("fieldmark-rerank-pin-");
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const folder = tinyClipFolder(path.join(dir, "a"));

  it("is the sha256 of a SHA256SUMS listing of the towers, tokenizer and preprocessing", async () => {
    const names = fs
      .readdirSync(folder, { recursive: true, encoding: "utf8" })
      .filter((n) => /\.onnx$|^bpe_simple|^tokenizer\.json$|^preprocessor_config\.json$/.test(path.basename(n)))
      .sort();
    expect(names.length).toBeGreaterThanOrEqual(4);
    const listing = names.map((n) => `${sha256File(path.join(folder, n))}  ${n}\n`).join("");
    const { createHash } = await import("node:crypto");
    expect(await modelChecksum(folder)).toBe(`sha256:${createHash("sha256").update(listing).digest("hex")}`);
  });

  it("is the same for a copy elsewhere and changes with any file", async () => {
    const copy = copyFolder(folder, path.join(dir, "b"));
    expect(await modelChecksum(copy)).toBe(await modelChecksum(folder));
    const config = path.join(copy, "preprocessor_config.json");
    fs.writeFileSync(config, fs.readFileSync(config, "utf8") + "\n");
    expect(await modelChecksum(copy)).not.toBe(await modelChecksum(folder));
  });

  it("says plainly when the folder is not there", async () => {
    await expect(modelChecksum(path.join(dir, "gone"))).rejects.toThrow(RerankInputError);
  });

  it("takes the revision the config records, else none", () => {
    expect(modelRevision({ revision: "3d74acf9" })).toBe("3d74acf9");
    expect(modelRevision({ hub: { revision: "main" } })).toBe("main");
    expect(modelRevision({ kind: "clip" })).toBeNull();
    expect(modelRevision(null)).toBeNull();
  });
});

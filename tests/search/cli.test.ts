import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerEmbeddingsCommand } from "@/cli/commands/embeddings";
import { registerSearchCommand } from "@/cli/commands/search";
import { encodeNpy } from "@/lib/vectors/npy";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { dbKinds } from "../helpers/services";
import { clusteredVectors, createCollection, createModel, createTaxaAndImages, dot } from "./fixture";

const N = 400;
const DIM = 24;

async function run(args: string[]): Promise<string> {
  const program = new Command("fieldmark").exitOverride();
  registerSearchCommand(program);
  registerEmbeddingsCommand(program);
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    await program.parseAsync(["node", "fieldmark", ...args]);
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return out;
}

describe.each(dbKinds)("search and embeddings commands on %s", (kind) => {
  let t: TestDatabase;
  let vectors: Float32Array[];
  let genusOf: number[];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-cli-"));

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    const c = await createCollection("cli-moths");
    ({ genusOf } = await createTaxaAndImages(c, N, 8));
    vectors = clusteredVectors(genusOf, DIM, 11);
    await createModel("mobilenet-test", DIM);
    fs.mkdirSync(path.join(dir, "img_emb"));
    const flat = new Float32Array(N * DIM);
    vectors.forEach((v, i) => flat.set(v, i * DIM));
    fs.writeFileSync(path.join(dir, "img_emb", "img_emb_0.npy"), encodeNpy(flat, N, DIM, "f2"));
    fs.writeFileSync(path.join(dir, "ids.txt"), vectors.map((_, i) => `img-${i}`).join("\n"));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("imports embeddings, then finds similar images as JSON, best first, with filters", async () => {
    const imported = JSON.parse(
      await run(["embeddings", "import", dir, "--collection", "cli-moths", "--model", "mobilenet-test", "--json"]),
    );
    expect(imported).toMatchObject({ shards: 1, vectors: N });

    const rows: { image_id: string; score: number }[] = JSON.parse(
      await run([
        "search",
        "--collection",
        "cli-moths",
        "--model",
        "mobilenet-test",
        "--image",
        "img-10",
        "--k",
        "7",
        "--json",
      ]),
    );
    expect(rows).toHaveLength(7);
    expect(rows.map((r) => r.image_id)).not.toContain("img-10");
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1].score).toBeGreaterThanOrEqual(rows[i].score);
    const idx = (r: { image_id: string }) => Number(r.image_id.slice(4));
    expect(rows[0].score).toBeCloseTo(dot(vectors[10], vectors[idx(rows[0])]), 2);

    const filtered: { image_id: string }[] = JSON.parse(
      await run([
        "search",
        "--collection",
        "cli-moths",
        "--model",
        "mobilenet-test",
        "--image",
        "img-10",
        "--k",
        "20",
        "--taxon",
        "genus:Genus3",
        "--iconic-group",
        "Aves",
        "--json",
      ]),
    );
    expect(filtered).toHaveLength(20);
    expect(filtered.every((r) => genusOf[idx(r)] === 3)).toBe(true);

    // days, both ends whole (UTC); an ISO time stands for its day
    const oneDay: { image_id: string }[] = JSON.parse(
      await run([
        "search",
        "--collection",
        "cli-moths",
        "--metadata",
        "Genus1 Genus2 Genus3",
        "--from",
        "2020-01-02",
        "--to",
        "2020-01-02T05:00:00Z",
        "--bbox",
        "-180,-90,180,90",
        "--json",
      ]),
    );
    expect(oneDay.map(idx).sort((a, b) => a - b)).toEqual(
      genusOf.map((g, i) => i).filter((i) => i % 366 === 1 && [1, 2, 3].includes(genusOf[i])),
    );

    const meta: { image_id: string }[] = JSON.parse(
      await run(["search", "--collection", "cli-moths", "--metadata", "Genus5", "--k", "5", "--json"]),
    );
    expect(meta).toHaveLength(5);
    expect(meta.every((r) => genusOf[idx(r)] === 5)).toBe(true);
  });

  it("says what is wrong with bad arguments", async () => {
    await expect(run(["search", "--collection", "cli-moths", "--model", "mobilenet-test", "--json"])).rejects.toThrow(
      /exactly one of --text, --image or --metadata/,
    );
    await expect(
      run(["search", "--collection", "nope", "--model", "mobilenet-test", "--image", "img-1"]),
    ).rejects.toThrow(/no collection named "nope"/);
    await expect(run(["search", "--collection", "cli-moths", "--model", "nope", "--image", "img-1"])).rejects.toThrow(
      /no model named "nope"/,
    );
    await expect(
      run(["search", "--collection", "cli-moths", "--model", "mobilenet-test", "--image", "img-99999"]),
    ).rejects.toThrow(/no image "img-99999"/);
    const metadata = ["search", "--collection", "cli-moths", "--metadata", "Genus1"];
    await expect(run([...metadata, "--from", "May 2020"])).rejects.toThrow(/not a date: May 2020/);
    await expect(run([...metadata, "--bbox", "0,50,10,40"])).rejects.toThrow(/minLat is greater than maxLat/);
    await expect(run([...metadata, "--from", "2020-02-02", "--to", "2020-02-01"])).rejects.toThrow(
      /from: from is after to/,
    );
  });
});

import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeEncoder, embedTokenIds, loadEncoder } from "@/lib/models/encoder";
import { readModelFolder } from "@/lib/models/folder";
import { servicesRequired } from "../helpers/services";
import { tempDir } from "./model-folders";
import { clipMergesFile } from "./shared-fixtures";

// scripts/export-openclip.py's export and parity check, run with Debian's PyTorch on CLIP-shaped towers
// built in plain torch (scripts/models/torch_reference.py's blocks, random weights): the folder it writes
// is one the tool reads, its text embeddings through the tool's own runtime equal PyTorch's, and a
// tower that differs from the exported one fails the check. In CI (FIELDMARK_REQUIRE_SERVICES=1) a
// missing PyTorch fails the test; elsewhere it is skipped, saying why.

const ROOT = path.resolve(import.meta.dirname, "../..");
const PYTHON = "/usr/bin/python3";

function torchVersion(): string | null {
  const r = spawnSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

const torch = torchVersion();
if (!torch && servicesRequired)
  throw new Error(`FIELDMARK_REQUIRE_SERVICES=1 but PyTorch is missing at ${PYTHON} (apt-get install python3-torch)`);
if (!torch) console.warn(`skipping export-openclip tests: no PyTorch at ${PYTHON} (apt-get install python3-torch)`);

const DRIVER = String.raw`
import importlib.util, json, os, sys
import torch
sys.path.insert(0, os.path.join(ROOT, "scripts", "models"))
from torch_reference import TextTower, VisionTower
spec = importlib.util.spec_from_file_location("export_openclip", os.path.join(ROOT, "scripts", "export-openclip.py"))
ex = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ex)

W, E, LAYERS, HEADS, PATCH, SIZE, VOCAB, CTX = 64, 48, 2, 2, 32, 224, 49408, 77

def weights(seed):
    g = torch.Generator().manual_seed(seed)
    r = lambda *shape, s=1.0: torch.randn(*shape, generator=g) * s
    w = {}
    def block(prefix):
        for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
            w[f"{prefix}.attn.{n}.weight"], w[f"{prefix}.attn.{n}.bias"] = r(W, W, s=W ** -0.5), r(W, s=0.02)
        w[f"{prefix}.mlp.c_fc.weight"], w[f"{prefix}.mlp.c_fc.bias"] = r(W, 4 * W, s=W ** -0.5), r(4 * W, s=0.02)
        w[f"{prefix}.mlp.c_proj.weight"], w[f"{prefix}.mlp.c_proj.bias"] = r(4 * W, W, s=(4 * W) ** -0.5), r(W, s=0.02)
        for ln in ("ln_1", "ln_2"):
            w[f"{prefix}.{ln}.weight"], w[f"{prefix}.{ln}.bias"] = 1 + r(W, s=0.05), r(W, s=0.05)
    for l in range(LAYERS):
        block(f"transformer.resblocks.{l}")
    for ln in ("ln_pre", "ln_post", "ln_final"):
        w[f"{ln}.weight"], w[f"{ln}.bias"] = 1 + r(W, s=0.05), r(W, s=0.05)
    return w, r

def towers(seed):
    w, r = weights(seed)
    grid = SIZE // PATCH
    vw = dict(w, **{"conv1.weight": r(W, 3, PATCH, PATCH, s=(3 * PATCH * PATCH) ** -0.5), "class_embedding": r(1, 1, W, s=W ** -0.5),
                    "positional_embedding": r(grid * grid + 1, W, s=W ** -0.5), "proj": r(W, E, s=W ** -0.5)})
    tw = dict(w, **{"token_embedding.weight": r(VOCAB, W, s=0.02), "positional_embedding": r(CTX, W, s=0.01),
                    "text_projection": r(W, E, s=W ** -0.5)})
    return VisionTower(vw, HEADS).eval(), TextTower(tw, HEADS).eval()

out = sys.argv[1]
tokenizer = sys.argv[2]
image, text = towers(1)
ex.export_towers(image, text, out, image_size=SIZE, text_takes_mask=True, tokenizer_file=tokenizer,
                 preprocess=ex.preprocessor_config(SIZE, [0.48145466, 0.4578275, 0.40821073], [0.26862954, 0.26130258, 0.27577711]))
pixels = ex.sample_pixels(3, SIZE)
ids, mask = ex.fixed_tokens(3)
good = ex.parity_check(image, text, out, pixels, ids, mask, text_takes_mask=True)
code = ex.report(good, 0.9999)
other_image, _ = towers(2)
bad = ex.parity_check(other_image, text, out, pixels, ids, mask, text_takes_mask=True)
with torch.no_grad():
    torch_text = text(ids, mask).tolist()
print("RESULT " + json.dumps({"good": good, "bad": bad, "code": code, "ids": ids.tolist(), "mask": mask.tolist(), "text": torch_text}))
`;

describe.skipIf(!torch)("scripts/export-openclip.py on CLIP-shaped torch towers", () => {
  let root: string;
  let result: {
    good: { ok: boolean; min: number; dim: number; image: number[]; text: number[] };
    bad: { ok: boolean; min: number };
    code: number;
    ids: number[][];
    mask: number[][];
    text: number[][];
  };
  let output = "";
  beforeAll(() => {
    root = tempDir("fieldmark-export-");
    const tokenizer = fs.existsSync(clipMergesFile) ? clipMergesFile : path.join(root, "bpe_simple_vocab_16e6.txt.gz");
    if (!fs.existsSync(tokenizer)) fs.writeFileSync(tokenizer, zlib.gzipSync("#version: 0.2\n"));
    fs.writeFileSync(path.join(root, "driver.py"), `ROOT = ${JSON.stringify(ROOT)}\n${DRIVER}`);
    output = execFileSync(PYTHON, [path.join(root, "driver.py"), path.join(root, "export"), tokenizer], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
    result = JSON.parse(
      output
        .split("\n")
        .find((l) => l.startsWith("RESULT "))!
        .slice(7),
    );
  }, 300_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("exports both towers with parity at least 0.9999 on every image and text, and says so", () => {
    expect(result.code).toBe(0);
    expect(result.good.ok).toBe(true);
    expect(result.good.image).toHaveLength(3);
    expect(result.good.text).toHaveLength(3);
    expect(result.good.min).toBeGreaterThanOrEqual(0.9999);
    expect(result.good.dim).toBe(48);
    expect(output).toContain("parity (cosine, ONNX vs PyTorch)");
  });

  it("fails the check when the exported tower is not the one compared", () => {
    expect(result.bad.ok).toBe(false);
    expect(result.bad.min).toBeLessThan(0.99);
  });

  it("writes a folder the tool reads, whose text embeddings through the tool's runtime equal PyTorch's", async () => {
    const dir = path.join(root, "export");
    const folder = readModelFolder(dir);
    expect(folder.kind).toBe("clip");
    const encoder = await loadEncoder(dir, { cacheDir: path.join(root, "cache") });
    try {
      const vectors = await embedTokenIds(
        encoder,
        result.ids.map((inputIds, i) => ({ inputIds, attentionMask: result.mask[i] })),
      );
      vectors.forEach((v, i) => {
        const t = result.text[i];
        const norm = Math.hypot(...t);
        const cos = t.reduce((s, x, j) => s + (x / norm) * v[j], 0); // the tool's vectors are unit length
        expect(cos).toBeGreaterThanOrEqual(0.9999);
      });
    } finally {
      await closeEncoder(encoder);
    }
  });

  it("tells a user without open_clip what to install", () => {
    const r = spawnSync(PYTHON, ["scripts/export-openclip.py", "--model", "ViT-B-32", "--out", path.join(root, "x")], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const hasOpenClip = spawnSync(PYTHON, ["-c", "import open_clip"]).status === 0;
    if (hasOpenClip) return; // a machine with open_clip would download weights: not here
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("open_clip is not installed: pip install open_clip_torch");
  });
});

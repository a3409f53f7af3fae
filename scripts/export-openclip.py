#!/usr/bin/env python3
"""Export an OpenCLIP model to the ONNX folder layout Fieldmark reads, and check it against PyTorch.

    python3 scripts/export-openclip.py --model ViT-B-32 --pretrained laion2b_s34b_b79k --out models/vit-b32
    python3 scripts/export-openclip.py --model hf-hub:imageomics/bioclip --out models/bioclip
    python3 scripts/export-openclip.py --model ViT-H-14-quickgelu --pretrained dfn5b --out models/dfn-vit-h14
    fieldmark models add models/bioclip --name bioclip

Needs PyTorch and open_clip (pip install open_clip_torch). The folder it writes is the Hugging Face ONNX
export layout (lib/models/folder.ts): onnx/vision_model.onnx (pixel_values -> image_embeds),
onnx/text_model.onnx (input_ids [, attention_mask] -> text_embeds), bpe_simple_vocab_16e6.txt.gz,
preprocessor_config.json and config.json. A tower past 2 GB (ViT-H/14's) keeps its weights in a data
file beside the .onnx, which onnxruntime reads from the same folder.

The parity check then runs both ONNX towers on a few images and texts (onnxruntime from Python when it
is installed, else the project's onnxruntime-node through `node`) and compares each embedding with
PyTorch's: the export is refused (exit 1) unless every cosine is at least --min-cosine (0.9999).

export_towers() and parity_check() take any pair of torch modules (image tower: pixels [N,3,H,W] ->
[N,D]; text tower: token ids [N,L] (and a mask) -> [N,D]); main() builds that pair from open_clip. The
test (tests/models/export-openclip.test.ts) runs them on the project's own CLIP-shaped towers.
"""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OPSET = 17
START, END = 49406, 49407


class ImageTower(nn.Module):
    """OpenCLIP's encode_image as a module (features before normalising: the tool normalises)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, pixel_values):
        return self.model.encode_image(pixel_values)


class TextTower(nn.Module):
    """OpenCLIP's encode_text: pooled at the end token, so padding needs no mask."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids):
        return self.model.encode_text(input_ids)


def preprocessor_config(image_size, mean, std, interpolation="bicubic", resize_mode="shortest"):
    """A Hugging Face CLIPImageProcessor config for OpenCLIP's preprocessing."""
    squash = resize_mode == "squash"
    return {
        "image_processor_type": "CLIPImageProcessor",
        "do_resize": True,
        "size": {"height": image_size, "width": image_size} if squash else {"shortest_edge": image_size},
        "do_center_crop": not squash,
        "crop_size": {"height": image_size, "width": image_size},
        "do_convert_rgb": True,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": [float(x) for x in mean],
        "image_std": [float(x) for x in std],
        "resample": 3 if interpolation == "bicubic" else 2,
    }


def export_towers(image_tower, text_tower, out_dir, *, image_size, context_length=77, text_takes_mask=False,
                  tokenizer_file=None, preprocess=None, config=None, opset=OPSET):
    """Writes the folder: both towers as ONNX (batch dimension dynamic), tokenizer, preprocessing, config."""
    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
    image_tower.eval()
    text_tower.eval()
    pixels = torch.zeros(2, 3, image_size, image_size)
    ids, mask = fixed_tokens(2, context_length)
    with torch.no_grad():
        torch.onnx.export(
            image_tower, (pixels,), os.path.join(out_dir, "onnx", "vision_model.onnx"),
            input_names=["pixel_values"], output_names=["image_embeds"],
            dynamic_axes={"pixel_values": {0: "batch_size"}, "image_embeds": {0: "batch_size"}},
            opset_version=opset, do_constant_folding=True)
        text_inputs = (ids, mask) if text_takes_mask else (ids,)
        names = ["input_ids", "attention_mask"] if text_takes_mask else ["input_ids"]
        torch.onnx.export(
            text_tower, text_inputs, os.path.join(out_dir, "onnx", "text_model.onnx"),
            input_names=names, output_names=["text_embeds"],
            dynamic_axes={**{n: {0: "batch_size"} for n in names}, "text_embeds": {0: "batch_size"}},
            opset_version=opset, do_constant_folding=True)
    if tokenizer_file:
        target = os.path.join(out_dir, "bpe_simple_vocab_16e6.txt.gz")
        if tokenizer_file.endswith(".gz"):
            shutil.copyfile(tokenizer_file, target)
        else:
            with open(tokenizer_file, "rb") as src, gzip.open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    if preprocess is not None:
        write_json(os.path.join(out_dir, "preprocessor_config.json"), preprocess)
    write_json(os.path.join(out_dir, "config.json"), {"exported_by": "scripts/export-openclip.py",
                                                      "context_length": context_length, **(config or {})})


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2)
        f.write("\n")


def fixed_tokens(n, context_length=77):
    """Row i: start, 5 + 3i tokens, end, zero padding; and its mask."""
    ids = torch.zeros(n, context_length, dtype=torch.int64)
    mask = torch.zeros(n, context_length, dtype=torch.int64)
    for i in range(n):
        length = min(5 + 3 * i, context_length - 2)
        ids[i, 0] = START
        ids[i, 1:length + 1] = (torch.arange(length) * 101 + 7 * i) % 49000 + 300
        ids[i, length + 1] = END
        mask[i, :length + 2] = 1
    return ids, mask


def sample_pixels(n, image_size, seed=0):
    """Images as the tool feeds them after preprocessing: smooth colour fields plus noise, about unit scale."""
    g = torch.Generator().manual_seed(seed)
    ys = torch.linspace(-1, 1, image_size).view(1, 1, image_size, 1)
    xs = torch.linspace(-1, 1, image_size).view(1, 1, 1, image_size)
    phase = torch.rand(n, 3, 1, 1, generator=g) * 6.28
    return (torch.sin(3 * xs + phase) * torch.cos(2 * ys - phase) + 0.3 * torch.randn(n, 3, image_size, image_size, generator=g)).float()


def run_onnx(model_path, feeds):
    """Runs one ONNX file: onnxruntime in Python when it is there, else onnxruntime-node from the project."""
    try:
        import onnxruntime as ort
        session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
        wanted = {i.name for i in session.get_inputs()}
        return session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0]
    except ImportError:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        spec = {"model": os.path.abspath(model_path), "out": os.path.join(tmp, "out.bin"), "inputs": []}
        for name, value in feeds.items():
            file = os.path.join(tmp, f"{name}.bin")
            value.tofile(file)
            spec["inputs"].append({"name": name, "type": "int64" if value.dtype == np.int64 else "float32",
                                   "dims": list(value.shape), "file": file})
        script = r"""
const fs = require("node:fs");
const ort = require("onnxruntime-node");
const spec = JSON.parse(process.argv[1]);
(async () => {
  const session = await ort.InferenceSession.create(spec.model);
  const feeds = {};
  for (const i of spec.inputs) {
    if (!session.inputNames.includes(i.name)) continue;
    const buf = fs.readFileSync(i.file);
    const data = i.type === "int64" ? new BigInt64Array(buf.buffer, buf.byteOffset, buf.length / 8)
                                    : new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    feeds[i.name] = new ort.Tensor(i.type, data, i.dims);
  }
  const out = (await session.run(feeds))[session.outputNames[0]];
  fs.writeFileSync(spec.out, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  console.log(JSON.stringify(out.dims));
})().catch((e) => { console.error(e.message); process.exit(1); });
"""
        r = subprocess.run(["node", "-e", script, json.dumps(spec)], cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"onnxruntime-node could not run {model_path}: {r.stderr.strip()} "
                               "(install onnxruntime for Python, or run this from the Fieldmark checkout after npm ci)")
        dims = json.loads(r.stdout.strip().splitlines()[-1])
        return np.fromfile(spec["out"], dtype=np.float32).reshape(dims)


def cosines(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


def parity_check(image_tower, text_tower, out_dir, pixels, ids, mask=None, text_takes_mask=False, min_cosine=0.9999):
    """Cosine of each ONNX embedding with PyTorch's. Returns {"image": [...], "text": [...], "ok": bool}."""
    with torch.no_grad():
        torch_image = image_tower(pixels).float().numpy()
        torch_text = (text_tower(ids, mask) if text_takes_mask else text_tower(ids)).float().numpy()
    onnx_image = run_onnx(os.path.join(out_dir, "onnx", "vision_model.onnx"), {"pixel_values": pixels.numpy()})
    feeds = {"input_ids": ids.numpy()}
    if mask is not None:
        feeds["attention_mask"] = mask.numpy()
    onnx_text = run_onnx(os.path.join(out_dir, "onnx", "text_model.onnx"), feeds)
    image = cosines(torch_image, onnx_image).tolist()
    text = cosines(torch_text, onnx_text).tolist()
    return {"image": image, "text": text, "min": min(image + text), "ok": min(image + text) >= min_cosine,
            "dim": int(torch_image.shape[1])}


def report(result, min_cosine):
    print(f"parity (cosine, ONNX vs PyTorch): images {', '.join(f'{c:.6f}' for c in result['image'])}; "
          f"texts {', '.join(f'{c:.6f}' for c in result['text'])}; min {result['min']:.6f} (needs >= {min_cosine})")
    print(json.dumps({"parity": result}))
    if not result["ok"]:
        print(f"error: the export does not match PyTorch (min cosine {result['min']:.6f} < {min_cosine}); "
              "do not use this folder", file=sys.stderr)
        return 1
    return 0


def load_open_clip(name, pretrained):
    try:
        import open_clip
    except ImportError:
        sys.exit("error: open_clip is not installed: pip install open_clip_torch (and torch)")
    model, _, preprocess = open_clip.create_model_and_transforms(name, pretrained=pretrained)
    model.eval()
    tokenizer = open_clip.get_tokenizer(name)
    cfg = getattr(model.visual, "preprocess_cfg", None) or {}
    size = cfg.get("size", getattr(model.visual, "image_size", 224))
    size = size[0] if isinstance(size, (tuple, list)) else size
    mean = cfg.get("mean", open_clip.OPENAI_DATASET_MEAN)
    std = cfg.get("std", open_clip.OPENAI_DATASET_STD)
    bpe = os.path.join(os.path.dirname(open_clip.__file__), "bpe_simple_vocab_16e6.txt.gz")
    return (model, preprocess, tokenizer, int(size), mean, std, cfg.get("interpolation", "bicubic"),
            cfg.get("resize_mode", "shortest"), bpe)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="an open_clip model name, or hf-hub:owner/name")
    p.add_argument("--pretrained", default=None, help="open_clip's pretrained tag (not for hf-hub: models)")
    p.add_argument("--out", required=True, help="the folder to write")
    p.add_argument("--texts", nargs="*", default=["a photo of a monarch butterfly", "a heron standing in a marsh",
                                                  "an empty parking lot at night"])
    p.add_argument("--images", nargs="*", default=[], help="image files for the parity check (default: synthetic)")
    p.add_argument("--min-cosine", type=float, default=0.9999)
    p.add_argument("--opset", type=int, default=OPSET)
    args = p.parse_args()

    model, preprocess, tokenizer, size, mean, std, interpolation, resize_mode, bpe = load_open_clip(
        args.model, args.pretrained)
    if not os.path.exists(bpe):
        sys.exit("error: this model's tokenizer is not OpenAI CLIP's BPE; only BPE-tokenized OpenCLIP models are supported")
    image, text = ImageTower(model), TextTower(model)
    context = int(getattr(model, "context_length", 77) or 77)
    export_towers(image, text, args.out, image_size=size, context_length=context, tokenizer_file=bpe,
                  preprocess=preprocessor_config(size, mean, std, interpolation, resize_mode),
                  config={"open_clip_model": args.model, "open_clip_pretrained": args.pretrained}, opset=args.opset)
    if args.images:
        from PIL import Image
        pixels = torch.stack([preprocess(Image.open(f).convert("RGB")) for f in args.images])
    else:
        pixels = sample_pixels(3, size)
    ids = tokenizer(args.texts)
    result = parity_check(image, text, args.out, pixels, ids, min_cosine=args.min_cosine)
    code = report(result, args.min_cosine)
    if code == 0:
        print(f"wrote {args.out} ({result['dim']}-d); register it with: fieldmark models add {args.out} --name <name>")
    return code


if __name__ == "__main__":
    sys.exit(main())

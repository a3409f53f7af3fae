#!/usr/bin/python3
"""PyTorch 1.13 side of bench/embed: the same architectures, timed at a given batch size and threading.

Run with Debian's interpreter (/usr/bin/python3, which sees python3-torch, python3-onnx and
python3-torchvision). The CLIP towers are the project's own graphs (scripts/models/clip-towers.ts)
written as PyTorch modules in the Hugging Face CLIP style (separate q/k/v projections, QuickGELU),
with the weights read from the ONNX file, so the two runtimes compute the same function; their
embeddings for a fixed input are written to --embeddings-out for a parity check. MobileNetV2 is
torchvision's (conv+BN+ReLU fused for inference) with random weights.

Prints one JSON line: {"runs": [items/s per timed batch], "threads": n, ...}.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

CONTEXT = 77


def onnx_weights(path):
    import onnx
    from onnx import numpy_helper
    model = onnx.load(path)
    return {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in model.graph.initializer}


class Linear(nn.Linear):
    """nn.Linear loaded from an ONNX MatMul weight stored [in, out]."""

    def __init__(self, w, prefix, bias=True):
        weight = w[f"{prefix}.weight"]
        super().__init__(weight.shape[0], weight.shape[1], bias=bias)
        self.weight.data = weight.t().contiguous()
        if bias:
            self.bias.data = w[f"{prefix}.bias"]


def layer_norm(w, prefix):
    ln = nn.LayerNorm(w[f"{prefix}.weight"].shape[0], eps=1e-5)
    ln.weight.data, ln.bias.data = w[f"{prefix}.weight"], w[f"{prefix}.bias"]
    return ln


class Block(nn.Module):
    def __init__(self, w, prefix, heads):
        super().__init__()
        self.heads = heads
        self.ln_1, self.ln_2 = layer_norm(w, f"{prefix}.ln_1"), layer_norm(w, f"{prefix}.ln_2")
        self.q, self.k, self.v, self.out = (Linear(w, f"{prefix}.attn.{n}") for n in ("q_proj", "k_proj", "v_proj", "out_proj"))
        self.fc, self.proj = Linear(w, f"{prefix}.mlp.c_fc"), Linear(w, f"{prefix}.mlp.c_proj")

    def forward(self, x, bias):
        n, s, width = x.shape
        d = width // self.heads
        h = self.ln_1(x)
        q, k, v = (p(h).view(n, s, self.heads, d).transpose(1, 2) for p in (self.q, self.k, self.v))
        att = (q @ k.transpose(-1, -2)) * d ** -0.5
        if bias is not None:
            att = att + bias
        o = (att.softmax(-1) @ v).transpose(1, 2).reshape(n, s, width)
        x = x + self.out(o)
        h = self.fc(self.ln_2(x))
        return x + self.proj(h * torch.sigmoid(1.702 * h))


def block_count(w):
    return len({k.split(".")[2] for k in w if k.startswith("transformer.resblocks.")})


class VisionTower(nn.Module):
    def __init__(self, w, heads):
        super().__init__()
        conv = w["conv1.weight"]
        self.patch = conv.shape[-1]
        self.conv1 = nn.Conv2d(3, conv.shape[0], self.patch, self.patch, bias=False)
        self.conv1.weight.data = conv
        self.cls, self.pos, self.proj = w["class_embedding"], w["positional_embedding"], w["proj"]
        self.ln_pre, self.ln_post = layer_norm(w, "ln_pre"), layer_norm(w, "ln_post")
        self.blocks = nn.ModuleList(Block(w, f"transformer.resblocks.{i}", heads) for i in range(block_count(w)))

    def forward(self, pixels):
        x = self.conv1(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        x = self.ln_pre(x)
        for b in self.blocks:
            x = b(x, None)
        return self.ln_post(x[:, 0, :]) @ self.proj


class TextTower(nn.Module):
    def __init__(self, w, heads):
        super().__init__()
        self.tokens, self.pos, self.proj = w["token_embedding.weight"], w["positional_embedding"], w["text_projection"]
        self.causal = torch.full((CONTEXT, CONTEXT), -1e9).triu(1)
        self.ln_final = layer_norm(w, "ln_final")
        self.blocks = nn.ModuleList(Block(w, f"transformer.resblocks.{i}", heads) for i in range(block_count(w)))

    def forward(self, ids, mask):
        x = self.tokens[ids] + self.pos
        bias = self.causal + ((1 - mask.float()) * -1e9)[:, None, None, :]
        for b in self.blocks:
            x = b(x, bias)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), ids.argmax(-1)] @ self.proj


def fixed_pixels(n, size=224):
    """The same input bench/embed feeds onnxruntime: sin(i * 0.001) * 2 over the flat index."""
    return torch.from_numpy((np.sin(np.arange(n * 3 * size * size, dtype=np.float64) * 0.001) * 2).astype(np.float32)).view(n, 3, size, size)


def fixed_tokens(n):
    """Row i: start, 10 + i text tokens, end, zero padding (as bench/embed builds them)."""
    ids = torch.zeros(n, CONTEXT, dtype=torch.int64)
    mask = torch.zeros(n, CONTEXT, dtype=torch.int64)
    for i in range(n):
        length = min(10 + i, CONTEXT - 2)
        ids[i, 0] = 49406
        ids[i, 1:length + 1] = torch.arange(length) * 37 % 49000 + 300 + i
        ids[i, length + 1] = 49407
        mask[i, :length + 2] = 1
    return ids, mask


def build(args):
    if args.model == "mobilenetv2":
        from torchvision.models.quantization import mobilenet_v2
        m = mobilenet_v2(weights=None, quantize=False).eval()
        m.fuse_model()  # conv + BN + ReLU folded, as an inference export would be
        return m, (fixed_pixels(args.batch),)
    w = onnx_weights(args.onnx)
    if args.model == "vision":
        return VisionTower(w, args.heads).eval(), (fixed_pixels(args.batch),)
    return TextTower(w, args.heads).eval(), fixed_tokens(args.batch)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["vision", "text", "mobilenetv2"], required=True)
    p.add_argument("--onnx", help="the ONNX tower to read weights from (vision/text)")
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 leaves the default")
    p.add_argument("--runs", type=int, default=4)
    p.add_argument("--int8", action="store_true", help="torch.ao.quantization.quantize_dynamic on nn.Linear")
    p.add_argument("--jit", action="store_true", help="torch.jit.trace + optimize_for_inference (frozen, oneDNN convs)")
    p.add_argument("--embeddings-out", help="write the float32 outputs for the fixed input here")
    p.add_argument("--serve", action="store_true", help="stay loaded; time N batches per 'time N' line on stdin")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model, inputs = build(args)
    if args.int8:
        model = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
    if args.jit:
        with torch.no_grad():
            model = torch.jit.optimize_for_inference(torch.jit.trace(model, inputs))
    def timed(runs):
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            model(*inputs)
            times.append(time.perf_counter() - t)
        return [args.batch / t for t in times]

    info = {
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
        "ld_library_path": os.environ.get("LD_LIBRARY_PATH", ""),
    }
    with torch.inference_mode():
        out = model(*inputs)  # warm-up (a traced model optimises on its first runs)
        model(*inputs)
        if args.embeddings_out:
            out.float().numpy().astype(np.float32).tofile(args.embeddings_out)
        if not args.serve:
            print(json.dumps({"runs": timed(args.runs), **info}))
            return 0
        # Serve mode: stays loaded and times on request ("time N" on stdin), so a bench can
        # interleave it with other runtimes; idle, it blocks on stdin and uses no CPU.
        print(json.dumps({"ready": True, **info}), flush=True)
        while True:
            cmd = sys.stdin.readline().split()
            if not cmd or cmd[0] == "quit":
                break
            print(json.dumps({"runs": timed(int(cmd[1]))}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

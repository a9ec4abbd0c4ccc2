#!/usr/bin/python3
"""Exports the real models Kiln is tested and measured on, with PyTorch's
outputs for fixed inputs, so that the tests compare against an independent
reference.

  export_models.py OUT_DIR [--models resnet18,resnet50,...]

For each model NAME it writes OUT_DIR/NAME.onnx and, for each of its cases
(input sizes) CASE, the inputs OUT_DIR/NAME.CASE.in.<input>.npy and
PyTorch's outputs OUT_DIR/NAME.CASE.out.<i>.npy. Weights are random (fixed
seed): nothing is downloaded. A model whose files exist is kept (generated
once per build).

Models: resnet18, resnet50, mobilenet_v2, swin_t (torchvision, batch 1,
224x224; Swin's shifted windows export as Roll-like slices, masked
attention and Dropout(p=0) in training mode),
resnet50_b8 (the same ResNet-50 at batch 8, a benchmark shape) and bert (a BERT-base-like encoder written here: 12 layers, hidden 768, 12
heads, int64 token ids, GELU via Erf, LayerNorm decomposed as HuggingFace's
exports at opset 13 show it; batch and sequence dynamic; cases at sequence
128 and 48). bert_small is the same graph with 2 layers and hidden 256.
"""
import argparse
import math
import os
import sys

import numpy as np
import torch
import torchvision
from torch import nn


class SelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def split_heads(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, mask):
        q = self.split_heads(self.query(x))
        k = self.split_heads(self.key(x))
        v = self.split_heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        probs = torch.softmax(scores + mask, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        b, s = ctx.shape[0], ctx.shape[1]
        return ctx.view(b, s, self.heads * self.head_dim)


class LayerNorm(nn.Module):
    """As HuggingFace models export at opset 13: ReduceMean, Sub, Pow,
    Sqrt, Div, Mul, Add."""

    def __init__(self, hidden, eps=1e-12):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden) + 0.1 * torch.randn(hidden))
        self.bias = nn.Parameter(0.1 * torch.randn(hidden))
        self.eps = eps

    def forward(self, x):
        u = x.mean(-1, keepdim=True)
        s = (x - u).pow(2).mean(-1, keepdim=True)
        return self.weight * ((x - u) / torch.sqrt(s + self.eps)) + self.bias


def gelu(x):
    return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


class Layer(nn.Module):
    def __init__(self, hidden, heads, intermediate):
        super().__init__()
        self.attention = SelfAttention(hidden, heads)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = LayerNorm(hidden)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = LayerNorm(hidden)

    def forward(self, x, mask):
        a = self.attention_norm(self.attention_out(self.attention(x, mask)) + x)
        return self.output_norm(self.output(gelu(self.intermediate(a))) + a)


class Bert(nn.Module):
    def __init__(self, layers=12, hidden=768, heads=12, vocab=30522,
                 max_positions=512):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.position = nn.Embedding(max_positions, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.register_buffer("position_ids",
                             torch.arange(max_positions).expand((1, -1)))
        self.embedding_norm = LayerNorm(hidden)
        self.layers = nn.ModuleList(
            [Layer(hidden, heads, 4 * hidden) for _ in range(layers)])
        self.pooler = nn.Linear(hidden, hidden)

    def forward(self, input_ids, attention_mask, token_type_ids):
        seq = input_ids.shape[1]
        positions = self.position_ids[:, :seq]
        x = self.embedding_norm(self.word(input_ids) + self.position(positions) +
                                self.token_type(token_type_ids))
        mask = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, mask)
        return x, torch.tanh(self.pooler(x[:, 0]))


def bert_inputs(batch, seq, vocab, seed):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab, (batch, seq), generator=g)
    mask = torch.ones(batch, seq, dtype=torch.int64)
    mask[-1, seq - seq // 4:] = 0  # padding at the end of the last sequence
    types = torch.zeros(batch, seq, dtype=torch.int64)
    types[:, seq // 2:] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def calibrate_batch_norm(model, seed=1):
    """Sets each BatchNorm's running statistics from two random batches, as
    training would: with the initial ones (mean 0, variance 1) MobileNetV2's
    activations shrink layer after layer to outputs of ~1e-9, below float16's
    smallest value, which makes any --precision=fp16 comparison meaningless.
    A trained network keeps its activations near unit scale; so does this."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # a plain average over the batches
    g = torch.Generator().manual_seed(seed)
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(8, 3, 224, 224, generator=g))
    model.eval()
    return model


def vision(ctor, batch=1):
    def make():
        model = calibrate_batch_norm(ctor(weights=None))
        x = {"input": torch.randn(batch, 3, 224, 224)}
        return model, {"default": x}, None
    return make


def bert(layers, hidden, heads, vocab):
    def make():
        model = Bert(layers, hidden, heads, vocab)
        cases = {"seq128": bert_inputs(1, 128, vocab, 1),
                 "seq48": bert_inputs(2, 48, vocab, 2)}
        dynamic = {name: {0: "batch", 1: "seq"} for name in cases["seq128"]}
        dynamic["last_hidden_state"] = {0: "batch", 1: "seq"}
        dynamic["pooler_output"] = {0: "batch"}
        return model, cases, dynamic
    return make


MODELS = {
    "resnet18": vision(torchvision.models.resnet18),
    "resnet50": vision(torchvision.models.resnet50),
    "resnet50_b8": vision(torchvision.models.resnet50, batch=8),
    "mobilenet_v2": vision(torchvision.models.mobilenet_v2),
    "swin_t": vision(torchvision.models.swin_t),
    "bert": bert(12, 768, 12, 30522),
    "bert_small": bert(2, 256, 4, 1000),
}

OUTPUT_NAMES = {"bert": ["last_hidden_state", "pooler_output"],
                "bert_small": ["last_hidden_state", "pooler_output"]}


def export(name, out_dir, opset):
    onnx_path = os.path.join(out_dir, f"{name}.onnx")
    stamp = os.path.join(out_dir, f"{name}.done")
    if os.path.exists(stamp) and os.path.exists(onnx_path):
        print(f"{name}: up to date")
        return
    torch.manual_seed(0)
    model, cases, dynamic = MODELS[name]()
    model.eval()
    first = next(iter(cases.values()))
    with torch.no_grad():
        torch.onnx.export(model, tuple(first.values()), onnx_path,
                          opset_version=opset, input_names=list(first),
                          output_names=OUTPUT_NAMES.get(name, ["output"]),
                          dynamic_axes=dynamic, do_constant_folding=True)
        for case, inputs in cases.items():
            outs = model(*inputs.values())
            outs = outs if isinstance(outs, tuple) else (outs,)
            for k, v in inputs.items():
                np.save(os.path.join(out_dir, f"{name}.{case}.in.{k}.npy"), v.numpy())
            for i, o in enumerate(outs):
                np.save(os.path.join(out_dir, f"{name}.{case}.out.{i}.npy"), o.numpy())
    with open(stamp, "w") as f:
        f.write(" ".join(cases) + "\n")
    print(f"{name}: wrote {onnx_path} ({len(cases)} case(s))")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--models", default="resnet18")
    ap.add_argument("--opset", type=int, default=13)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(2)
    for name in args.models.split(","):
        if name not in MODELS:
            print(f"unknown model '{name}' (known: {', '.join(MODELS)})",
                  file=sys.stderr)
            return 2
        export(name, args.out_dir, args.opset)
    return 0


if __name__ == "__main__":
    sys.exit(main())

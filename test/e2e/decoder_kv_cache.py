#!/usr/bin/env python3
"""A GPT-style decoder with a key/value cache, as language models are
exported for generation: token and position embeddings (positions from
the cache's length), a causal mask built from ranges, attention over the
cache concatenated with the new keys and values, LayerNorm, tanh GELU, and
logits from the tied embedding; batch, new tokens and cache length all
known only at run time. Compiled once and run as a generator runs it: a
prompt with an empty cache (length 0), one-token steps over a cache, a
batch, and a long prompt over a long cache, against PyTorch (the logits
and the caches it returns). On the CUDA targets too (its compiler once
took exponential time over the decoder's size arithmetic).

  decoder_kv_cache.py --kiln-run BIN --kiln-compile BIN [--target T]
"""
import math
import os
import sys
import tempfile

import numpy as np
import torch
from torch import nn

from kiln_run import Tally, arg_parser, compile_model, run_model, within

LAYERS, HIDDEN, HEADS, VOCAB = 2, 64, 4, 500


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(HIDDEN), nn.LayerNorm(HIDDEN)
        self.qkv, self.proj = nn.Linear(HIDDEN, 3 * HIDDEN), nn.Linear(HIDDEN, HIDDEN)
        self.fc, self.out = nn.Linear(HIDDEN, 4 * HIDDEN), nn.Linear(4 * HIDDEN, HIDDEN)

    def forward(self, x, past_k, past_v, mask):
        b, t, _ = x.shape
        heads = lambda y: y.view(b, t, HEADS, HIDDEN // HEADS).transpose(1, 2)
        q, k, v = (heads(y) for y in self.qkv(self.ln1(x)).split(HIDDEN, dim=2))
        k, v = torch.cat([past_k, k], dim=2), torch.cat([past_v, v], dim=2)
        a = (q @ k.transpose(-1, -2)) / math.sqrt(HIDDEN // HEADS)
        a = torch.softmax(a.masked_fill(mask, torch.finfo(a.dtype).min), -1)
        x = x + self.proj((a @ v).transpose(1, 2).reshape(b, t, HIDDEN))
        x = x + self.out(nn.functional.gelu(self.fc(self.ln2(x)), approximate="tanh"))
        return x, k, v


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(VOCAB, HIDDEN), nn.Embedding(256, HIDDEN)
        self.blocks = nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln = nn.LayerNorm(HIDDEN)

    def forward(self, ids, past_k, past_v):
        t, p = ids.shape[1], past_k.shape[3]
        x = self.wte(ids) + self.wpe(torch.arange(p, p + t).unsqueeze(0))
        mask = (torch.arange(p + t).unsqueeze(0) > torch.arange(t).unsqueeze(1) + p)
        mask = mask.view(1, 1, t, p + t)
        ks, vs = [], []
        for i, block in enumerate(self.blocks):
            x, k, v = block(x, past_k[i], past_v[i], mask)
            ks.append(k)
            vs.append(v)
        return self.ln(x) @ self.wte.weight.t(), torch.stack(ks), torch.stack(vs)


def inputs(batch, new, cached, seed):
    g = torch.Generator().manual_seed(seed)
    shape = (LAYERS, batch, HEADS, cached, HIDDEN // HEADS)
    return (torch.randint(0, VOCAB, (batch, new), generator=g),
            torch.randn(*shape, generator=g), torch.randn(*shape, generator=g))


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--kiln-compile", required=True)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = Decoder().eval()
    tally = Tally()
    with tempfile.TemporaryDirectory() as work:
        path, so = os.path.join(work, "decoder.onnx"), os.path.join(work, "decoder.so")
        cache = {1: "b", 3: "p"}
        torch.onnx.export(
            model, inputs(1, 5, 3, 0), path, opset_version=17,
            input_names=["ids", "past_k", "past_v"],
            output_names=["logits", "present_k", "present_v"],
            dynamic_axes={"ids": {0: "b", 1: "t"}, "past_k": cache, "past_v": cache,
                          "logits": {0: "b", 1: "t"}, "present_k": {1: "b", 3: "pt"},
                          "present_v": {1: "b", 3: "pt"}})
        # On the GPU targets, the positions' Range (its limit a sum of two
        # sizes, computed in a kernel) runs on the host.
        flags = [f"--target={args.target}"]
        if args.target != "cpu":
            flags.append("--allow-cpu-fallback")
        err = compile_model(args.kiln_compile, path, so, *flags)
        if err:
            tally.add("compile", err)
            return tally.exit_code()
        # (batch, new tokens, cached tokens): a prompt, decoding steps, a
        # batch, one token with nothing cached, a long prompt over a long cache.
        for seed, (batch, new, cached) in enumerate(
                [(1, 7, 0), (1, 1, 7), (1, 1, 31), (2, 3, 5), (1, 1, 0), (3, 16, 40)]):
            ids, past_k, past_v = inputs(batch, new, cached, seed)
            with torch.no_grad():
                want = [t.numpy() for t in model(ids, past_k, past_v)]
            got, err = run_model(args.kiln_run, args.target, work, so,
                                 {"ids": ids.numpy(), "past_k": past_k.numpy(),
                                  "past_v": past_v.numpy()}, n_out=3)
            for name, i in (("logits", 0), ("present_k", 1), ("present_v", 2)):
                e = err or within(got[i], want[i], 1e-4 * max(1.0, float(np.abs(want[i]).max())))
                tally.add(f"b{batch}_new{new}_cached{cached}.{name}", e)
    return tally.exit_code()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Convolutions and matrix products whose sizes are known only at run time
go to oneDNN on the CPU, their sizes carried by the call: a small CNN
exported from PyTorch with a dynamic batch (convolutions with a residual
epilogue, pooling, a fully-connected layer) and an attention block with a
dynamic batch and sequence (Linear layers on [B, S, H], Q K^T and the
softmax's product with V), each compiled once and run at several sizes
against PyTorch. The kernel report must show the convolutions and products
on oneDNN: as plain generated loops they were 5 to 40 times slower.

  dynamic_shapes.py --kiln-run BIN --kiln-compile BIN
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

from kiln_run import Tally, arg_parser, within


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.c2 = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.fc = torch.nn.Linear(16, 10)

    def forward(self, x):
        y = torch.relu(self.c1(x))
        y = torch.relu(self.c2(y) + y)
        return self.fc(y.mean(dim=(2, 3)))


class Attention(torch.nn.Module):
    def __init__(self, h=64):
        super().__init__()
        self.q, self.k, self.v = (torch.nn.Linear(h, h) for _ in range(3))
        self.o = torch.nn.Linear(h, h)

    def forward(self, x):
        q, k, v = self.q(x), self.k(x), self.v(x)
        a = torch.softmax(q @ k.transpose(1, 2) / 8.0, dim=-1)
        return self.o(a @ v) + x


def export(model, example, path, axes):
    torch.onnx.export(model, (example,), path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": axes, "y": axes}, opset_version=17)


def library_kernels(report):
    """How many convolutions or products the report puts on oneDNN, and
    how many it leaves to generated loops."""
    on, off = 0, 0
    with open(report) as f:
        for line in f:
            if not line.startswith("kernel "):
                continue
            head = line.split(":", 1)[0]
            if not any(op in head for op in ("[conv]", "[matmul]", "[gemm]")):
                continue
            if "-> onednn " in line:
                on += 1
            else:
                off += 1
    return on, off


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--kiln-compile", required=True)
    args = ap.parse_args()
    torch.manual_seed(3)
    tally = Tally()
    cases = [
        ("cnn_dynamic_batch", SmallCnn().eval(), {0: "n"},
         [(1, 3, 12, 12), (3, 3, 12, 12), (5, 3, 12, 12)]),
        ("attention_dynamic_batch_sequence", Attention().eval(), {0: "b", 1: "s"},
         [(1, 7, 64), (2, 19, 64), (3, 1, 64)]),
    ]
    with tempfile.TemporaryDirectory() as work:
        for name, model, axes, shapes in cases:
            onnx_path = os.path.join(work, f"{name}.onnx")
            so = os.path.join(work, f"{name}.so")
            report = os.path.join(work, f"{name}.txt")
            export(model, torch.rand(*shapes[0]), onnx_path, axes)
            p = subprocess.run([args.kiln_compile, onnx_path, "-o", so,
                                f"--kernel-report={report}"],
                               capture_output=True, text=True, timeout=600)
            if p.returncode != 0:
                tally.add(name, p.stderr.strip().splitlines()[0])
                continue
            on, off = library_kernels(report)
            tally.add(f"{name}.selection",
                      None if on > 0 and off == 0 else
                      f"{on} on oneDNN, {off} left to generated loops")
            for shape in shapes:
                x = torch.rand(*shape)
                with torch.no_grad():
                    want = model(x).numpy()
                x_path = os.path.join(work, "x.npy")
                np.save(x_path, x.numpy())
                out = os.path.join(work, "out")
                p = subprocess.run([args.kiln_run, so, "--input", f"x={x_path}",
                                    "--output-dir", out],
                                   capture_output=True, text=True, timeout=600)
                err = None
                if p.returncode != 0:
                    err = (p.stderr.strip().splitlines() or ["failed"])[0]
                else:
                    got = np.load(os.path.join(out, "output_0.npy"))
                    err = within(got, want, 1e-4 * max(1.0, float(np.abs(want).max())))
                tally.add(f"{name}.{'x'.join(map(str, shape))}", err)
    return tally.exit_code()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Checks Kiln on torchvision's models as a user would meet them: each is
exported from PyTorch (random weights, nothing downloaded), compiled with
kiln-compile, run by kiln-run and compared with PyTorch's own output; with
--ort, also timed against ONNX Runtime (bench/ort_bench.js, installed by
bench/run.sh into BUILD/bench/npm) in the same run.

  zoo_check.py [--build-dir build] [--work DIR] [--models a,b,...]
               [--opset 17] [--target cpu|cuda|cuda-emulate] [--ort]

Not a test (exports take minutes); the closing notes quote its table.
Detection models are left out: PyTorch's eager output differs from their
exported graph, so only ONNX Runtime can judge them.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = ("resnet18,googlenet,densenet121,shufflenet_v2_x1_0,efficientnet_b0,"
          "mnasnet1_0,regnet_y_400mf,convnext_tiny,vit_b_16,swin_t,maxvit_t,"
          "resnext50_32x4d,inception_v3,mobilenet_v3_small,"
          "deeplabv3_mobilenet_v3_large,lraspp_mobilenet_v3_large,r3d_18")
VIDEO = {"r3d_18", "mc3_18", "r2plus1d_18", "s3d"}


def constructor(name):
    for module in (torchvision.models, torchvision.models.segmentation,
                   torchvision.models.video):
        if hasattr(module, name):
            return getattr(module, name)
    raise SystemExit(f"unknown torchvision model '{name}'")


class FirstOutput(torch.nn.Module):
    """Segmentation models return a dict: their 'out'."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        y = self.model(x)
        return y["out"] if isinstance(y, dict) else y


def export(name, path, opset):
    torch.manual_seed(0)
    ctor = constructor(name)
    segmentation = ctor.__module__.startswith("torchvision.models.segmentation")
    model = ctor(weights=None, **({"weights_backbone": None} if segmentation else {}))
    if name.startswith("vit"):  # torchvision zeroes the head: outputs all 0
        torch.nn.init.normal_(model.heads.head.weight, std=0.02)
    model = FirstOutput(model).eval()
    shape = (1, 3, 8, 112, 112) if name in VIDEO else (1, 3, 224, 224)
    x = torch.randn(*shape)
    with torch.no_grad():
        ref = model(x).numpy()
    # Traced with gradients on: under no_grad, nn.MultiheadAttention takes
    # its fused fast path (vit_b_16), which has no ONNX export.
    torch.onnx.export(model, (x,), path, opset_version=opset,
                      input_names=["input"])
    return x.numpy(), ref


def median_ms(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env,
                         check=True).stdout.strip().splitlines()[-1]
    return float(out.split("median_ms=")[1].split()[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--work", default="/tmp/kiln-zoo")
    ap.add_argument("--models", default=MODELS)
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--target", default="cpu")
    ap.add_argument("--ort", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    bin_dir = os.path.join(args.build_dir, "bin")
    torch.set_num_threads(args.threads)
    rows, failed = [], 0
    for name in args.models.split(","):
        d = os.path.join(args.work, name)
        os.makedirs(d, exist_ok=True)
        onnx_path, so = os.path.join(d, "model.onnx"), os.path.join(d, "model.so")
        x, ref = export(name, onnx_path, args.opset)
        np.save(os.path.join(d, "input.npy"), x)
        start = time.monotonic()
        done = subprocess.run([os.path.join(bin_dir, "kiln-compile"), onnx_path,
                               f"--target={args.target}", "-o", so],
                              capture_output=True, text=True)
        compile_s = time.monotonic() - start
        if done.returncode:
            print(f"{name}: compile failed: {done.stderr.strip()[-400:]}")
            failed += 1
            continue
        run = [os.path.join(bin_dir, "kiln-run"), so, "--input",
               f"input={os.path.join(d, 'input.npy')}", "--threads",
               str(args.threads)]
        done = subprocess.run(run + ["--output-dir", d], capture_output=True,
                              text=True)
        if done.returncode:
            print(f"{name}: run failed: {done.stderr.strip()[-400:]}")
            failed += 1
            continue
        out = np.load(os.path.join(d, "output_0.npy"))
        err = float(np.abs(out - ref).max() / max(np.abs(ref).max(), 1e-30))
        ok = out.shape == ref.shape and err <= 1e-4
        failed += not ok
        row = dict(name=name, err=err, ok=ok, compile_s=compile_s)
        if args.ort and args.target == "cpu":
            env = dict(os.environ, NODE_PATH=os.path.join(
                args.build_dir, "bench", "npm", "node_modules"))
            ort = ["node", os.path.join(HERE, "..", "bench", "ort_bench.js"),
                   onnx_path, "--threads", str(args.threads), "--input",
                   f"input={os.path.join(d, 'input.npy')}"]
            kiln_t, ort_t = [], []
            for _ in range(3):  # alternated, as bench/run.sh does
                kiln_t.append(median_ms(run + ["--bench", "--warmup", "2", "--iters", "7"]))
                ort_t.append(median_ms(ort + ["--bench", "--warmup", "2", "--iters", "7"], env))
            row.update(kiln_ms=statistics.median(kiln_t),
                       ort_ms=statistics.median(ort_t))
        rows.append(row)
        timing = (f"  kiln {row['kiln_ms']:.2f} ms  ort {row['ort_ms']:.2f} ms  "
                  f"ratio {row['kiln_ms'] / row['ort_ms']:.2f}") if "ort_ms" in row else ""
        print(f"{name}: rel err {err:.1e} {'ok' if ok else 'WRONG'}  "
              f"compile {compile_s:.1f} s{timing}", flush=True)
    print(f"{len(rows) - failed} of {len(args.models.split(','))} models agree "
          f"with PyTorch (1e-4 of the largest output)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

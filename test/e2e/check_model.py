#!/usr/bin/python3
"""Compiles a real model with kiln-compile, runs it with kiln-run and
compares its output with PyTorch's (saved at export):

  max |kiln - torch| / max |torch| <= tolerance

  check_model.py --bin BIN_DIR --models DIR --name resnet18 [--opt N]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--opt", type=int, default=2)
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()

    model = os.path.join(args.models, f"{args.name}.onnx")
    x = os.path.join(args.models, f"{args.name}.input.npy")
    ref = np.load(os.path.join(args.models, f"{args.name}.torch.npy"))
    with tempfile.TemporaryDirectory() as tmp:
        artifact = os.path.join(tmp, "model.so")
        subprocess.run([os.path.join(args.bin, "kiln-compile"), model,
                        f"-O{args.opt}", "-o", artifact], check=True)
        subprocess.run([os.path.join(args.bin, "kiln-run"), artifact,
                        "--input", x, "--output-dir", tmp], check=True)
        got = np.load(os.path.join(tmp, "output_0.npy"))
    if got.shape != ref.shape:
        print(f"shape {got.shape} != torch {ref.shape}")
        return 1
    err = float(np.abs(got - ref).max() / np.abs(ref).max())
    print(f"{args.name} -O{args.opt}: max|kiln - torch| / max|torch| = {err:.3g}")
    return 0 if err <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Compiles a real model once with kiln-compile, runs each of its cases
(input sizes) with kiln-run on the same artifact, and compares every output
with PyTorch's (saved at export by scripts/export_models.py):

  max |kiln - torch| / max |torch| <= tolerance

  check_model.py --bin BIN_DIR --models DIR --name NAME [--opt N]
                 [--input-shape NAME=DIMS]... [--cases CASE...]

A model exported with dynamic axes is compiled once and run at every case's
sizes, so this is also the test that one artifact serves several shapes.
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--opt", type=int, default=2)
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--input-shape", action="append", default=[])
    ap.add_argument("--compile-flag", action="append", default=[],
                    help="passed to kiln-compile (e.g. --target=cuda-emulate)")
    ap.add_argument("--cases", nargs="*")
    args = ap.parse_args()

    prefix = os.path.join(args.models, args.name)
    with open(prefix + ".done") as f:
        cases = f.read().split()
    if args.cases:
        cases = [c for c in cases if c in args.cases]
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        artifact = os.path.join(tmp, "model.so")
        cmd = [os.path.join(args.bin, "kiln-compile"), prefix + ".onnx",
               f"-O{args.opt}", "-o", artifact]
        for s in args.input_shape:
            cmd += ["--input-shape", s]
        cmd += args.compile_flag
        start = time.time()
        subprocess.run(cmd, check=True)
        print(f"{args.name} -O{args.opt}: compiled in {time.time() - start:.1f} s")
        for case in cases:
            out_dir = os.path.join(tmp, case)
            cmd = [os.path.join(args.bin, "kiln-run"), artifact,
                   "--output-dir", out_dir]
            for path in sorted(glob.glob(f"{prefix}.{case}.in.*.npy")):
                input_name = path[len(f"{prefix}.{case}.in."):-len(".npy")]
                cmd += ["--input", f"{input_name}={path}"]
            start = time.time()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            seconds = time.time() - start
            refs = sorted(glob.glob(f"{prefix}.{case}.out.*.npy"))
            for i in range(len(refs)):
                ref = np.load(f"{prefix}.{case}.out.{i}.npy")
                got = np.load(os.path.join(out_dir, f"output_{i}.npy"))
                if got.shape != ref.shape:
                    print(f"  {case} output {i}: shape {got.shape} != torch {ref.shape}")
                    return 1
                err = float(np.abs(got - ref).max() / np.abs(ref).max())
                worst = max(worst, err)
                print(f"  {case} output {i} {list(ref.shape)}: "
                      f"max|kiln - torch| / max|torch| = {err:.3g} "
                      f"(run {seconds:.1f} s)")
    ok = worst <= args.tolerance
    print(f"{args.name}: {'PASS' if ok else 'FAIL'} (worst {worst:.3g}, "
          f"tolerance {args.tolerance:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Prints the graph optimiser's figures on ResNet-50 and the BERT-like
encoder (static shapes, batch 1, sequence 128), as exported by
scripts/export_models.py (the test build makes them in build/models):

  scripts/graph_figures.py [--bin build/bin] [--models build/models]

For each model: kiln ops after import (-O0: import and shape inference
only) and after the -O2 graph pipeline (constants counted apart),
BatchNormalization left, shape-computation ops left (shape, size,
constant_of_shape, range, and any other op computing an integer tensor of
rank <= 1, which is what shape arithmetic is), the kernels the fusion pass
made (from --kernel-report) against the issue's targets, and the time of
the graph pipeline (median of 3 runs of --pass-timing).
"""
import argparse
import collections
import os
import re
import statistics
import subprocess
import sys

OP = re.compile(r"^\s*(?:%[^=]*=\s*)?kiln\.(\w+)(.*)$")
SHAPE_OPS = {"shape", "size", "constant_of_shape", "range"}
INT_SMALL = re.compile(r"->\s*\(?tensor<(?:\d+x)?[su]?i\d+>\)?\s*(?:\{|$)|: tensor<(?:\d+x)?[su]?i\d+>\s*$")

STATIC = {
    "resnet50": [],
    "bert": ["--input-shape", "input_ids=1x128", "--input-shape", "attention_mask=1x128",
             "--input-shape", "token_type_ids=1x128"],
}


def compile_mlir(args, model, opt, extra=()):
    cmd = [os.path.join(args.bin, "kiln-compile"), os.path.join(args.models, model + ".onnx"),
           f"-O{opt}", "--emit=mlir", "-o", "-"] + STATIC[model] + list(extra)
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{run.stderr}")
    return run.stdout, run.stderr


def count_ops(mlir):
    counts = collections.Counter()
    int_small = 0
    for line in mlir.splitlines():
        m = OP.match(line)
        if not m or m.group(1) in ("fused", "yield"):
            continue
        counts[m.group(1)] += 1
        if m.group(1) != "constant" and INT_SMALL.search(m.group(2)):
            int_small += 1
    return counts, int_small


def graph_time_ms(args, model):
    """The graph pipeline's wall time from MLIR's timing report."""
    times = []
    for _ in range(3):
        _, err = compile_mlir(args, model, 2, ["--pass-timing"])
        m = re.search(r"Total Execution Time:\s*([\d.]+) seconds", err)
        if not m:
            sys.exit("no timing report in kiln-compile's output")
        times.append(float(m.group(1)) * 1e3)
    return statistics.median(times)


def kernel_report(args, model):
    cmd = [os.path.join(args.bin, "kiln-compile"), os.path.join(args.models, model + ".onnx"),
           "-O2", "--emit=mlir", "-o", os.devnull, "--kernel-report"] + STATIC[model]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--models", default="build/models")
    args = ap.parse_args()
    ok = True
    for model in ("resnet50", "bert"):
        before, _ = count_ops(compile_mlir(args, model, 0)[0])
        after, int_small = count_ops(compile_mlir(args, model, 2)[0])
        report = kernel_report(args, model)
        kernels = [l for l in report.splitlines() if l.startswith("kernel ")]
        shape_left = sum(after[o] for o in SHAPE_OPS) + int_small
        print(f"== {model} (static, batch 1{', sequence 128' if model == 'bert' else ''})")
        print(f"ops after import:   {sum(before.values()) - before['constant']:5d} "
              f"(+{before['constant']} constants)")
        print(f"ops after -O2:      {sum(after.values()) - after['constant']:5d} "
              f"(+{after['constant']} constants)")
        top = ", ".join(f"{k} {v}" for k, v in after.most_common() if k != "constant")
        print(f"  by kind: {top}")
        print(f"batch_norm left:    {after['batch_norm']:5d}  (target 0)")
        print(f"shape ops left:     {shape_left:5d}  (target 0)")
        ok &= after["batch_norm"] == 0 and shape_left == 0
        if model == "resnet50":
            convs = after["conv"]
            print(f"kernels:            {len(kernels):5d}  (target <= convs + 5 = {convs + 5})")
            ok &= len(kernels) <= convs + 5
        else:
            layers = after["attention"]
            per_layer = (len(kernels)) / max(layers, 1)
            print(f"kernels:            {len(kernels):5d}  ({per_layer:.2f} per layer over "
                  f"{layers} layers, embeddings and pooler included; target <= 10)")
            for op in ("layer_norm", "gelu", "attention"):
                holders = [l for l in kernels if re.search(rf"\b{op}\(", l)]
                per_kernel = max((len(re.findall(rf"\b{op}\(", l)) for l in holders), default=0)
                print(f"  {op}: {after[op]} ops in {len(holders)} kernels, "
                      f"at most {per_kernel} per kernel")
                ok &= after[op] > 0 and per_kernel == 1 and len(holders) == after[op]
            ok &= per_layer <= 10
        print(f"graph pipeline:     {graph_time_ms(args, model):8.1f} ms (median of 3)")
        print()
    print("targets met" if ok else "TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Prints the static memory plan's figures on the benchmark models, as
exported by scripts/export_models.py (the test build makes them in
build/models): ResNet-50 at batch 1 and 8, MobileNetV2, and the BERT-like
encoder at batch 1, sequence 128 (static shapes).

  scripts/memory_figures.py [--bin build/bin] [--models build/models]
                            [--limit 1.1] [--bench [--iters N]]

For each model, from `kiln-compile --memory-report`: the arena, the lower
bound (the largest total of intermediate buffers live at one point), their
ratio, and the buffers planned, sharing in place and left unplanned. Exits
non-zero when a ratio exceeds --limit (the issue's target: 1.1). With
--bench, also the median run time of the artifact with the plan and with
--memory-plan=false (each buffer malloc'ed per run), from kiln-run --bench.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

BERT = ["--input-shape", "input_ids=1x128", "--input-shape", "attention_mask=1x128",
        "--input-shape", "token_type_ids=1x128"]
MODELS = [
    ("resnet50 b1", "resnet50", []),
    ("resnet50 b8", "resnet50_b8", []),
    ("mobilenet_v2", "mobilenet_v2", []),
    ("bert b1 s128", "bert", BERT),
]
SUMMARY = re.compile(r"^arena_bytes=(\d+) lower_bound_bytes=(\d+) ratio=([\d.]+) "
                     r"planned=(\d+) in_place=(\d+) unplanned=(\d+)$", re.M)


def compile_model(args, model, flags, out, extra=()):
    cmd = [os.path.join(args.bin, "kiln-compile"), os.path.join(args.models, model + ".onnx"),
           "-o", out] + flags + list(extra)
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{run.stderr}")
    return run.stdout


def bench(args, artifact):
    cmd = [os.path.join(args.bin, "kiln-run"), artifact, "--bench", "--warmup", "1",
           "--iters", str(args.iters)]
    run = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return float(re.search(r"median_ms=([\d.]+)", run.stdout).group(1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build/bin")
    ap.add_argument("--models", default="build/models")
    ap.add_argument("--limit", type=float, default=1.1)
    ap.add_argument("--bench", action="store_true")
    ap.add_argument("--iters", type=int, default=5)
    args = ap.parse_args()
    ok = True
    mib = 1 << 20
    print(f"{'model':14} {'arena MiB':>10} {'bound MiB':>10} {'ratio':>6} "
          f"{'planned':>7} {'in_place':>8} {'unplanned':>9}"
          + (f" {'plan ms':>9} {'malloc ms':>9}" if args.bench else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for label, model, flags in MODELS:
            so = os.path.join(tmp, model + ".so")
            report = compile_model(args, model, flags, so, ["--memory-report"])
            m = SUMMARY.search(report)
            if not m:
                sys.exit(f"{model}: no summary line in the memory report:\n{report}")
            arena, bound, ratio = int(m.group(1)), int(m.group(2)), float(m.group(3))
            line = (f"{label:14} {arena / mib:10.2f} {bound / mib:10.2f} {ratio:6.3f} "
                    f"{m.group(4):>7} {m.group(5):>8} {m.group(6):>9}")
            if args.bench:
                off = os.path.join(tmp, model + ".malloc.so")
                compile_model(args, model, flags, off, ["--memory-plan=false"])
                line += f" {bench(args, so):9.1f} {bench(args, off):9.1f}"
            print(line, flush=True)
            ok &= ratio <= args.limit
    print(f"every arena within {args.limit}x of its lower bound" if ok
          else f"AN ARENA EXCEEDS {args.limit}x ITS LOWER BOUND")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

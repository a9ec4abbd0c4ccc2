#!/usr/bin/env python3
"""Per-kernel GPU time of one kiln-run, from Nsight Compute's CSV
(`ncu --metrics gpu__time_duration.sum --csv --print-units base`), for
scripts/gpu-check.sh: each kernel name's launches and total time, Kiln's
generated kernels (named k<N>_<node>) apart from the libraries' (cuDNN,
cuBLAS). gpu-check.sh profiles one steady-state run (KILN_CUDA_PROFILE_RUN,
ncu --profile-from-start off): cuDNN's algorithm search on the first run is
not in it. ncu serialises launches, so the sum is kernel time, not the
run's wall time.

  gpu_profile.py NCU_OUTPUT.csv [--top 15]
"""
import argparse
import csv
import re
import sys


def launches(lines):
    """(kernel name, nanoseconds) per launch; ncu's and the program's own
    output lines around the table are skipped."""
    rows = list(csv.reader(lines))
    header = None
    for row in rows:
        if header is None:
            if row and row[0] == "ID" and "Kernel Name" in row:
                header = row
                name_at = row.index("Kernel Name")
                metric_at = row.index("Metric Name")
                unit_at = row.index("Metric Unit")
                value_at = row.index("Metric Value")
            continue
        if len(row) != len(header) or row[metric_at] != "gpu__time_duration.sum":
            continue
        value = float(row[value_at].replace(",", ""))
        scale = {"ns": 1.0, "nsecond": 1.0, "us": 1e3, "usecond": 1e3,
                 "ms": 1e6, "msecond": 1e6}.get(row[unit_at], 1.0)
        yield row[name_at], value * scale


def summarize(pairs, top):
    by_name = {}
    for name, ns in pairs:
        calls, total = by_name.get(name, (0, 0.0))
        by_name[name] = (calls + 1, total + ns)
    if not by_name:
        return "no kernel times in the ncu output"
    generated = re.compile(r"^k\d+(_|$)")
    total = sum(t for _, t in by_name.values())
    ours = sum(t for n, (_, t) in by_name.items() if generated.match(n))
    out = [f"{sum(c for c, _ in by_name.values())} launches, "
           f"{total / 1e6:.3f} ms in all: Kiln's generated kernels "
           f"{ours / 1e6:.3f} ms ({ours / total:.0%}), libraries "
           f"{(total - ours) / 1e6:.3f} ms",
           f"{'ms':>9} {'share':>6} {'calls':>6}  kernel"]
    for name, (calls, t) in sorted(by_name.items(), key=lambda kv: -kv[1][1])[:top]:
        out.append(f"{t / 1e6:9.3f} {t / total:6.1%} {calls:6d}  {name[:90]}")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--top", type=int, default=15)
    a = ap.parse_args()
    with open(a.csv, newline="", errors="replace") as f:
        print(summarize(launches(f), a.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())

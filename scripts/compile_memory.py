#!/usr/bin/env python3
"""The compiler's peak memory against the model file's size.

Runs kiln-compile on each model and samples, every few milliseconds, the
memory of its whole process tree (kiln-compile plus the linker and
assembler it starts), so the peak counts every copy of the weights alive at
the same moment. Two figures: resident memory (includes each process's
mapped libraries: ~150 MB for kiln-compile, as much again for clang and the
linker, whatever the model) and anonymous memory (what the processes
allocated: the weights' copies). Prints one row per model and exits
non-zero when anonymous memory exceeds --limit times the model's size.

  compile_memory.py --bin DIR --models DIR [--limit 3.0] [MODEL...]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory(root):
    """(resident, anonymous) bytes of `root` and its descendants. Anonymous
    memory is what the processes allocated themselves (copies of weights
    among it); resident memory adds the pages of the files they map, the
    compiler's and the linker's own libraries first of all."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
    rss = anon = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        rss += status_kb(pid, "VmRSS") * 1024
        anon += status_kb(pid, "RssAnon") * 1024
        stack.extend(children.get(pid, []))
    return rss, anon


def peak_of(cmd):
    """(exit status, peak tree resident and anonymous bytes, seconds,
    stderr) of running `cmd`."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    peak_rss = peak_anon = 0
    while proc.poll() is None:
        rss, anon = tree_memory(proc.pid)
        peak_rss, peak_anon = max(peak_rss, rss), max(peak_anon, anon)
        time.sleep(0.005)
    err = proc.stderr.read().decode(errors="replace")
    return proc.returncode, peak_rss, peak_anon, time.monotonic() - start, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="directory of kiln-compile")
    ap.add_argument("--models", required=True, help="directory of NAME.onnx")
    ap.add_argument("--limit", type=float, default=3.0,
                    help="largest peak / model size accepted")
    ap.add_argument("names", nargs="*", default=["resnet50", "bert"])
    args = ap.parse_args()
    compile_bin = os.path.join(args.bin, "kiln-compile")
    over = 0
    print(f"{'model':<14}{'model_mb':>9}{'peak_rss_mb':>12}{'peak_anon_mb':>13}"
          f"{'anon/model':>11}{'seconds':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.names:
            model = os.path.join(args.models, name + ".onnx")
            rc, rss, anon, secs, err = peak_of(
                [compile_bin, model, "-o", os.path.join(tmp, name + ".so")])
            if rc != 0:
                print(f"{name}: kiln-compile failed:\n{err}")
                return 1
            size = os.path.getsize(model)
            ratio = anon / size
            flag = "" if ratio <= args.limit else f"  > {args.limit}"
            over += ratio > args.limit
            print(f"{name:<14}{size / 2**20:>9.1f}{rss / 2**20:>12.1f}"
                  f"{anon / 2**20:>13.1f}{ratio:>11.2f}{secs:>9.1f}{flag}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Checks, without a GPU, that the kernels Kiln generates for the test models
are PTX that ptxas accepts for every supported GPU.

  cuda_ptxas.py --kiln-compile BIN --ptxas PTXAS --out DIR MODEL[:FLAGS]...

Each MODEL is compiled with --target=cuda --emit=ptx for sm_80 and sm_90
(FLAGS, comma-separated, are passed along), assembled with `ptxas -v`, and the
report (registers, spills per kernel) is kept as DIR/<model>.<arch>.ptxas.txt.
Fails if a compile or ptxas fails, if the PTX targets the wrong GPU, if
ptxas did not compile every kernel the PTX defines, or if, with
--precision=fp16/bf16, no kernel rounds float32 down to that type (the
activations would not be stored in it).
"""
import argparse
import os
import re
import subprocess
import sys

ARCHS = ["sm_80", "sm_90"]


def check(compile_bin, ptxas, out_dir, spec, arch):
    model, _, flags = spec.partition(":")
    flags = [f for f in flags.split(",") if f]
    name = os.path.basename(model).rsplit(".", 1)[0]
    if "--gpu-libraries=false" in flags:
        name += ".codegen"
    low = None
    for f in flags:
        if f.startswith("--precision="):
            name += "." + f.split("=", 1)[1]
            low = {"fp16": "f16", "bf16": "bf16"}.get(f.split("=", 1)[1])
    ptx = os.path.join(out_dir, f"{name}.{arch}.ptx")
    cmd = [compile_bin, model, "--target=cuda", f"--gpu-arch={arch}",
           "--emit=ptx", "-o", ptx] + flags
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return f"{name} {arch}: kiln-compile failed:\n{r.stderr}"
    text = open(ptx).read()
    if not re.search(rf"^\.target {arch}\b", text, re.M):
        return f"{name} {arch}: the PTX does not target {arch}"
    if low and not re.search(rf"\bcvt\.rn\.{low}\.f32\b", text):
        return f"{name} {arch}: no kernel stores {low} (no cvt.rn.{low}.f32)"
    entries = set(re.findall(r"^\.visible \.entry (\w+)\(", text, re.M))
    if not entries:
        return f"{name} {arch}: no kernels in the PTX"
    r = subprocess.run([ptxas, f"-arch={arch}", "-v", ptx, "-o", os.devnull],
                       capture_output=True, text=True)
    report = r.stdout + r.stderr
    with open(os.path.join(out_dir, f"{name}.{arch}.ptxas.txt"), "w") as f:
        f.write(report)
    if r.returncode != 0:
        return f"{name} {arch}: ptxas failed:\n{report}"
    compiled = set(re.findall(
        rf"Compiling entry function '(\w+)' for '{arch}'", report))
    if compiled != entries:
        return (f"{name} {arch}: ptxas compiled {sorted(compiled)}, "
                f"the PTX defines {sorted(entries)}")
    spills = re.findall(r"(\d+) bytes spill stores", report)
    spilled = sum(int(s) for s in spills)
    print(f"ok {name} {arch}: {len(entries)} kernels, "
          f"{spilled} bytes of spill stores")
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln-compile", required=True)
    ap.add_argument("--ptxas", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("models", nargs="+")
    a = ap.parse_args()
    if not os.access(a.ptxas, os.X_OK):
        print(f"error: ptxas not found at {a.ptxas}", file=sys.stderr)
        return 1
    os.makedirs(a.out, exist_ok=True)
    failures = [e for spec in a.models for arch in ARCHS
                if (e := check(a.kiln_compile, a.ptxas, a.out, spec, arch))]
    for e in failures:
        print("FAIL " + e, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""What the end-to-end scripts share: run one model with kiln-run on
given inputs and read its outputs, and compare against a reference within
a bound."""
import argparse
import os
import subprocess

import numpy as np


def arg_parser(doc):
    """The options every script takes: --kiln-run BIN and --target."""
    ap = argparse.ArgumentParser(description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--target", default="cpu")
    return ap


def run_model(kiln_run, target, work, model, inputs, n_out=1):
    """Runs `model` with kiln-run on `inputs` ({name: array}, saved as .npy
    in `work`) for `target` (the GPU targets may fall back to the CPU per
    kernel). Returns (list of n_out outputs, None), or (None, the first
    line of kiln-run's error)."""
    cmd = [kiln_run, model, "--output-dir", work, f"--target={target}"]
    if target != "cpu":
        cmd.append("--allow-cpu-fallback")
    for name, value in inputs.items():
        path = os.path.join(work, f"in_{name}.npy")
        np.save(path, value)
        cmd += ["--input", f"{name}={path}"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        return None, (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[0]
    return [np.load(os.path.join(work, f"output_{i}.npy")) for i in range(n_out)], None


def compile_model(kiln_compile, model, output, *flags):
    """Compiles `model` to `output` with kiln-compile and `flags`. Returns
    None, or the first line of kiln-compile's error."""
    p = subprocess.run([kiln_compile, model, "-o", output, *flags],
                       capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        return (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[0]
    return None


def within(got, want, bound):
    """None when `got` has `want`'s shape and every element is within
    `bound` of it (compared in float64); else what differs, and where."""
    if got.shape != want.shape:
        return f"shape {got.shape} != {want.shape}"
    diff = np.abs(got.astype(np.float64) - want)
    if not (diff <= bound).all():
        at = np.unravel_index(int(np.argmax(diff)), diff.shape)
        return f"differs by {diff[at]:.3g} (bound {bound:.3g}) at {at}"
    return None


class Tally:
    """PASS/FAIL lines per case and the summary line; `exit_code()` is 1
    when any case failed."""

    def __init__(self):
        self.count = self.failed = 0

    def add(self, name, err):
        self.count += 1
        self.failed += bool(err)
        print(("FAIL " if err else "PASS ") + name + (f": {err}" if err else ""),
              flush=True)

    def exit_code(self):
        print(f"{self.count - self.failed} passed, {self.failed} failed")
        return 1 if self.failed else 0

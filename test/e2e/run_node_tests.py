#!/usr/bin/python3
"""Runs ONNX backend node tests through kiln-run and checks their outputs.

Each case directory holds model.onnx and test_data_set_*/{input,output}_*.pb.
A case passes when kiln-run compiles and runs it and every output matches:
floats within rtol/atol, integers and booleans exactly.

  run_node_tests.py --kiln-run BIN --data DIR [--expected FILE] [--cases ...]
                    [--jobs N] [--dynamic] [--opt N] [--target T]
                    [--allow-cpu-fallback] [--emulate-library-calls]
                    [--match REGEX]

With --expected, exactly the listed cases run (those whose names match
--match, if given) and the script fails when any of them fails. Without it every case in DIR runs (to find new passes). The
last line printed is "N passed, N failed".
"""
import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

# Debian's onnx 1.12 predates numpy 1.24's removal of these aliases.
np.float = float
np.int = int
np.bool = bool
np.object = object
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402


def load_pb(path, type_proto=None):
    """A tensor, or for a sequence (optional) type a list (None or value)."""
    kind = type_proto.WhichOneof("value") if type_proto is not None else None
    with open(path, "rb") as f:
        data = f.read()
    if kind == "sequence_type":
        s = onnx.SequenceProto()
        s.ParseFromString(data)
        return numpy_helper.to_list(s)
    if kind == "optional_type":
        o = onnx.OptionalProto()
        o.ParseFromString(data)
        return numpy_helper.to_optional(o)
    t = onnx.TensorProto()
    t.ParseFromString(data)
    return numpy_helper.to_array(t)


def has_rank(type_proto):
    """Whether a sequence's or optional's tensor type gives a rank."""
    while type_proto.WhichOneof("value") in ("sequence_type", "optional_type"):
        kind = type_proto.WhichOneof("value")
        type_proto = getattr(type_proto, kind).elem_type
    return type_proto.tensor_type.HasField("shape")


def flatten_inputs(model, set_dir, tmp):
    """Sequence and optional inputs go to kiln-run as their tensors
    ("name[k]" for a sequence's elements, "name" for an optional's tensor),
    with their structure given as compile options; tensor inputs by name."""
    inputs = [i for i in model.graph.input
              if i.name not in {t.name for t in model.graph.initializer}]
    args = []
    for i, info in enumerate(inputs):
        value = load_pb(os.path.join(set_dir, f"input_{i}.pb"), info.type)
        kind = info.type.WhichOneof("value")
        inner = info.type
        if kind == "optional_type":
            if value is None:
                args += ["--optional-absent", info.name]
                continue
            inner = info.type.optional_type.elem_type
        tensors = []
        if inner.WhichOneof("value") == "sequence_type":
            args += ["--sequence-length", f"{info.name}={len(value)}"]
            tensors = [(f"{info.name}[{k}]", v) for k, v in enumerate(value)]
        else:
            tensors = [(info.name, value)]
        for name, v in tensors:
            path = os.path.join(tmp, f"in{len(args)}.npy")
            np.save(path, np.asarray(v))
            args += ["--input", f"{name}={path}"]
            if kind != "tensor_type" and not has_rank(info.type):
                dims = "x".join(str(d) for d in np.shape(v))
                args += ["--input-shape", f"{name}={dims}"]
    return args


def output_names(stdout):
    """The flattened output names kiln-run prints ("output i 'name': ...")."""
    names = []
    for line in stdout.splitlines():
        if line.startswith("output ") and "'" in line:
            names.append(line.split("'")[1])
    return names


def expected_flat(model, set_dir, n_out):
    """The expected outputs as (flattened name, array) pairs."""
    flat = []
    for j in range(n_out):
        info = model.graph.output[j]
        value = load_pb(os.path.join(set_dir, f"output_{j}.pb"), info.type)
        kind = info.type.WhichOneof("value")
        inner = info.type
        if kind == "optional_type":
            if value is None:
                continue
            inner = info.type.optional_type.elem_type
        if inner.WhichOneof("value") == "sequence_type":
            flat += [(f"{info.name}[{k}]", v) for k, v in enumerate(value)]
        else:
            flat.append((info.name, value))
    return flat


def compare(name, got, want, rtol, atol):
    """None if equal enough, else a one-line reason."""
    if got.shape != want.shape:
        return f"{name}: shape {got.shape} != expected {want.shape}"
    if want.dtype.kind in "fc":
        if got.dtype != want.dtype:
            return f"{name}: dtype {got.dtype} != expected {want.dtype}"
        g = got.astype(np.float64)
        w = want.astype(np.float64)
        same_nan = np.isnan(g) == np.isnan(w)
        close = np.isclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
        if not (same_nan.all() and close.all()):
            bad = np.argwhere(~close)
            i = tuple(bad[0]) if len(bad) else ()
            return (f"{name}: {int((~close).sum())} of {g.size} values differ, "
                    f"first at {i}: {g[i] if i else g} vs {w[i] if i else w}")
        return None
    if got.dtype != want.dtype:
        return f"{name}: dtype {got.dtype} != expected {want.dtype}"
    if not np.array_equal(got, want):
        return f"{name}: values differ"
    return None


def run_case(case_dir, kiln_run, rtol, atol, extra_args, timeout):
    model = os.path.join(case_dir, "model.onnx")
    # Models with sequence or optional inputs or outputs are fed and checked
    # through their flattened tensors.
    proto = onnx.load(model, load_external_data=False)
    composite = any(v.type.WhichOneof("value") != "tensor_type"
                    for v in list(proto.graph.input) + list(proto.graph.output))
    sets = sorted(d for d in os.listdir(case_dir) if d.startswith("test_data_set"))
    for s in sets:
        set_dir = os.path.join(case_dir, s)
        n_in = len([f for f in os.listdir(set_dir) if f.startswith("input_")])
        n_out = len([f for f in os.listdir(set_dir) if f.startswith("output_")])
        with tempfile.TemporaryDirectory() as out_dir:
            cmd = [kiln_run, model, "--output-dir", out_dir] + extra_args
            if composite:
                cmd += flatten_inputs(proto, set_dir, out_dir)
            else:
                for i in range(n_in):
                    cmd += ["--input", os.path.join(set_dir, f"input_{i}.pb")]
            try:
                p = subprocess.run(cmd, capture_output=True, text=True,
                                   timeout=timeout)
            except subprocess.TimeoutExpired:
                return f"timed out after {timeout} s"
            if p.returncode != 0:
                lines = [l for l in p.stderr.strip().splitlines() if l.strip()]
                return (lines[0] if lines else f"exit code {p.returncode}")[:300]
            if composite:
                names = output_names(p.stdout)
                want_flat = expected_flat(proto, set_dir, n_out)
                if names != [n for n, _ in want_flat]:
                    return f"outputs {names} != expected {[n for n, _ in want_flat]}"
                for i, (name, want) in enumerate(want_flat):
                    got = np.load(os.path.join(out_dir, f"output_{i}.npy"))
                    why = compare(name, got, np.asarray(want), rtol, atol)
                    if why:
                        return why
                continue
            for i in range(n_out):
                want = load_pb(os.path.join(set_dir, f"output_{i}.pb"))
                got_path = os.path.join(out_dir, f"output_{i}.npy")
                if not os.path.exists(got_path):
                    return f"output {i} missing"
                got = np.load(got_path)
                why = compare(f"output {i}", got, want, rtol, atol)
                if why:
                    return why
    return None


def op_types(case_dir):
    try:
        m = onnx.load(os.path.join(case_dir, "model.onnx"), load_external_data=False)
        return sorted({n.op_type for n in m.graph.node}) or ["(none)"]
    except Exception:  # noqa: BLE001
        return ["(unreadable)"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--data", required=True, help="directory of case directories")
    ap.add_argument("--expected", help="file listing the cases that must pass")
    ap.add_argument("--cases", nargs="*", help="run only these cases")
    ap.add_argument("--exclude", action="append", default=[],
                    help="file listing cases to leave out (with the reason "
                    "after '#'); may be repeated")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--opt", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--target", default="cpu",
                    help="kiln-run --target (cuda-emulate: the CUDA kernel "
                    "mapping run on the CPU)")
    ap.add_argument("--allow-cpu-fallback", action="store_true",
                    help="kiln-run --allow-cpu-fallback (CUDA: what needs a "
                    "value only known on the device runs on the host)")
    ap.add_argument("--emulate-library-calls", action="store_true",
                    help="kiln-run --emulate-library-calls (cuda-emulate: "
                    "cuDNN/cuBLAS calls selected, run as their definition)")
    ap.add_argument("--match", help="only the cases whose names match this "
                    "regular expression")
    ap.add_argument("--dynamic", action="store_true",
                    help="compile with every input dimension dynamic")
    args = ap.parse_args()

    if args.expected:
        with open(args.expected) as f:
            names = [l.split("#")[0].strip() for l in f]
        names = [n for n in names if n]
        skip = set()
        for path in args.exclude:
            with open(path) as f:
                skip |= {l.split("#")[0].strip() for l in f}
        names = [n for n in names if n not in skip]
    elif args.cases:
        names = args.cases
    else:
        names = sorted(d for d in os.listdir(args.data)
                       if os.path.isdir(os.path.join(args.data, d)))
    if args.match:
        names = [n for n in names if re.search(args.match, n)]
    missing = [n for n in names if not os.path.isdir(os.path.join(args.data, n))]
    if missing:
        print(f"missing case directories: {missing[:5]}...", file=sys.stderr)
        return 2

    extra = [f"-O{args.opt}", f"--target={args.target}"] + \
        (["--force-dynamic"] if args.dynamic else []) + \
        (["--allow-cpu-fallback"] if args.allow_cpu_fallback else []) + \
        (["--emulate-library-calls"] if args.emulate_library_calls else [])
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_case, os.path.join(args.data, n), args.kiln_run,
                               args.rtol, args.atol, extra, args.timeout): n
                   for n in names}
        for fut in concurrent.futures.as_completed(futures):
            results[futures[fut]] = fut.result()

    per_op = collections.defaultdict(lambda: [0, 0])
    for n in names:
        for op in op_types(os.path.join(args.data, n)):
            per_op[op][0 if results[n] is None else 1] += 1
    print(f"{'operator':<32} {'pass':>5} {'fail':>5}")
    for op in sorted(per_op):
        print(f"{op:<32} {per_op[op][0]:>5} {per_op[op][1]:>5}")
    failed = [n for n in names if results[n] is not None]
    for n in failed:
        print(f"FAIL {n}: {results[n]}")
    if args.verbose:
        for n in names:
            if results[n] is None:
                print(f"PASS {n}")
    print(f"{len(names) - len(failed)} passed, {len(failed)} failed")
    return 1 if (args.expected and failed) else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Mutation fuzzing of Kiln's front door: bad models must get a clear error.

Takes ONNX models (by default the ONNX backend node tests), makes seeded
random mutants of them (attribute values, declared shapes and types,
initializers whose data does not match their dims, dangling or missing
inputs, opset versions, truncated or corrupted bytes), and gives each to
`kiln-compile`; a mutant it accepts is also run by `kiln-run` on seeded
random inputs.  Every outcome must be either success or a non-zero exit
with an error message; the test fails on:

  * a crash (a signal, LLVM's "PLEASE submit a bug report" / stack dump),
  * an assertion or "LLVM ERROR" (an abort with no diagnostic of ours),
  * a hang (the tool still running after --timeout seconds),
  * a failure that prints nothing.

The mutants are a pure function of --seed, so a failure reproduces with the
same flags; --keep DIR writes the failing mutants there.

  fuzz_models.py --bin build/bin --models build/onnx-node-tests/node \
      [--count N] [--seed S] [--jobs J] [--target cpu|cuda] [--keep DIR]
"""
import argparse
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# What a crash looks like on stderr even when the exit status was masked.
CRASH_MARKERS = ("PLEASE submit a bug report", "Stack dump:", "LLVM ERROR",
                 "Assertion", "Segmentation fault", "terminate called",
                 "AddressSanitizer", "double free", "corrupted")

INTS = [-(2 ** 63), -(2 ** 31), -100, -2, -1, 0, 1, 2, 3, 5, 7, 64,
        2 ** 31 - 1, 2 ** 31, 10 ** 12, 2 ** 62]
FLOATS = [float("nan"), float("inf"), -float("inf"), -1.0, 0.0, 1e-30, 1e30,
          0.5, 3.0]
DIMS = [0, 1, 2, 3, 5, 17, 1 << 20, 1 << 40]
TYPES = [TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16,
         TensorProto.BFLOAT16, TensorProto.INT8, TensorProto.UINT8,
         TensorProto.INT32, TensorProto.INT64, TensorProto.BOOL,
         TensorProto.STRING, TensorProto.COMPLEX64, 0, 99]


def mutate_attribute(m, rng):
    nodes = [n for n in m.graph.node if n.attribute]
    if not nodes:
        return False
    a = rng.choice(rng.choice(nodes).attribute)
    if a.type == onnx.AttributeProto.INT:
        a.i = rng.choice(INTS)
    elif a.type == onnx.AttributeProto.FLOAT:
        a.f = rng.choice(FLOATS)
    elif a.type == onnx.AttributeProto.INTS:
        choice = rng.randrange(3)
        if choice == 0 and len(a.ints):
            a.ints[rng.randrange(len(a.ints))] = rng.choice(INTS)
        elif choice == 1:
            a.ints.append(rng.choice(INTS))
        else:
            del a.ints[:rng.randrange(len(a.ints) + 1)]
    elif a.type == onnx.AttributeProto.STRING:
        a.s = rng.choice([b"", b"NOTAMODE", b"\xff\xfe", a.s * 3])
    elif a.type == onnx.AttributeProto.TENSOR:
        mutate_tensor(a.t, rng)
    elif a.type == onnx.AttributeProto.GRAPH:
        if a.g.node:
            del a.g.node[rng.randrange(len(a.g.node))]
    else:
        a.type = rng.choice([onnx.AttributeProto.INT, onnx.AttributeProto.FLOATS])
    return True


def mutate_values(t, rng):
    """An integer tensor's entry (a shape, axes, pads, indices, a count)
    replaced by an extreme value; False for other tensors."""
    if t.data_type not in (TensorProto.INT64, TensorProto.INT32):
        return False
    try:
        a = numpy_helper.to_array(t).copy()
    except Exception:
        return False
    if a.size == 0:
        return False
    info = np.iinfo(a.dtype)
    a.flat[rng.randrange(a.size)] = max(info.min, min(info.max, rng.choice(INTS)))
    t.CopyFrom(numpy_helper.from_array(a, t.name))
    return True


def mutate_tensor(t, rng):
    if rng.random() < 0.3 and mutate_values(t, rng):
        return
    choice = rng.randrange(4)
    if choice == 0 and len(t.dims):
        t.dims[rng.randrange(len(t.dims))] = rng.choice(DIMS + [-1])
    elif choice == 1:
        t.dims.append(rng.choice(DIMS))
    elif choice == 2:
        t.data_type = rng.choice(TYPES)
    elif t.raw_data:
        t.raw_data = t.raw_data[:rng.randrange(len(t.raw_data) + 1)]
    else:
        t.dims.append(3)


def value_infos(m):
    return list(m.graph.input) + list(m.graph.output) + list(m.graph.value_info)


def mutate_value_info(m, rng):
    infos = [v for v in value_infos(m) if v.type.HasField("tensor_type")]
    if not infos:
        return False
    tt = rng.choice(infos).type.tensor_type
    choice = rng.randrange(4)
    dims = tt.shape.dim
    if choice == 0 and len(dims):
        d = dims[rng.randrange(len(dims))]
        if rng.random() < 0.3:
            d.dim_param = rng.choice(["N", "", "?", "batch"])
        else:
            d.dim_value = rng.choice(DIMS)
    elif choice == 1:
        tt.shape.dim.add().dim_value = rng.choice(DIMS)
    elif choice == 2 and len(dims):
        del dims[rng.randrange(len(dims))]
    else:
        tt.elem_type = rng.choice(TYPES)
    return True


def mutate_initializer(m, rng):
    tensors = list(m.graph.initializer) + [
        a.t for n in m.graph.node for a in n.attribute
        if a.type == onnx.AttributeProto.TENSOR]
    if not tensors:
        return False
    mutate_tensor(rng.choice(tensors), rng)
    return True


def mutate_wiring(m, rng):
    nodes = list(m.graph.node)
    if not nodes:
        return False
    n = rng.choice(nodes)
    choice = rng.randrange(6)
    if choice == 0 and n.input:
        del n.input[rng.randrange(len(n.input))]
    elif choice == 1:
        n.input.append(rng.choice(["", "no_such_value",
                                   n.output[0] if n.output else "x"]))
    elif choice == 2 and n.input:
        n.input[rng.randrange(len(n.input))] = rng.choice(
            [v.name for v in value_infos(m)] + ["", "dangling"])
    elif choice == 3:
        n.op_type = rng.choice(["NoSuchOp", "Conv", "Add", "Reshape",
                                "Loop", "If", ""])
    elif choice == 4 and n.output:
        n.output[0] = rng.choice(["", m.graph.input[0].name
                                  if m.graph.input else "y"])
    else:
        n.domain = rng.choice(["com.microsoft", "ai.onnx.ml", "bogus"])
    return True


def mutate_graph_io(m, rng):
    choice = rng.randrange(3)
    if choice == 0 and m.graph.output:
        del m.graph.output[rng.randrange(len(m.graph.output))]
    elif choice == 1 and m.graph.input:
        del m.graph.input[rng.randrange(len(m.graph.input))]
    else:
        m.graph.output.append(helper.make_tensor_value_info(
            "no_such_output", TensorProto.FLOAT, [2]))
    return True


def mutate_opset(m, rng):
    if not m.opset_import:
        return False
    m.opset_import[0].version = rng.choice([0, 1, 6, 9, 13, 17, 22, 99])
    return True


MUTATORS = [mutate_attribute, mutate_attribute, mutate_value_info,
            mutate_value_info, mutate_initializer, mutate_wiring,
            mutate_graph_io, mutate_opset]


def make_mutant(data, rng):
    """Serialized mutant of the model `data`: structured edits, or bytes."""
    if rng.random() < 0.1:
        raw = bytearray(data)
        if rng.random() < 0.5:
            return bytes(raw[:rng.randrange(len(raw))])
        for _ in range(rng.randint(1, 8)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw)
    m = onnx.ModelProto()
    m.ParseFromString(data)
    for _ in range(rng.randint(1, 3)):
        for _ in range(10):
            if rng.choice(MUTATORS)(m, rng):
                break
    try:
        return m.SerializeToString()
    except Exception:  # e.g. an attribute whose value no longer encodes
        return data


def run(cmd, timeout):
    """(status, stderr); status is the exit code, -signal, or 'hang'."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=timeout,
                           start_new_session=True)
    except subprocess.TimeoutExpired:
        return "hang", ""
    return p.returncode, p.stderr.decode(errors="replace")


def verdict(status, err):
    """None when the outcome is acceptable, else why not."""
    if status == "hang":
        return "hang"
    if isinstance(status, int) and status < 0:
        return f"killed by signal {signal.Signals(-status).name}"
    if status > 128:
        return f"exit status {status} (a signal?)"
    for marker in CRASH_MARKERS:
        if marker in err:
            return f"stderr has '{marker}'"
    if status != 0 and not err.strip():
        return f"exit status {status} with no message"
    return None


def check_verdicts():
    """The classification itself, on commands whose outcome is known, so
    that this test cannot pass by failing to see a crash."""
    cases = [("kill -SEGV $$", "killed by signal SIGSEGV"),
             ("kill -ABRT $$", "killed by signal SIGABRT"),
             ("exit 1", "exit status 1 with no message"),
             ("echo 'LLVM ERROR: x' >&2; exit 1", "stderr has 'LLVM ERROR'"),
             ("sleep 5", "hang"),
             ("echo 'error: bad node' >&2; exit 1", None),
             ("exit 0", None)]
    for script, want in cases:
        got = verdict(*run(["sh", "-c", script], 0.5))
        if got != want:
            sys.exit(f"fuzz_models.py: '{script}' judged {got!r}, "
                     f"expected {want!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--models", required=True,
                    help="a folder of <case>/model.onnx, or of .onnx files")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--target", default="cpu")
    ap.add_argument("--no-run", action="store_true",
                    help="only compile the mutants")
    ap.add_argument("--keep", help="write failing mutants to this folder")
    a = ap.parse_args()
    check_verdicts()

    sources = []
    for name in sorted(os.listdir(a.models)):
        path = os.path.join(a.models, name)
        if os.path.isdir(path) and os.path.exists(os.path.join(path, "model.onnx")):
            sources.append(os.path.join(path, "model.onnx"))
        elif name.endswith(".onnx"):
            sources.append(path)
    if not sources:
        sys.exit(f"no models under {a.models}")
    rng = random.Random(a.seed)
    # Drawn up front, so a mutant depends only on the seed and its index.
    plan = [(i, rng.choice(sources), rng.randrange(1 << 30))
            for i in range(a.count)]
    compile_bin = os.path.join(a.bin, "kiln-compile")
    run_bin = os.path.join(a.bin, "kiln-run")

    def one(item):
        i, source, seed = item
        with open(source, "rb") as f:
            mutant = make_mutant(f.read(), random.Random(seed))
        with tempfile.TemporaryDirectory() as tmp:
            model = os.path.join(tmp, "mutant.onnx")
            with open(model, "wb") as f:
                f.write(mutant)
            art = os.path.join(tmp, "mutant.so")
            status, err = run([compile_bin, model, f"--target={a.target}",
                               "-o", art], a.timeout)
            why = verdict(status, err)
            stage = "kiln-compile"
            if why is None and status == 0 and not a.no_run and a.target != "cuda":
                status, err = run([run_bin, art, "--seed", "1",
                                   "--output-dir", os.path.join(tmp, "out")],
                                  a.timeout)
                why = verdict(status, err)
                stage = "kiln-run"
            if why and a.keep:
                os.makedirs(a.keep, exist_ok=True)
                with open(os.path.join(a.keep, f"mutant{i}.onnx"), "wb") as f:
                    f.write(mutant)
        return i, source, stage, status, why, err

    accepted = rejected = 0
    failures = []
    with ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for i, source, stage, status, why, err in pool.map(one, plan):
            if why:
                failures.append((i, source, stage, why, err))
            elif status == 0:
                accepted += 1
            else:
                rejected += 1
    for i, source, stage, why, err in failures:
        case = os.path.relpath(source, a.models)
        tail = "\n    ".join(err.strip().splitlines()[-6:])
        print(f"FAIL mutant {i} of {case}: {stage}: {why}\n    {tail}")
    print(f"{a.count} mutants (seed {a.seed}): {accepted} accepted, "
          f"{rejected} rejected with an error, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

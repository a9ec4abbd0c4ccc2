#!/usr/bin/env python3
"""ReduceMax / ReduceMin, ArgMax / ArgMin (first and last index) and
Softmax (whose row maximum is the same kind of loop) along a contiguous
axis, where Kiln's CPU code runs vector steps
of 16 floats, the vector's reduction and a scalar remainder: rows of 1,
15, 16, 17, 1000 and 50257 elements, NaN in the vector part, in the
remainder and everywhere, infinities, signed zeros, the float extremes,
float64 (8-lane steps), and a maximum of |x| (an elementwise op inside the
loop). Compared exactly with numpy (NaN where numpy has NaN; -0 and +0
equal). Also whole tensors reduced to one value (min, max, sum, mean; on
the CPU split into rows that the threads share, then the rows' results):
exact for min and max (NaN in one row), within 1e-5 relative for float
sums and means, exact for an int32 sum that wraps.

  reductions.py --kiln-run BIN [--target cpu|cuda-emulate]
"""
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

from kiln_run import arg_parser, run_model, Tally

TYPES = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE,
         np.int32: TensorProto.INT32}


def whole_tensor_cases(rng):
    """(name, op, x, keepdims, reference) for reductions of every axis."""
    x = rng.randn(3, 256, 257).astype(np.float32)
    with_nan = x.copy()
    with_nan[2, 100, 7] = np.nan
    big = rng.randint(-2**31, 2**31 - 1, (5, 40000)).astype(np.int32)
    wrapped = np.array(big.astype(np.int64).sum(), np.int64).astype(np.int32)
    return [
        ("whole_max", "ReduceMax", x, 0, np.max(x)),
        ("whole_min_keepdims", "ReduceMin", x, 1, np.min(x, keepdims=True)),
        ("whole_max_nan", "ReduceMax", with_nan, 0, np.float32(np.nan)),
        ("whole_sum", "ReduceSum", x, 0, np.float32(x.astype(np.float64).sum())),
        ("whole_mean", "ReduceMean", x, 1, np.float32(x.astype(np.float64).mean()).reshape(1, 1, 1)),
        ("whole_sum_int32_wraps", "ReduceSum", big, 0, wrapped),
    ]


def whole_model(path, op, x, keepdims):
    """`op` over every axis of x (ReduceSum takes its axes as an input
    from opset 13)."""
    axes = list(range(x.ndim))
    inputs, inits = ["x"], []
    attrs = {"keepdims": keepdims}
    if op == "ReduceSum":
        inits.append(helper.make_tensor("axes", TensorProto.INT64, [len(axes)], axes))
        inputs.append("axes")
    else:
        attrs["axes"] = axes
    node = helper.make_node(op, inputs, ["y"], **attrs)
    t = TYPES[x.dtype.type]
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", t, list(x.shape))],
                              [helper.make_tensor_value_info("y", t, None)], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def model(path, op, shape, dtype, absolute=False, last=False):
    nodes, x = [], "x"
    if absolute:
        nodes.append(helper.make_node("Abs", ["x"], ["a"]))
        x = "a"
    t = TYPES[dtype]
    if op == "Softmax":
        attrs = {"axis": -1}
    elif op.startswith("Arg"):
        attrs = {"axis": -1, "keepdims": 0, "select_last_index": int(last)}
        t = TensorProto.INT64
    else:
        attrs = {"axes": [len(shape) - 1], "keepdims": 0}
    nodes.append(helper.make_node(op, [x], ["y"], **attrs))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TYPES[dtype], list(shape))],
                              [helper.make_tensor_value_info("y", t, None)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def rows(rng, length, dtype):
    """Rows of one length: plain, NaN early (in the vector steps), NaN last
    (in the remainder), all NaN, +-inf, signed zeros only, extremes."""
    x = rng.standard_normal((8, length)).astype(dtype)
    x[1, 0] = np.nan
    x[2, -1] = np.nan
    x[3, :] = np.nan
    x[4, length // 2] = np.inf
    x[4, 0] = -np.inf
    x[5, :] = np.where(np.arange(length) % 2 == 0, -0.0, 0.0).astype(dtype)
    x[6, :] = -np.inf
    x[7, -1] = np.finfo(dtype).max
    x[7, 0] = np.finfo(dtype).min
    return x


def arg_reference(x, is_max, last):
    """Kiln's rule: the first element is taken whatever it is (NaN too),
    then only strictly better ones (NaN never is), or equal ones for the
    last index."""
    out = np.zeros(x.shape[0], np.int64)
    for r, row in enumerate(x):
        if np.isnan(row[0]) or np.isnan(row).all():
            continue
        best = np.nanmax(row) if is_max else np.nanmin(row)
        hits = np.nonzero(row == best)[0]
        out[r] = hits[-1] if last else hits[0]
    return out


def reference(op, x, absolute, last=False):
    if absolute:
        x = np.abs(x)
    if op.startswith("Arg"):
        return arg_reference(x, op == "ArgMax", last)
    if op == "ReduceMax":
        return np.max(x, axis=-1)
    if op == "ReduceMin":
        return np.min(x, axis=-1)
    with np.errstate(invalid="ignore", over="ignore"):
        m = np.max(x, axis=-1, keepdims=True)
        e = np.exp((x - m).astype(np.float64))
        return (e / e.sum(axis=-1, keepdims=True)).astype(x.dtype)


def main():
    ap = arg_parser(__doc__)
    args = ap.parse_args()
    rng = np.random.RandomState(5)
    tally = Tally()
    cases = []
    for length in (1, 15, 16, 17, 1000, 50257):
        for op in ("ReduceMax", "ReduceMin"):
            cases.append((op, length, np.float32, False))
    cases += [("ReduceMax", 1003, np.float64, False), ("ReduceMin", 9, np.float64, False),
              ("ReduceMax", 1001, np.float32, True), ("Softmax", 1000, np.float32, False)]
    for length in (1, 17, 1000, 50257):
        for op in ("ArgMax", "ArgMin"):
            cases += [(op, length, np.float32, False), (op + "_last", length, np.float32, False)]
    cases += [("ArgMax", 1003, np.float64, False), ("ArgMin_last", 999, np.float64, True)]
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "model.onnx")
        for op, length, dtype, absolute in cases:
            name = f"{op}_{length}_{np.dtype(dtype).name}" + ("_abs" if absolute else "")
            last = op.endswith("_last")
            op = op.removesuffix("_last")
            x = rows(rng, length, dtype)
            if op.startswith("Arg"):
                # Ties: repeated maxima and minima, first and last.
                x[0, length // 3] = x[0, -1] = x[0].max() if length > 2 else x[0, 0]
                x[2, 1:] = x[2, 0] if length > 1 else x[2, 0]
            model(path, op, x.shape, dtype, absolute, last)
            want = reference(op, x, absolute, last)
            outputs, err = run_model(args.kiln_run, args.target, work, path, {"x": x})
            if err is None:
                got = outputs[0]
                if got.shape != want.shape:
                    err = f"shape {got.shape} != {want.shape}"
                elif op == "Softmax":
                    ok = (np.isnan(got) == np.isnan(want)) & \
                        (np.isnan(want) | (np.abs(got - want) <= 1e-6))
                    if not ok.all():
                        at = tuple(int(a[0]) for a in np.nonzero(~ok))
                        err = f"differs at {at}: {got[at]} vs {want[at]}"
                else:
                    ok = (got == want) | (np.isnan(got) & np.isnan(want))
                    if not ok.all():
                        at = tuple(int(a[0]) for a in np.nonzero(~ok))
                        err = f"row {at}: {got[at]} vs {want[at]}"
            tally.add(name, err)
        for name, op, x, keepdims, want in whole_tensor_cases(rng):
            whole_model(path, op, x, keepdims)
            outputs, err = run_model(args.kiln_run, args.target, work, path, {"x": x})
            if err is None:
                got, want = outputs[0], np.asarray(want)
                if got.shape != want.shape or got.dtype != want.dtype:
                    err = f"{got.dtype}{got.shape} != {want.dtype}{want.shape}"
                elif np.isnan(want).any() or x.dtype == np.int32 or op in ("ReduceMax", "ReduceMin"):
                    if not ((got == want) | (np.isnan(got) & np.isnan(want))).all():
                        err = f"{got} vs {want}"
                elif not np.allclose(got, want, rtol=1e-5, atol=1e-6 * np.abs(x).sum()):
                    err = f"{got} vs {want}"
            tally.add(name, err)
    return tally.exit_code()


if __name__ == "__main__":
    sys.exit(main())

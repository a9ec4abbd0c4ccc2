#!/usr/bin/env python3
"""Integer products (MatMulInteger, QLinearMatMul, ConvInteger,
QLinearConv) on every CPU path, exactly, against numpy in int64.

Kiln runs them on oneDNN as u8 x s8 -> s32 with the zero points'
arithmetic around the call (backends/cpu/SelectIntegerProducts.cpp): each
case covers one way that arithmetic can go (u8 or s8 on each side, zero
points none, scalar, per row, per column, per output channel, weights
constant or given at run time, a constant whose columns need a shift into
s8, batches, padding, strides, groups). Every case is compiled with the
default kernels, where the kernel report must show the product on oneDNN
("u8s8s32"; the cases named "codegen" must stay in generated code), and
with --cpu-kernels=codegen, and run with 1 and 2 threads; all results must
equal the reference exactly.

  integer_products.py --kiln-run BIN [--cases NAME...]
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernel_paths import kernel_report, run  # noqa: E402

TYPES = {np.uint8: TensorProto.UINT8, np.int8: TensorProto.INT8,
         np.int32: TensorProto.INT32, np.float32: TensorProto.FLOAT}


def ints(rng, dtype, shape):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max + 1, shape).astype(dtype)


def matmul_ref(a, b, az, bz):
    """(A - az)(B - bz) in int64; az per row ([M]) or scalar, bz per
    column ([N]) or scalar."""
    a = a.astype(np.int64)
    b = b.astype(np.int64)
    if az is not None:
        a = a - (az.astype(np.int64)[:, None] if az.ndim == 1 else az.astype(np.int64))
    if bz is not None:
        b = b - bz.astype(np.int64)
    return np.matmul(a, b)


def conv_ref(x, w, xz, wz, pads, strides, dilations, group):
    """Convolution of (x - xz) by (w - wz) in int64, padding with zeros
    after the shift (ONNX pads the input with its zero point)."""
    x = x.astype(np.int64) - (0 if xz is None else int(xz))
    w = w.astype(np.int64)
    if wz is not None:
        w = w - (wz.astype(np.int64).reshape(-1, 1, 1, 1) if wz.ndim == 1 else int(wz))
    n, c, h, wd = x.shape
    k, cg, r, s = w.shape
    xp = np.zeros((n, c, h + pads[0] + pads[2], wd + pads[1] + pads[3]), np.int64)
    xp[:, :, pads[0]:pads[0] + h, pads[1]:pads[1] + wd] = x
    p = (xp.shape[2] - dilations[0] * (r - 1) - 1) // strides[0] + 1
    q = (xp.shape[3] - dilations[1] * (s - 1) - 1) // strides[1] + 1
    out = np.zeros((n, k, p, q), np.int64)
    kg = k // group
    for i in range(r):
        for j in range(s):
            tap = xp[:, :, i * dilations[0]:i * dilations[0] + (p - 1) * strides[0] + 1:strides[0],
                     j * dilations[1]:j * dilations[1] + (q - 1) * strides[1] + 1:strides[1]]
            for g in range(group):
                out[:, g * kg:(g + 1) * kg] += np.einsum(
                    "ncpq,kc->nkpq", tap[:, g * cg:(g + 1) * cg], w[g * kg:(g + 1) * kg, :, i, j])
    return out


def requantize(acc, scale, zp, out_dtype):
    """saturate(round_half_even(float32(acc) * scale) + zp), as the ONNX
    operators define it, in float32."""
    y = np.round(acc.astype(np.float32) * scale.astype(np.float32))
    y = y + np.float32(zp)
    info = np.iinfo(out_dtype)
    return np.clip(y, info.min, info.max).astype(out_dtype)


# --- MatMulInteger ---------------------------------------------------------

def mmi(m, k, n, at, bt, az="scalar", bz="scalar", b_const=False, batch_a=(),
        batch_b=(), b_values=None):
    """az: None, "scalar", "row" (constants) or "runtime" (a graph input, as
    DynamicQuantizeLinear gives); bz: None, "scalar" or "column"."""
    def case(rng):
        a = ints(rng, at, batch_a + (m, k))
        b = b_values(rng) if b_values else ints(rng, bt, batch_b + (k, n))
        azv = ints(rng, at, (m,)) if az == "row" else ints(rng, at, ()) if az else None
        bzv = ints(rng, bt, (n,)) if bz == "column" else ints(rng, bt, ()) if bz else None
        ordered = [("a", a), ("b", b)]
        if azv is not None or bzv is not None:
            ordered.append(("az", azv) if azv is not None else ("", None))
        if bzv is not None:
            ordered.append(("bz", bzv))
        runtime = {"a"} | (set() if b_const else {"b"}) | \
            ({"az"} if az == "runtime" else set())
        ref = matmul_ref(a, b, azv, bzv).astype(np.int32)
        m_, inputs = build_optional("MatMulInteger", ordered, runtime, np.int32, ref.shape)
        return m_, inputs, ref
    return case


def build_optional(op, ordered, runtime, out_dtype, out_shape, attrs=None):
    """build() with "" names for skipped optional inputs."""
    node = helper.make_node(op, [n for n, _ in ordered], ["y"], **(attrs or {}))
    present = [(n, a) for n, a in ordered if n]
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(n, TYPES[a.dtype.type], a.shape)
         for n, a in present if n in runtime],
        [helper.make_tensor_value_info("y", TYPES[out_dtype], out_shape)],
        [numpy_helper.from_array(a, n) for n, a in present if n not in runtime])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    return m, {n: a for n, a in present if n in runtime}


def extreme_columns(k, n):
    """s8 weights spanning [-128, 127] in every column: with a negative
    zero point their values leave s8 and each column needs a shift."""
    def make(rng):
        b = ints(rng, np.int8, (k, n))
        b[0, :] = -128
        b[1, :] = 127
        return b
    return make


# --- QLinearMatMul ---------------------------------------------------------

def qlmm(m, k, n, at, bt, yt, b_const=True):
    def case(rng):
        a, b = ints(rng, at, (m, k)), ints(rng, bt, (k, n))
        az, bz, yz = ints(rng, at, ()), ints(rng, bt, ()), ints(rng, yt, ())
        as_, bs = np.float32(0.02), np.float32(0.005)
        ys = np.float32(0.05 * np.sqrt(k))
        acc = matmul_ref(a, b, az, bz)
        ref = requantize(acc, np.float32(as_ * bs / ys), yz, yt)
        ordered = [("a", a), ("as", np.array(as_)), ("az", az), ("b", b),
                   ("bs", np.array(bs)), ("bz", bz), ("ys", np.array(ys)), ("yz", yz)]
        runtime = {"a"} | (set() if b_const else {"b"})
        m_, inputs = build_optional("QLinearMatMul", ordered, runtime, yt, ref.shape)
        return m_, inputs, ref
    return case


# --- ConvInteger and QLinearConv -------------------------------------------

def convi(n, c, h, w, k, r, s, xt, wt, xz=True, wz=None, w_const=True,
          pads=(1, 1, 1, 1), strides=(1, 1), dilations=(1, 1), group=1):
    def case(rng):
        x = ints(rng, xt, (n, c, h, w))
        wv = ints(rng, wt, (k, c // group, r, s))
        xzv = ints(rng, xt, ()) if xz else None
        wzv = None
        if wz == "scalar":
            wzv = np.array(128 if wt == np.uint8 else 0, wt)
        ordered = [("x", x), ("w", wv)]
        if xz or wzv is not None:
            ordered.append(("xz", xzv) if xzv is not None else ("", None))
        if wzv is not None:
            ordered.append(("wz", wzv))
        runtime = {"x"} | (set() if w_const else {"w"})
        ref = conv_ref(x, wv, xzv, wzv, pads, strides, dilations, group).astype(np.int32)
        attrs = {"pads": list(pads), "strides": list(strides),
                 "dilations": list(dilations), "group": group,
                 "kernel_shape": [r, s]}
        m_, inputs = build_optional("ConvInteger", ordered, runtime, np.int32, ref.shape, attrs)
        return m_, inputs, ref
    return case


def qlconv(n, c, h, w, k, xt, wt, per_channel, bias, yt=np.uint8, group=1,
           strides=(1, 1)):
    def case(rng):
        x = ints(rng, xt, (n, c, h, w))
        wv = ints(rng, wt, (k, c // group, 3, 3))
        xz, yz = ints(rng, xt, ()), ints(rng, yt, ())
        wz = np.array(128 if wt == np.uint8 else 0, wt)
        xs, ys = np.float32(0.02), np.float32(0.3)
        ws = (rng.random(k).astype(np.float32) * 0.01 + 0.001) if per_channel \
            else np.array(np.float32(0.004))
        wzv = np.full((k,), wz, wt) if per_channel else wz
        acc = conv_ref(x, wv, xz, wzv, (1, 1, 1, 1), strides, (1, 1), group)
        ordered = [("x", x), ("xs", np.array(xs)), ("xz", xz), ("w", wv),
                   ("ws", ws), ("wz", wzv), ("ys", np.array(ys)), ("yz", yz)]
        if bias:
            bv = rng.integers(-5000, 5000, (k,)).astype(np.int32)
            acc = acc + bv.reshape(1, k, 1, 1)
            ordered.append(("b", bv))
        scale = (xs * ws / ys).astype(np.float32)
        scale = scale.reshape(1, k, 1, 1) if per_channel else scale
        ref = requantize(acc, scale, yz, yt)
        attrs = {"pads": [1, 1, 1, 1], "strides": list(strides), "group": group}
        m_, inputs = build_optional("QLinearConv", ordered, {"x"}, yt, ref.shape, attrs)
        return m_, inputs, ref
    return case


U8, S8 = np.uint8, np.int8
CASES = {
    "mmi_u8u8_runtime": mmi(7, 13, 5, U8, U8),
    "mmi_s8s8_runtime": mmi(3, 17, 11, S8, S8),
    "mmi_u8s8_const_no_bz": mmi(1, 31, 17, U8, S8, bz=None, b_const=True),
    "mmi_row_column_zero_points": mmi(3, 64, 37, U8, U8, az="row", bz="column", b_const=True),
    "mmi_s8_lhs_u8_const": mmi(5, 29, 16, S8, U8, b_const=True),
    "mmi_no_zero_points": mmi(4, 23, 9, U8, S8, az=None, bz=None),
    "mmi_runtime_lhs_zero_point": mmi(2, 130, 19, U8, S8, az="runtime", bz=None, b_const=True),
    "mmi_column_shift": mmi(6, 300, 7, U8, S8, b_const=True,
                            b_values=extreme_columns(300, 7)),
    "mmi_batched_lhs": mmi(5, 19, 11, U8, U8, batch_a=(2,), b_const=True),
    "mmi_batched_both": mmi(7, 9, 4, S8, U8, batch_a=(2, 3), batch_b=(2, 3)),
    "qlmm_u8": qlmm(8, 64, 33, U8, U8, U8),
    "qlmm_s8_runtime": qlmm(3, 47, 10, S8, S8, S8, b_const=False),
    "convi_u8_s8": convi(1, 5, 11, 9, 7, 3, 3, U8, S8, strides=(2, 2)),
    "convi_u8_u8_zero_128": convi(2, 16, 8, 8, 16, 3, 3, U8, U8, wz="scalar"),
    "convi_s8_grouped": convi(1, 12, 7, 10, 6, 3, 1, S8, S8, group=3, pads=(0, 1, 2, 0)),
    "convi_no_zero_point_dilated": convi(1, 4, 13, 13, 3, 3, 3, U8, S8, xz=False,
                                         dilations=(2, 2)),
    "convi_runtime_s8_filter": convi(1, 6, 9, 9, 5, 3, 3, U8, S8, w_const=False),
    "convi_runtime_u8_filter_codegen": convi(1, 3, 6, 6, 4, 3, 3, U8, U8, w_const=False),
    "qlconv_per_channel_bias": qlconv(1, 8, 13, 13, 16, U8, S8, True, True),
    "qlconv_s8_depthwise": qlconv(1, 8, 9, 9, 8, S8, S8, False, False, yt=S8, group=8,
                                  strides=(2, 2)),
    "qlconv_u8_weights": qlconv(1, 16, 10, 10, 8, U8, U8, False, True),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--cases", nargs="*")
    args = ap.parse_args()
    names = args.cases or list(CASES)
    kiln_compile = os.path.join(os.path.dirname(args.kiln_run), "kiln-compile")
    failed = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            m, inputs, ref = CASES[name](np.random.default_rng(11))
            onnx.checker.check_model(m)
            path = os.path.join(tmp, name + ".onnx")
            onnx.save(m, path)
            on_library = "u8s8s32" in kernel_report(kiln_compile, path, tmp, "auto")
            if on_library == name.endswith("codegen"):
                print(f"FAIL {name}: the product is {'' if on_library else 'not '}"
                      "on oneDNN")
                failed += 1
            for kernels in ("auto", "codegen"):
                for threads in (1, 2):
                    total += 1
                    work = os.path.join(tmp, f"{name}.{kernels}.{threads}")
                    os.makedirs(work)
                    got, error = run(args.kiln_run, path, inputs, work, kernels, threads)
                    label = f"{name} [{kernels}, {threads} threads]"
                    if got is None:
                        print(f"FAIL {label}: {error}")
                        failed += 1
                    elif got.shape != ref.shape or got.dtype != ref.dtype or \
                            not np.array_equal(got, ref):
                        diff = np.abs(got.astype(np.int64) - ref).max() \
                            if got.shape == ref.shape else f"shape {got.shape}"
                        print(f"FAIL {label}: max difference {diff}")
                        failed += 1
                    else:
                        print(f"ok   {label}")
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

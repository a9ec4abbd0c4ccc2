#!/usr/bin/env python3
"""Integer products (MatMulInteger, QLinearMatMul, ConvInteger,
QLinearConv, and Conv / MatMul between DequantizeLinear and
QuantizeLinear) on every CPU path, against numpy in int64.

Kiln runs them on oneDNN as u8 x s8 -> s32 with the zero points'
arithmetic around the call (backends/cpu/SelectIntegerProducts.cpp): each
case covers one way that arithmetic can go (u8 or s8 on each side, zero
points none, scalar, per row, per column, per output channel, weights
constant or given at run time, a constant whose columns need a shift into
s8, batches, padding, strides, groups). Every case is compiled with the
default kernels, where the kernel report must show the product on oneDNN
("u8s8s32"; the cases named "codegen" must stay in generated code), and
with --cpu-kernels=codegen, and run with 1 and 2 threads; all results must
equal the reference exactly (the QDQ cases, float between quantized
tensors: within one quantization step in at most 1% of the elements).

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
          pads=(1, 1, 1, 1), strides=(1, 1), dilations=(1, 1), group=1,
          auto_pad=None):
    def case(rng):
        x = ints(rng, xt, (n, c, h, w))
        conv_pads = pads
        if auto_pad:  # ONNX's SAME: outputs ceil(size / stride)
            begin, end = [], []
            for size, kernel, stride, dilation in zip((h, w), (r, s), strides, dilations):
                out = -(-size // stride)
                total = max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - size)
                small, large = total // 2, total - total // 2
                begin.append(small if auto_pad == "SAME_UPPER" else large)
                end.append(large if auto_pad == "SAME_UPPER" else small)
            conv_pads = tuple(begin + end)
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
        ref = conv_ref(x, wv, xzv, wzv, conv_pads, strides, dilations, group).astype(np.int32)
        attrs = {"strides": list(strides), "dilations": list(dilations), "group": group,
                 "kernel_shape": [r, s]}
        attrs.update({"auto_pad": auto_pad} if auto_pad else {"pads": list(pads)})
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


# --- QDQ: Conv / MatMul between DequantizeLinear and QuantizeLinear -------

def qdq_graph(nodes, x, inits, out_shape, yt):
    g = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("xq", TYPES[x.dtype.type], x.shape)],
        [helper.make_tensor_value_info("y", TYPES[yt], out_shape)],
        [numpy_helper.from_array(np.asarray(a), n) for n, a in inits])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def qdq_conv(n, c, h, w, k, wt, per_channel, bias, relu, strides=(1, 1), group=1):
    """DQ(x), DQ(w) (per output channel or not), DQ(int32 bias), Conv,
    Relu, QuantizeLinear: imported as an integer convolution scaled back
    to float (lib/frontend/onnx/ops/QdqProducts.cpp)."""
    def case(rng):
        x = ints(rng, U8, (n, c, h, w))
        wq = ints(rng, wt, (k, c // group, 3, 3))
        xs, xz = np.float32(0.03), np.array(117, U8)
        ws = (rng.random(k) * 0.01 + 0.002).astype(np.float32) if per_channel \
            else np.float32(0.004)
        wz = np.full(k, 128 if wt == U8 else 0, wt) if per_channel \
            else np.array(128 if wt == U8 else 0, wt)
        ys, yz = np.float32(0.07), np.array(9, U8)
        nodes = [helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["x"]),
                 helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["w"], axis=0)]
        inits = [("xs", xs), ("xz", xz), ("wq", wq), ("ws", ws), ("wz", wz),
                 ("ys", ys), ("yz", yz)]
        conv_in = ["x", "w"]
        acc = conv_ref(x, wq, xz, wz, (1, 1, 1, 1), strides, (1, 1), group)
        scale = (np.float32(xs) * ws).astype(np.float32)
        y = acc.astype(np.float32) * (scale.reshape(1, k, 1, 1) if per_channel else scale)
        if bias:
            bq = rng.integers(-3000, 3000, k).astype(np.int32)
            bs = (np.float32(xs) * ws).astype(np.float32) if per_channel else scale
            nodes.append(helper.make_node("DequantizeLinear", ["bq", "bs"], ["b"], axis=0))
            inits += [("bq", bq), ("bs", bs)]
            conv_in.append("b")
            y = y + (bq.astype(np.float32) * bs).astype(np.float32).reshape(1, k, 1, 1)
        nodes.append(helper.make_node("Conv", conv_in, ["c"], pads=[1, 1, 1, 1],
                                      strides=list(strides), group=group))
        last = "c"
        if relu:
            nodes.append(helper.make_node("Relu", ["c"], ["r"]))
            last, y = "r", np.maximum(y, 0)
        nodes.append(helper.make_node("QuantizeLinear", [last, "ys", "yz"], ["y"]))
        ref = requantize_div(y, ys, yz, U8)
        return qdq_graph(nodes, x, inits, ref.shape, U8), {"xq": x}, ref
    return case


def qdq_matmul(batch, m, k, n, bt, per_column):
    def case(rng):
        a = ints(rng, U8, batch + (m, k))
        bq = ints(rng, bt, (k, n))
        az, asc = np.array(131, U8), np.float32(0.02)
        bs = (rng.random(n) * 0.01 + 0.002).astype(np.float32) if per_column \
            else np.float32(0.005)
        bz = np.full(n, 128 if bt == U8 else 0, bt) if per_column \
            else np.array(128 if bt == U8 else 0, bt)
        ys, yz = np.float32(0.1 * np.sqrt(k)), np.array(128, U8)
        nodes = [helper.make_node("DequantizeLinear", ["xq", "as", "az"], ["a"]),
                 helper.make_node("DequantizeLinear", ["bq", "bs", "bz"], ["b"], axis=1),
                 helper.make_node("MatMul", ["a", "b"], ["p"]),
                 helper.make_node("QuantizeLinear", ["p", "ys", "yz"], ["y"])]
        acc = matmul_ref(a, bq, az, bz)
        y = acc.astype(np.float32) * (np.float32(asc) * bs).astype(np.float32)
        ref = requantize_div(y, ys, yz, U8)
        inits = [("as", asc), ("az", az), ("bq", bq), ("bs", bs), ("bz", bz),
                 ("ys", ys), ("yz", yz)]
        return qdq_graph(nodes, a, inits, ref.shape, U8), {"xq": a}, ref
    return case


def requantize_div(y, scale, zp, out_dtype):
    """QuantizeLinear: saturate(round_half_even(y / scale) + zp), in float32."""
    q = np.round((y / np.float32(scale)).astype(np.float32)) + np.float32(zp)
    info = np.iinfo(out_dtype)
    return np.clip(q, info.min, info.max).astype(out_dtype)


def dynamic(case_fn, axes):
    """`case_fn`'s model with the given axes of its input `x` (or `a`) and of
    its output known only at run time (a batch, a sequence, an image size):
    the same products must still go to oneDNN, sized at run time."""
    def case(rng):
        m, inputs, ref = case_fn(rng)
        for value in list(m.graph.input) + list(m.graph.output):
            if value.name not in ("x", "xq", "a", "y"):
                continue
            dims = value.type.tensor_type.shape.dim
            for axis in axes:
                dims[axis].Clear()
                dims[axis].dim_param = f"d{axis}"
        return m, inputs, ref
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
    "qlconv_per_channel_144": qlconv(1, 16, 5, 6, 144, U8, S8, True, True),
    "qdq_conv_per_channel_bias_relu": qdq_conv(1, 8, 20, 20, 16, S8, True, True, True),
    "qdq_conv_u8_weights_strided": qdq_conv(2, 16, 9, 11, 8, U8, False, False, False,
                                            strides=(2, 2)),
    "qdq_conv_depthwise": qdq_conv(1, 12, 10, 10, 12, S8, True, True, True, group=12),
    # 160 scales and biases: folded into dense_resource blobs, which the
    # requantization reads as it reads small dense constants.
    "qdq_conv_160_channels": qdq_conv(1, 32, 6, 7, 160, S8, True, True, True),
    "qdq_matmul_per_column": qdq_matmul((), 5, 64, 33, S8, True),
    "qdq_matmul_batched_u8": qdq_matmul((2,), 7, 48, 20, U8, False),
    # Sizes known only at run time.
    "dynamic_mmi_batched_rows": dynamic(
        mmi(5, 19, 11, U8, U8, batch_a=(2,), b_const=True), (0, 1)),
    "dynamic_convi_strided": dynamic(
        convi(2, 5, 11, 9, 7, 3, 3, U8, S8, strides=(2, 2)), (0, 2, 3)),
    # auto_pad SAME along strided axes: the padding is computed when the
    # call runs (10 rows: 1 at the top, none at the bottom).
    "dynamic_convi_same_lower_strided": dynamic(
        convi(2, 5, 10, 9, 7, 3, 3, U8, S8, strides=(2, 2), auto_pad="SAME_LOWER"),
        (0, 2, 3)),
    "dynamic_qlconv_per_channel_bias": dynamic(
        qlconv(1, 8, 13, 13, 16, U8, S8, True, True), (0, 2, 3)),
    "dynamic_qdq_conv_relu": dynamic(
        qdq_conv(2, 16, 9, 11, 8, S8, True, True, True, strides=(2, 2)), (0, 2, 3)),
}

# QDQ cases are float between the quantized tensors: a product scaled in
# float may round one quantization step away from the reference where
# LLVM contracts a multiply and an add (FMA).
STEP_TOLERANT = ("qdq_", "dynamic_qdq_")


def close(name, got, ref):
    """Exactly equal, or for the QDQ cases within one quantization step in
    at most 1% of the elements."""
    if np.array_equal(got, ref):
        return True
    if not name.startswith(STEP_TOLERANT):
        return False
    diff = np.abs(got.astype(np.int64) - ref)
    return diff.max() <= 1 and np.count_nonzero(diff) <= 0.01 * diff.size


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
                            not close(name, got, ref):
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

#!/usr/bin/python3
"""Operators as opsets 18 to 21 define them, checked against numpy.

Debian's onnx 1.12 knows opsets up to 17, so these models are built here
directly (onnx.helper writes the protobuf; the checker is not run) and the
expected outputs are computed with numpy from the ONNX operator
specification, independently of Kiln. Each case compiles and runs through
kiln-run. Cases under "errors" must fail with the given message.

  opset_18_21.py --kiln-run BIN [--cases NAME...] [--dynamic]

With --dynamic every input dimension is made symbolic at import, except in
the few cases listed in DYNAMIC_EXCLUDED, and the error cases are skipped.

The last line printed is "N passed, N failed".
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

np.float = float
np.int = int
np.bool = bool
np.object = object
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

RNG = np.random.default_rng(7)

# Cases that need static shapes, skipped with --dynamic (with the reason).
DYNAMIC_EXCLUDED = {
    "ScatterND_18_max": "the last dimension of indices fixes the slice rank",
}
CASES = {}
ERRORS = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def error_case(message):
    def wrap(fn):
        ERRORS[fn.__name__] = (fn, message)
        return fn
    return wrap


def randn(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def tensor_type(dtype):
    from onnx.mapping import NP_TYPE_TO_TENSOR_TYPE
    return NP_TYPE_TO_TENSOR_TYPE[np.dtype(dtype)]


def model(opset, nodes, inputs, outputs, initializers=()):
    """inputs: {name: array} fed at run time; outputs: {name: expected};
    initializers: {name: array} stored in the model."""
    def vi(name, a):
        return helper.make_tensor_value_info(
            name, tensor_type(a.dtype), list(a.shape))
    graph = helper.make_graph(
        nodes, "g", [vi(k, v) for k, v in inputs.items()],
        [helper.make_tensor_value_info(k, tensor_type(
            v.dtype), None) for k, v in outputs.items()],
        [numpy_helper.from_array(v, k) for k, v in dict(initializers).items()])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m, inputs, outputs


# --- Reductions: axes became an input (ReduceSum at 13, the rest at 18) ---

REDUCTIONS = {
    "ReduceSum": lambda x, a, k: np.sum(x, axis=a, keepdims=k),
    "ReduceMean": lambda x, a, k: np.mean(x, axis=a, keepdims=k),
    "ReduceMax": lambda x, a, k: np.max(x, axis=a, keepdims=k),
    "ReduceMin": lambda x, a, k: np.min(x, axis=a, keepdims=k),
    "ReduceProd": lambda x, a, k: np.prod(x, axis=a, keepdims=k),
    "ReduceL1": lambda x, a, k: np.sum(np.abs(x), axis=a, keepdims=k),
    "ReduceL2": lambda x, a, k: np.sqrt(np.sum(x * x, axis=a, keepdims=k)),
    "ReduceSumSquare": lambda x, a, k: np.sum(x * x, axis=a, keepdims=k),
    "ReduceLogSum": lambda x, a, k: np.log(np.sum(x, axis=a, keepdims=k)),
    "ReduceLogSumExp": lambda x, a, k: np.log(np.sum(np.exp(x), axis=a,
                                                     keepdims=k)),
}


def reduction_case(op, keepdims, axes_as_input):
    def build():
        x = np.abs(randn(3, 4, 5)) + 0.5
        axes = np.array([0, -1], dtype=np.int64)
        want = REDUCTIONS[op](x.astype(np.float64), (0, 2),
                              bool(keepdims)).astype(np.float32)
        node = helper.make_node(op, ["x", "axes"], ["y"], keepdims=keepdims)
        if axes_as_input:
            return model(18, [node], {"x": x, "axes": axes}, {"y": want})
        return model(18, [node], {"x": x}, {"y": want}, {"axes": axes})
    build.__name__ = (f"{op}_18_keepdims{keepdims}_"
                      f"{'runtime' if axes_as_input else 'constant'}_axes")
    return build


for _op in REDUCTIONS:
    for _k in (0, 1):
        case(reduction_case(_op, _k, False))
    case(reduction_case(_op, 1, True))


@case
def ReduceMax_18_no_axes_reduces_all():
    x = randn(2, 3)
    return model(18, [helper.make_node("ReduceMax", ["x"], ["y"], keepdims=0)],
                 {"x": x}, {"y": np.array(x.max(), dtype=np.float32)})


@case
def ReduceMean_18_empty_axes_noop():
    x = randn(2, 3)
    return model(18, [helper.make_node("ReduceMean", ["x", "axes"], ["y"],
                                       noop_with_empty_axes=1)],
                 {"x": x}, {"y": x}, {"axes": np.zeros([0], np.int64)})


@case
def ReduceMax_20_bool():
    x = RNG.random((3, 4)) > 0.6
    return model(20, [helper.make_node("ReduceMax", ["x", "axes"], ["y"],
                                       keepdims=0)],
                 {"x": x}, {"y": x.any(axis=1)},
                 {"axes": np.array([1], np.int64)})


@case
def ReduceMin_20_bool():
    x = RNG.random((3, 4)) > 0.3
    return model(20, [helper.make_node("ReduceMin", ["x", "axes"], ["y"],
                                       keepdims=1)],
                 {"x": x}, {"y": x.all(axis=0, keepdims=True)},
                 {"axes": np.array([0], np.int64)})


# --- Split: num_outputs (18) ---

@case
def Split_18_num_outputs_uneven():
    x = randn(7, 3)
    node = helper.make_node("Split", ["x"], ["a", "b", "c"], axis=0,
                            num_outputs=3)
    return model(18, [node], {"x": x}, {"a": x[0:3], "b": x[3:6], "c": x[6:7]})


@case
def Split_18_num_outputs_even():
    x = randn(2, 6)
    node = helper.make_node("Split", ["x"], ["a", "b"], axis=-1, num_outputs=2)
    return model(18, [node], {"x": x}, {"a": x[:, :3], "b": x[:, 3:]})


# --- Pad: axes input (18), wrap mode (19) ---

@case
def Pad_18_axes_input():
    x = randn(2, 3, 4)
    node = helper.make_node("Pad", ["x", "pads", "value", "axes"], ["y"])
    want = np.pad(x, [(0, 0), (1, 2), (0, 0)], constant_values=1.5)
    return model(18, [node], {"x": x}, {"y": want},
                 {"pads": np.array([1, 2], np.int64),
                  "value": np.array(1.5, np.float32),
                  "axes": np.array([-2], np.int64)})


@case
def Pad_19_wrap():
    x = randn(3, 4)
    node = helper.make_node("Pad", ["x", "pads"], ["y"], mode="wrap")
    want = np.pad(x, [(1, 2), (3, 0)], mode="wrap")
    return model(19, [node], {"x": x}, {"y": want},
                 {"pads": np.array([1, 3, 2, 0], np.int64)})


@case
def Pad_21_reflect_int8():
    x = RNG.integers(-100, 100, (4, 5)).astype(np.int8)
    node = helper.make_node("Pad", ["x", "pads"], ["y"], mode="reflect")
    want = np.pad(x, [(2, 1), (0, 3)], mode="reflect")
    return model(21, [node], {"x": x}, {"y": want},
                 {"pads": np.array([2, 0, 1, 3], np.int64)})


# --- ScatterElements / ScatterND: max and min reductions (18) ---

def scatter_elements_ref(data, indices, updates, axis, reduction):
    out = data.copy()
    for idx in np.ndindex(*indices.shape):
        target = list(idx)
        target[axis] = indices[idx]
        t = tuple(target)
        u = updates[idx]
        out[t] = {"max": max, "min": min}[reduction](out[t], u)
    return out


@case
def ScatterElements_18_max():
    data = randn(3, 4)
    indices = np.array([[1, 0, 3], [2, 2, 1]], np.int64)
    updates = randn(2, 3)
    want = scatter_elements_ref(data, indices, updates, 1, "max")
    node = helper.make_node("ScatterElements", ["d", "i", "u"], ["y"], axis=1,
                            reduction="max")
    return model(18, [node], {"d": data, "i": indices, "u": updates},
                 {"y": want})


@case
def ScatterElements_18_min_duplicates():
    data = randn(4, 2)
    indices = np.array([[1, 1], [1, 0], [3, 1]], np.int64)
    updates = randn(3, 2)
    want = scatter_elements_ref(data, indices, updates, 0, "min")
    node = helper.make_node("ScatterElements", ["d", "i", "u"], ["y"], axis=0,
                            reduction="min")
    return model(18, [node], {"d": data, "i": indices, "u": updates},
                 {"y": want})


@case
def ScatterND_18_max():
    data = randn(4, 3)
    indices = np.array([[2], [0], [2]], np.int64)
    updates = randn(3, 3)
    want = data.copy()
    for k in range(3):
        want[indices[k, 0]] = np.maximum(want[indices[k, 0]], updates[k])
    node = helper.make_node("ScatterND", ["d", "i", "u"], ["y"],
                            reduction="max")
    return model(18, [node], {"d": data, "i": indices, "u": updates},
                 {"y": want})


# --- Bitwise operators (18) ---

def bitwise(op, fn, dtype):
    def build():
        info = np.iinfo(dtype)
        a = RNG.integers(info.min, info.max, (3, 4), endpoint=True).astype(dtype)
        b = RNG.integers(info.min, info.max, (4,), endpoint=True).astype(dtype)
        node = helper.make_node(op, ["a", "b"], ["y"])
        return model(18, [node], {"a": a, "b": b}, {"y": fn(a, b)})
    build.__name__ = f"{op}_18_{np.dtype(dtype).name}"
    return build


for _dt in (np.int32, np.uint8, np.int64):
    case(bitwise("BitwiseAnd", np.bitwise_and, _dt))
    case(bitwise("BitwiseOr", np.bitwise_or, _dt))
    case(bitwise("BitwiseXor", np.bitwise_xor, _dt))


@case
def BitwiseNot_18_int16():
    x = RNG.integers(-30000, 30000, (5,)).astype(np.int16)
    return model(18, [helper.make_node("BitwiseNot", ["x"], ["y"])],
                 {"x": x}, {"y": np.invert(x)})


# --- Activations: Mish (18), Gelu (20) ---

@case
def Mish_18():
    x = randn(4, 5) * 3
    want = x * np.tanh(np.log1p(np.exp(x.astype(np.float64))))
    return model(18, [helper.make_node("Mish", ["x"], ["y"])], {"x": x},
                 {"y": want.astype(np.float32)})


@case
def Gelu_20_none():
    x = randn(3, 7) * 2
    erf = np.vectorize(math.erf)
    want = 0.5 * x * (1 + erf(x.astype(np.float64) / math.sqrt(2)))
    return model(20, [helper.make_node("Gelu", ["x"], ["y"])], {"x": x},
                 {"y": want.astype(np.float32)})


@case
def Gelu_20_tanh():
    x = randn(3, 7) * 2
    xd = x.astype(np.float64)
    want = 0.5 * xd * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                   (xd + 0.044715 * xd ** 3)))
    return model(20, [helper.make_node("Gelu", ["x"], ["y"],
                                       approximate="tanh")],
                 {"x": x}, {"y": want.astype(np.float32)})


# --- GroupNormalization: per-group scale (18), per-channel scale (21) ---

def group_norm_ref(x, groups, eps):
    n, c = x.shape[:2]
    g = x.reshape(n, groups, -1).astype(np.float64)
    mean = g.mean(axis=2, keepdims=True)
    var = g.var(axis=2, keepdims=True)
    return ((g - mean) / np.sqrt(var + eps)).reshape(x.shape)


@case
def GroupNormalization_18_per_group_scale():
    x = randn(2, 6, 3, 3)
    scale, bias = randn(3), randn(3)
    norm = group_norm_ref(x, 3, 1e-5).reshape(2, 3, 2, 3, 3)
    want = (norm * scale[None, :, None, None, None] +
            bias[None, :, None, None, None]).reshape(x.shape)
    node = helper.make_node("GroupNormalization", ["x", "s", "b"], ["y"],
                            num_groups=3)
    return model(18, [node], {"x": x, "s": scale, "b": bias},
                 {"y": want.astype(np.float32)})


@case
def GroupNormalization_21_per_channel_scale():
    x = randn(2, 6, 5)
    scale, bias = randn(6), randn(6)
    want = group_norm_ref(x, 2, 1e-3) * scale[None, :, None] + bias[None, :, None]
    node = helper.make_node("GroupNormalization", ["x", "s", "b"], ["y"],
                            num_groups=2, epsilon=1e-3)
    return model(21, [node], {"x": x, "s": scale, "b": bias},
                 {"y": want.astype(np.float32)})


# --- CenterCropPad (18) ---

@case
def CenterCropPad_18_crop_and_pad():
    x = randn(5, 4, 3)
    want = np.zeros((3, 7, 3), np.float32)
    want[:, 1:5, :] = x[1:4]
    node = helper.make_node("CenterCropPad", ["x", "shape"], ["y"],
                            axes=[0, 1])
    return model(18, [node], {"x": x}, {"y": want},
                 {"shape": np.array([3, 7], np.int64)})


# --- Pooling: AveragePool dilations (19), LpPool ceil_mode (18) ---

@case
def AveragePool_19_dilations():
    x = randn(1, 2, 7, 7)
    want = np.zeros((1, 2, 2, 2), np.float32)
    for i in range(2):
        for j in range(2):
            win = x[:, :, 2 * i:2 * i + 5:2, 2 * j:2 * j + 5:2]
            want[:, :, i, j] = win.mean(axis=(2, 3))
    node = helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3],
                            strides=[2, 2], dilations=[2, 2])
    return model(19, [node], {"x": x}, {"y": want})


# --- Resize: half_pixel_symmetric (19), axes (18) ---

def linear_1d_weights(n_in, n_out, coord):
    """Per-output (i0, i1, w1) for linear interpolation along one axis."""
    out = []
    for o in range(n_out):
        c = min(max(coord(o), 0.0), n_in - 1)
        i0 = int(math.floor(c))
        i1 = min(i0 + 1, n_in - 1)
        out.append((i0, i1, c - i0))
    return out


def resize_linear_2d(x, out_h, out_w, coord_h, coord_w):
    y = np.zeros(x.shape[:-2] + (out_h, out_w), np.float64)
    wh = linear_1d_weights(x.shape[-2], out_h, coord_h)
    ww = linear_1d_weights(x.shape[-1], out_w, coord_w)
    for i, (a0, a1, fa) in enumerate(wh):
        for j, (b0, b1, fb) in enumerate(ww):
            y[..., i, j] = ((1 - fa) * ((1 - fb) * x[..., a0, b0] + fb * x[..., a0, b1]) +
                            fa * ((1 - fb) * x[..., a1, b0] + fb * x[..., a1, b1]))
    return y.astype(np.float32)


@case
def Resize_19_half_pixel_symmetric():
    x = randn(1, 1, 4, 5)
    sizes = np.array([1, 1, 6, 3], np.int64)

    def coord(n_in, n_out):
        scale = n_out / n_in
        adj = n_out / (scale * n_in)
        offset = n_in / 2 * (1 - adj)
        return lambda o: offset + (o + 0.5) / scale - 0.5
    want = resize_linear_2d(x, 6, 3, coord(4, 6), coord(5, 3))
    node = helper.make_node("Resize", ["x", "", "", "sizes"], ["y"],
                            mode="linear",
                            coordinate_transformation_mode="half_pixel_symmetric")
    return model(19, [node], {"x": x}, {"y": want}, {"sizes": sizes})


@case
def Resize_18_axes_scales():
    x = randn(1, 2, 3, 4)
    scales = np.array([2.0, 0.5], np.float32)

    def coord(scale):
        return lambda o: (o + 0.5) / scale - 0.5
    want = resize_linear_2d(x, 6, 2, coord(2.0), coord(0.5))
    node = helper.make_node("Resize", ["x", "", "scales"], ["y"],
                            mode="linear", axes=[2, 3])
    return model(18, [node], {"x": x}, {"y": want}, {"scales": scales})


# --- Forms that only changed their type lists (19, 21) ---

@case
def Reshape_21_allowzero():
    x = randn(2, 3, 4)
    node = helper.make_node("Reshape", ["x", "s"], ["y"])
    return model(21, [node], {"x": x}, {"y": x.reshape(2, 12)},
                 {"s": np.array([0, -1], np.int64)})


@case
def Cast_19_saturate_attribute():
    x = randn(3, 4) * 100
    node = helper.make_node("Cast", ["x"], ["y"], to=TensorProto.INT32,
                            saturate=1)
    return model(19, [node], {"x": x}, {"y": x.astype(np.int32)})


@case
def CastLike_21():
    x = randn(3) * 10
    like = np.zeros([1], np.float64)
    node = helper.make_node("CastLike", ["x", "like"], ["y"])
    return model(21, [node], {"x": x}, {"y": x.astype(np.float64)},
                 {"like": like})


@case
def Shape_21_start_end():
    x = randn(2, 3, 4, 5)
    node = helper.make_node("Shape", ["x"], ["y"], start=1, end=-1)
    return model(21, [node], {"x": x}, {"y": np.array([3, 4], np.int64)})


@case
def Size_21():
    x = randn(2, 3, 4)
    return model(21, [helper.make_node("Size", ["x"], ["y"])], {"x": x},
                 {"y": np.array(24, np.int64)})


@case
def Flatten_Transpose_Squeeze_21():
    x = randn(2, 1, 3, 4)
    nodes = [helper.make_node("Squeeze", ["x", "ax"], ["s"]),
             helper.make_node("Transpose", ["s"], ["t"], perm=[2, 0, 1]),
             helper.make_node("Flatten", ["t"], ["y"], axis=1)]
    want = np.transpose(x[:, 0], (2, 0, 1)).reshape(4, 6)
    return model(21, nodes, {"x": x}, {"y": want},
                 {"ax": np.array([1], np.int64)})


@case
def ConstantOfShape_20_int8():
    node = helper.make_node("ConstantOfShape", ["s"], ["y"],
                            value=numpy_helper.from_array(
                                np.array([-3], np.int8)))
    return model(20, [node], {}, {"y": np.full((2, 3), -3, np.int8)},
                 {"s": np.array([2, 3], np.int64)})


@case
def IsInf_IsNaN_20():
    x = np.array([1.0, np.inf, -np.inf, np.nan, 0.0], np.float32)
    nodes = [helper.make_node("IsInf", ["x"], ["inf"], detect_negative=0),
             helper.make_node("IsNaN", ["x"], ["nan"])]
    return model(20, nodes, {"x": x},
                 {"inf": np.isposinf(x), "nan": np.isnan(x)})


@case
def Identity_Where_21_uint16():
    c = RNG.random((3, 4)) > 0.5
    a = RNG.integers(0, 60000, (3, 4)).astype(np.uint16)
    b = RNG.integers(0, 60000, (4,)).astype(np.uint16)
    nodes = [helper.make_node("Identity", ["a"], ["ai"]),
             helper.make_node("Where", ["c", "ai", "b"], ["y"])]
    return model(21, nodes, {"c": c, "a": a, "b": b},
                 {"y": np.where(c, a, b)})


# --- DFT 20: the axis became input 2 (default -2, negatives allowed) ---

def complex_last(c):
    """numpy complex -> ONNX's trailing [real, imaginary] dimension."""
    return np.stack((c.real, c.imag), axis=-1).astype(np.float32)


@case
def DFT_20_axis_input_onesided_padded():
    x = randn(2, 8, 3, 1)
    want = complex_last(np.fft.rfft(x[..., 0].astype(np.float64), n=10, axis=1))
    node = helper.make_node("DFT", ["x", "n", "axis"], ["y"], onesided=1)
    return model(20, [node], {"x": x}, {"y": want},
                 {"n": np.array(10, np.int64), "axis": np.array(-3, np.int64)})


@case
def DFT_20_inverse_default_axis_truncated():
    x = randn(3, 12, 2)
    c = x[..., 0].astype(np.float64) + 1j * x[..., 1]
    want = complex_last(np.fft.ifft(c[:, :8], axis=1))
    node = helper.make_node("DFT", ["x", "n"], ["y"], inverse=1)
    return model(20, [node], {"x": x}, {"y": want},
                 {"n": np.array(8, np.int64)})


# --- RoiAlign 16: coordinate_transformation_mode ---

def roi_align_ref(x, rois, batch, out_h, out_w, ratio, scale, mode, half_pixel):
    """RoiAlign as the ONNX specification describes it, with plain loops."""
    _, channels, height, width = x.shape
    y = np.zeros((len(rois), channels, out_h, out_w))
    offset = 0.5 if half_pixel else 0.0

    def bilinear(img, yy, xx):
        # Returns the four (weight, value) taps of one sample point.
        if yy < -1.0 or yy > height or xx < -1.0 or xx > width:
            return [(0.0, 0.0)] * 4
        yy, xx = max(yy, 0.0), max(xx, 0.0)
        y0, x0 = int(math.floor(yy)), int(math.floor(xx))
        if y0 >= height - 1:
            y0 = y1 = height - 1
            yy = float(y0)
        else:
            y1 = y0 + 1
        if x0 >= width - 1:
            x0 = x1 = width - 1
            xx = float(x0)
        else:
            x1 = x0 + 1
        ly, lx = yy - y0, xx - x0
        return [((1 - ly) * (1 - lx), img[y0, x0]), ((1 - ly) * lx, img[y0, x1]),
                (ly * (1 - lx), img[y1, x0]), (ly * lx, img[y1, x1])]

    for r, (x1, y1, x2, y2) in enumerate(rois.astype(np.float64)):
        sx, sy = x1 * scale - offset, y1 * scale - offset
        rw, rh = x2 * scale - offset - sx, y2 * scale - offset - sy
        if not half_pixel:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / out_h, rw / out_w
        gh = ratio if ratio > 0 else int(math.ceil(rh / out_h))
        gw = ratio if ratio > 0 else int(math.ceil(rw / out_w))
        for c in range(channels):
            img = x[batch[r], c].astype(np.float64)
            for ph in range(out_h):
                for pw in range(out_w):
                    vals = []
                    for iy in range(gh):
                        yy = sy + ph * bh + (iy + 0.5) * bh / gh
                        for ix in range(gw):
                            xx = sx + pw * bw + (ix + 0.5) * bw / gw
                            taps = bilinear(img, yy, xx)
                            if mode == "avg":
                                vals.append(sum(w * v for w, v in taps))
                            else:
                                vals.append(max(w * v for w, v in taps))
                    if mode == "avg":
                        y[r, c, ph, pw] = sum(vals) / max(gh * gw, 1)
                    else:
                        y[r, c, ph, pw] = max(vals)
    return y.astype(np.float32)


ROIS = np.array([[0.5, 1.0, 12.0, 9.5], [3.0, 2.0, 7.5, 14.0],
                 [-2.0, -1.0, 20.0, 18.0], [5.0, 5.0, 5.5, 5.2]], np.float32)


@case
def RoiAlign_16_avg_adaptive_half_pixel():
    x = randn(2, 3, 8, 9)
    batch = np.array([0, 1, 1, 0], np.int64)
    want = roi_align_ref(x, ROIS, batch, 3, 2, 0, 0.5, "avg", True)
    node = helper.make_node("RoiAlign", ["x", "rois", "b"], ["y"],
                            output_height=3, output_width=2, sampling_ratio=0,
                            spatial_scale=0.5,
                            coordinate_transformation_mode="half_pixel")
    return model(16, [node], {"x": x, "rois": ROIS, "b": batch}, {"y": want})


@case
def RoiAlign_16_max_output_half_pixel():
    x = randn(1, 2, 10, 10)
    batch = np.zeros(4, np.int64)
    want = roi_align_ref(x, ROIS, batch, 2, 3, 2, 1.0, "max", False)
    node = helper.make_node("RoiAlign", ["x", "rois", "b"], ["y"], mode="max",
                            output_height=2, output_width=3, sampling_ratio=2,
                            coordinate_transformation_mode="output_half_pixel")
    return model(16, [node], {"x": x, "rois": ROIS, "b": batch}, {"y": want})


# --- Errors ---

@error_case("opset 22")
def opset_22_rejected():
    x = randn(2)
    return model(22, [helper.make_node("Relu", ["x"], ["y"])], {"x": x},
                 {"y": x})


@error_case("num_outputs")
def Split_18_num_outputs_mismatch():
    x = randn(6)
    node = helper.make_node("Split", ["x"], ["a", "b"], num_outputs=3)
    return model(18, [node], {"x": x}, {"a": x, "b": x})


@error_case("num_groups")
def GroupNormalization_18_bad_groups():
    x = randn(1, 6, 2)
    node = helper.make_node("GroupNormalization", ["x", "s", "b"], ["y"],
                            num_groups=4)
    return model(18, [node], {"x": x}, {"y": x},
                 {"s": randn(4), "b": randn(4)})


@error_case("axis -1 out of range")
def DFT_20_axis_on_complex_dimension():
    x = randn(2, 8, 1)
    node = helper.make_node("DFT", ["x", "", "axis"], ["y"])
    return model(20, [node], {"x": x}, {"y": x},
                 {"axis": np.array(-1, np.int64)})


@error_case("coordinate_transformation_mode 'align_corners'")
def RoiAlign_16_unknown_mode():
    x = randn(1, 1, 4, 4)
    node = helper.make_node("RoiAlign", ["x", "rois", "b"], ["y"],
                            coordinate_transformation_mode="align_corners")
    return model(16, [node], {"x": x, "rois": ROIS[:1],
                              "b": np.zeros(1, np.int64)}, {"y": x})


def compare(got, want):
    if got.shape != want.shape:
        return f"shape {got.shape} != expected {want.shape}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype} != expected {want.dtype}"
    if want.dtype.kind == "f":
        if not np.allclose(got, want, rtol=1e-4, atol=1e-5, equal_nan=True):
            return f"max abs diff {np.nanmax(np.abs(got - want)):.3g}"
        return None
    return None if np.array_equal(got, want) else "values differ"


def run_case(kiln_run, name, build, tmp, dynamic):
    m, inputs, outputs = build()
    d = os.path.join(tmp, name)
    os.makedirs(d)
    path = os.path.join(d, "model.onnx")
    onnx.save(m, path)
    cmd = [kiln_run, path, "--output-dir", d]
    if dynamic:
        cmd.append("--force-dynamic")
    for k, v in inputs.items():
        f = os.path.join(d, f"in_{k}.npy")
        np.save(f, v)
        cmd += ["--input", f"{k}={f}"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    return p, d, list(outputs.values())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--cases", nargs="*")
    ap.add_argument("--dynamic", action="store_true")
    args = ap.parse_args()

    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in CASES.items():
            if args.cases and name not in args.cases:
                continue
            if args.dynamic and name in DYNAMIC_EXCLUDED:
                continue
            p, d, wants = run_case(args.kiln_run, name, build, tmp, args.dynamic)
            why = None
            if p.returncode != 0:
                why = (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[0]
            else:
                for i, want in enumerate(wants):
                    got = np.load(os.path.join(d, f"output_{i}.npy"))
                    why = compare(got, np.asarray(want))
                    if why:
                        why = f"output {i}: {why}"
                        break
            print(f"{'PASS' if not why else 'FAIL'} {name}" +
                  (f": {why}" if why else ""))
            passed += not why
            failed += bool(why)
        # Shapes contradicting attributes are import-time errors; in
        # forced-dynamic mode the run-time checks catch them instead.
        for name, (build, message) in ERRORS.items():
            if args.dynamic or (args.cases and name not in args.cases):
                continue
            p, _, _ = run_case(args.kiln_run, name, build, tmp, args.dynamic)
            lines = [l for l in p.stderr.splitlines() if "error" in l]
            ok = p.returncode not in (0,) and p.returncode > 0 and \
                len(lines) >= 1 and message in p.stderr
            print(f"{'PASS' if ok else 'FAIL'} {name}" +
                  ("" if ok else f": rc={p.returncode} {p.stderr.strip()[:200]}"))
            passed += ok
            failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The ops that work along an axis (TopK, Unique, NonMaxSuppression,
CumSum, DFT, STFT) against a reference written here (np.fft for the
transforms), on the sizes and data that the
ONNX node tests leave out: long axes (a vocabulary of 50257, 8000 boxes),
k on both sides of the scan / merge-sort switch (64), k = 0, 1 and n,
ties, NaN, data already in order (the scan's worst case), unsigned and
signed integers, several slices, Unique with and without an axis, running
sums forward, reversed and exclusive on the first, middle and last axis,
transforms of power-of-two lengths (radix 2), others from 64 points
(Bluestein's: composite, prime, padded) and shorter ones (direct sums),
padded, cut, inverse, one-sided, of real and complex signals.

The reference is plain Python: the order is by value (NaN above every
number), ties by position; Unique groups equal values (all NaNs are one)
and reports first occurrences, inverse indices and counts, sorted by value
or by first occurrence.

  axis_ops.py --kiln-run BIN [--target cpu|cuda-emulate] [--scale S]

--target=cuda-emulate runs the GPU's lowering (along-axis=parallel: rank
counting, prefix sums, O(n^2) on the emulating CPU), so --scale shrinks
the long cases there. CumSum is compared exactly on the CPU (the serial
loop adds in numpy's order); the GPU's sums may add in another order (its
long reductions are split), so there they are held to 1e-5 of the running
sum of magnitudes.
"""
import math
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

from kiln_run import arg_parser, run_model, Tally, within

ONNX_TYPE = {np.float32: TensorProto.FLOAT, np.int32: TensorProto.INT32,
             np.int64: TensorProto.INT64, np.uint8: TensorProto.UINT8}


def order_key(v, i, largest):
    """Sort key: NaN above every number, ties by position."""
    nan = isinstance(v, float) and math.isnan(v)
    rank = (1, 0.0) if nan else (0, v)
    if largest:
        rank = (-rank[0], -rank[1])
    return (rank, i)


def ref_top_k(x, k, axis, largest):
    xm = np.moveaxis(x, axis, -1)
    flat = xm.reshape(-1, xm.shape[-1])
    vals = np.empty((flat.shape[0], k), dtype=x.dtype)
    idxs = np.empty((flat.shape[0], k), dtype=np.int64)
    for r, row in enumerate(flat):
        items = row.tolist()
        order = sorted(range(len(items)),
                       key=lambda i: order_key(items[i], i, largest))[:k]
        vals[r] = row[order]
        idxs[r] = order
    shape = xm.shape[:-1] + (k,)
    return (np.moveaxis(vals.reshape(shape), -1, axis),
            np.moveaxis(idxs.reshape(shape), -1, axis))


def ref_unique(x, axis, sorted_):
    rows = (x.reshape(-1, 1) if axis is None
            else np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1))

    def key(row):
        return tuple(("nan",) if isinstance(v, float) and math.isnan(v)
                     else (0.0 if v == 0 else v,) for v in row.tolist())
    first, count, of = {}, {}, []
    for i, row in enumerate(rows):
        kk = key(row)
        if kk not in first:
            first[kk] = i
            count[kk] = 0
        count[kk] += 1
        of.append(kk)
    groups = list(first)  # first-occurrence order
    if sorted_:
        def lex(kk):
            return tuple(((1, 0.0) if e == ("nan",) else (0, e[0])) for e in kk)
        groups.sort(key=lex)
    place = {g: p for p, g in enumerate(groups)}
    y = rows[[first[g] for g in groups]]
    if axis is None:
        y = y.reshape(-1)
    else:
        moved = np.moveaxis(x, axis, 0)
        y = np.moveaxis(y.reshape((len(groups),) + moved.shape[1:]), 0, axis)
    return (y, np.array([first[g] for g in groups], dtype=np.int64),
            np.array([place[g] for g in of], dtype=np.int64),
            np.array([count[g] for g in groups], dtype=np.int64))


def iou_above(p, q, threshold):
    """ONNX NMS's test in float32, corners (y1, x1, y2, x2) in any order."""
    f = np.float32
    y1, y2 = min(p[0], p[2]), max(p[0], p[2])
    x1, x2 = min(p[1], p[3]), max(p[1], p[3])
    v1, v2 = min(q[0], q[2]), max(q[0], q[2])
    u1, u2 = min(q[1], q[3]), max(q[1], q[3])
    ih = max(f(min(y2, v2) - max(y1, v1)), f(0))
    iw = max(f(min(x2, u2) - max(x1, u1)), f(0))
    inter = f(ih * iw)
    union = f(f(f((y2 - y1) * (x2 - x1)) + f((v2 - v1) * (u2 - u1))) - inter)
    return union > 0 and f(inter / union) > threshold


def ref_nms(boxes, scores, max_out, iou_t, score_t):
    out = []
    for b in range(scores.shape[0]):
        for c in range(scores.shape[1]):
            s = scores[b, c].tolist()
            order = sorted(range(len(s)), key=lambda i: (-s[i], i))
            chosen = []
            for i in order:
                if len(chosen) >= max_out or not scores[b, c, i] > score_t:
                    continue
                if not any(iou_above(boxes[b, i], boxes[b, j], iou_t) for j in chosen):
                    chosen.append(i)
            out += [(b, c, i) for i in chosen]
    return (np.array(out, dtype=np.int64).reshape(-1, 3),)


def nms_model(path, boxes_shape, scores_shape):
    f = TensorProto.FLOAT
    inputs = [helper.make_tensor_value_info("boxes", f, list(boxes_shape)),
              helper.make_tensor_value_info("scores", f, list(scores_shape)),
              helper.make_tensor_value_info("max_out", TensorProto.INT64, [1]),
              helper.make_tensor_value_info("iou", f, [1]),
              helper.make_tensor_value_info("score", f, [1])]
    out = helper.make_tensor_value_info("selected", TensorProto.INT64, [None, 3])
    node = helper.make_node("NonMaxSuppression",
                            ["boxes", "scores", "max_out", "iou", "score"], ["selected"])
    graph = helper.make_graph([node], "nms", inputs, [out])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)]),
              path)


def ref_cum_sum(x, axis, exclusive, reverse):
    """numpy's running sum (sequential, in the input's type)."""
    y = np.flip(x, axis) if reverse else x
    s = np.cumsum(y, axis=axis, dtype=x.dtype)
    if exclusive:
        s = np.concatenate([np.zeros_like(np.take(s, [0], axis=axis)),
                            np.take(s, range(s.shape[axis] - 1), axis=axis)],
                           axis=axis)
        # The first exclusive sum is 0 + nothing; the rest add from 0 too.
    s = np.flip(s, axis) if reverse else s
    return (np.ascontiguousarray(s),)


def cum_sum_model(path, shape, dtype, axis, exclusive, reverse):
    x = helper.make_tensor_value_info("x", ONNX_TYPE[dtype], list(shape))
    y = helper.make_tensor_value_info("y", ONNX_TYPE[dtype], list(shape))
    a = helper.make_tensor("axis", TensorProto.INT64, [], [axis])
    node = helper.make_node("CumSum", ["x", "axis"], ["y"],
                            exclusive=int(exclusive), reverse=int(reverse))
    graph = helper.make_graph([node], "cum_sum", [x], [y], [a])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]),
              path)


def ref_dft(x, axis, length, inverse, onesided):
    """np.fft on the complex-as-last-dimension layout of ONNX DFT."""
    z = x[..., 0].astype(np.float64)
    if x.shape[-1] == 2:
        z = z + 1j * x[..., 1]
    y = (np.fft.ifft if inverse else np.fft.fft)(z, n=length, axis=axis)
    if onesided:
        y = np.take(y, range(length // 2 + 1), axis=axis)
    return (np.stack([y.real, y.imag], -1).astype(np.float32),)


def ref_stft(signal, step, window):
    length = len(window)
    frames = 1 + (signal.shape[1] - length) // step
    out = np.empty((signal.shape[0], frames, length // 2 + 1, 2), np.float32)
    for f in range(frames):
        seg = signal[:, f * step:f * step + length, 0].astype(np.float64) * window
        y = np.fft.rfft(seg, axis=1)
        out[:, f, :, 0], out[:, f, :, 1] = y.real, y.imag
    return (out,)


def dft_model(path, shape, axis, length, inverse, onesided):
    f = TensorProto.FLOAT
    out_shape = list(shape)
    out_shape[axis] = length // 2 + 1 if onesided else length
    out_shape[-1] = 2
    consts = [helper.make_tensor("length", TensorProto.INT64, [], [length])]
    node = helper.make_node("DFT", ["x", "length"], ["y"], axis=axis,
                            inverse=int(inverse), onesided=int(onesided))
    graph = helper.make_graph([node], "dft", [helper.make_tensor_value_info(
        "x", f, list(shape))], [helper.make_tensor_value_info("y", f, out_shape)],
        consts)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              path)


def stft_model(path, signal_shape, step, window):
    f = TensorProto.FLOAT
    frames = 1 + (signal_shape[1] - len(window)) // step
    consts = [helper.make_tensor("step", TensorProto.INT64, [], [step]),
              helper.make_tensor("window", f, [len(window)], window.tolist())]
    node = helper.make_node("STFT", ["signal", "step", "window"], ["y"], onesided=1)
    graph = helper.make_graph(
        [node], "stft", [helper.make_tensor_value_info("signal", f, list(signal_shape))],
        [helper.make_tensor_value_info(
            "y", f, [signal_shape[0], frames, len(window) // 2 + 1, 2])], consts)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              path)


def top_k_model(path, shape, dtype, axis, largest):
    x = helper.make_tensor_value_info("x", ONNX_TYPE[dtype], list(shape))
    k = helper.make_tensor_value_info("k", TensorProto.INT64, [1])
    out_shape = [None if d == axis % len(shape) else s for d, s in enumerate(shape)]
    v = helper.make_tensor_value_info("values", ONNX_TYPE[dtype], out_shape)
    i = helper.make_tensor_value_info("indices", TensorProto.INT64, out_shape)
    node = helper.make_node("TopK", ["x", "k"], ["values", "indices"],
                            axis=axis, largest=int(largest))
    graph = helper.make_graph([node], "top_k", [x, k], [v, i])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
              path)


def unique_model(path, shape, dtype, axis, sorted_):
    x = helper.make_tensor_value_info("x", ONNX_TYPE[dtype], list(shape))
    outs = [helper.make_tensor_value_info("y", ONNX_TYPE[dtype], None)] + [
        helper.make_tensor_value_info(n, TensorProto.INT64, [None])
        for n in ("indices", "inverse", "counts")]
    attrs = {"sorted": int(sorted_)}
    if axis is not None:
        attrs["axis"] = axis
    node = helper.make_node("Unique", ["x"], ["y", "indices", "inverse", "counts"],
                            **attrs)
    graph = helper.make_graph([node], "unique", [x], outs)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
              path)


def same(got, want):
    if got.shape != want.shape:
        return f"shape {got.shape} != {want.shape}"
    if got.dtype.kind == "f":
        bad = ~((got == want) | (np.isnan(got) & np.isnan(want)))
    else:
        bad = got != want
    if bad.any():
        at = tuple(int(a[0]) for a in np.nonzero(bad))
        return f"{int(bad.sum())} values differ, first at {at}: {got[at]} vs {want[at]}"
    return None


def close_sum(got, want, x, axis):
    """Within 1e-5 of the running sum of |x| (any order of addition)."""
    if got.shape != want.shape:
        return f"shape {got.shape} != {want.shape}"
    bound = 1e-5 * np.cumsum(np.abs(x.astype(np.float64)), axis=axis).max() + 1e-7
    err = np.abs(got.astype(np.float64) - want)
    if not (err <= bound).all():
        at = np.unravel_index(int(np.argmax(err)), err.shape)
        return f"differs by {err[at]:.3g} (bound {bound:.3g}) at {at}"
    return None


def cases(scale):
    rng = np.random.RandomState(7)
    vocab = max(int(50257 * scale), 70)
    f = np.float32
    logits = rng.randn(1, vocab).astype(f)
    ties = rng.randint(0, 8, size=(3, 500)).astype(f)
    nans = rng.randn(2, 300).astype(f)
    nans[:, ::7] = np.nan
    ascending = np.arange(max(int(5000 * scale), 130), dtype=f).reshape(1, -1)
    ints = rng.randint(-50, 50, size=(4, 200)).astype(np.int32)
    bytes_ = rng.randint(0, 256, size=(2, 300)).astype(np.uint8)
    cols = rng.randn(700, 3).astype(f)
    # (name, x, k, axis, largest)
    for k in (0, 1, 50, 64, 65, 100, vocab):
        yield ("top_k", f"vocab_k{k}", logits, k, -1, True)
    yield ("top_k", "ties_k64", ties, 64, 1, True)
    yield ("top_k", "ties_k300_smallest", ties, 300, 1, False)
    yield ("top_k", "nan_k20", nans, 20, 1, True)
    yield ("top_k", "nan_k300_smallest", nans, 300, 1, False)
    yield ("top_k", "ascending_k64", ascending, 64, 1, True)
    yield ("top_k", "ascending_k65", ascending, 65, 1, True)
    yield ("top_k", "descending_smallest_k64", ascending[:, ::-1].copy(), 64, 1, False)
    yield ("top_k", "int32_k7", ints, 7, 1, True)
    yield ("top_k", "int32_k200_smallest", ints, 200, 1, False)
    yield ("top_k", "uint8_k10", bytes_, 10, 1, True)
    yield ("top_k", "axis0_k5", cols, 5, 0, True)
    yield ("top_k", "one_element", np.array([[3.0]], dtype=f), 1, 1, True)
    many = rng.randint(0, max(int(5000 * scale), 50),
                       size=max(int(20000 * scale), 200)).astype(np.int64)
    floats = rng.randint(-3, 4, size=(40,)).astype(f) * 0.5
    floats[[3, 11, 30]] = np.nan
    floats[5] = -0.0
    rows = rng.randint(0, 3, size=(60, 2)).astype(np.int32)
    # (name, x, axis, sorted)
    yield ("unique", "int64_sorted", many, None, True)
    yield ("unique", "int64_first_occurrence", many, None, False)
    yield ("unique", "float_nan_sorted", floats, None, True)
    yield ("unique", "float_nan_first_occurrence", floats, None, False)
    yield ("unique", "rows_axis0", rows, 0, True)
    yield ("unique", "columns_axis1_first_occurrence", rows.T.copy(), 1, False)
    yield ("unique", "scalar_like", np.array([5], dtype=np.int64), None, True)
    yield ("unique", "all_equal", np.zeros((3, 4), dtype=f), None, True)
    # (name, boxes, scores, max_out, iou, score): boxes of a detector's
    # size (8000 anchors), with ties in the scores.
    count = max(int(8000 * scale), 100)
    centre = rng.rand(2, count, 2).astype(f) * 100
    size = rng.rand(2, count, 2).astype(f) * 20 + 1
    boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=2)
    scores = np.round(rng.rand(2, 3, count), 2).astype(f)
    yield ("nms", "detector", boxes, scores, 200, 0.5, 0.05)
    yield ("nms", "all_kept_small", boxes[:, :50], scores[:, :, :50], 1000, 0.99, 0.0)
    yield ("nms", "none_above_threshold", boxes[:, :50], scores[:, :, :50], 10, 0.5, 2.0)
    # (name, x, axis, exclusive, reverse)
    probs = rng.rand(2, vocab).astype(f)
    yield ("cum_sum", "vocab", probs, 1, False, False)
    yield ("cum_sum", "vocab_reverse_exclusive", probs, 1, True, True)
    cube = rng.randn(6, 40, 5).astype(f)
    for axis in (0, 1, 2):
        yield ("cum_sum", f"axis{axis}", cube, axis, False, False)
        yield ("cum_sum", f"axis{axis}_exclusive", cube, axis, True, False)
        yield ("cum_sum", f"axis{axis}_reverse", cube, axis, False, True)
    mask = rng.randint(0, 2, size=(4, 300)).astype(np.int64)
    yield ("cum_sum", "int64_mask", mask, 1, False, False)
    yield ("cum_sum", "int32_reverse_exclusive", ints, 1, True, True)
    yield ("cum_sum", "one_element", np.array([[2.5]], dtype=f), 1, True, False)
    # (name, x, axis, length, inverse, onesided): x's last dimension is 1
    # (real) or 2 (complex).
    real = rng.randn(3, 512, 1).astype(f)
    cplx = rng.randn(2, 256, 4, 2).astype(f)
    yield ("dft", "real_512", real, 1, 512, False, False)
    yield ("dft", "real_512_onesided", real, 1, 512, False, True)
    yield ("dft", "real_padded_1024", real, 1, 1024, False, False)
    yield ("dft", "real_cut_128", real, 1, 128, False, True)
    yield ("dft", "complex_256_inverse", cplx, 1, 256, True, False)
    yield ("dft", "complex_axis2_4", cplx, 2, 4, False, False)
    # Bluestein (other lengths from 64): composite, prime, just above the
    # threshold, zero-padded past the samples; and a length below it.
    yield ("dft", "real_400_onesided", real, 1, 400, False, True)
    yield ("dft", "complex_97_inverse", cplx, 1, 97, True, False)
    yield ("dft", "complex_65", cplx, 1, 65, False, False)
    yield ("dft", "real_padded_600", real, 1, 600, False, False)
    yield ("dft", "real_48_direct", real, 1, 48, False, True)
    yield ("dft", "one_point", real[:, :1], 1, 1, False, False)
    # (name, signal, step, window): a second of 16 kHz audio, 512-point
    # frames every 160 samples (radix 2), 400-point ones (Bluestein) and
    # 50-point ones (direct sums).
    audio = rng.randn(1, max(int(16000 * scale), 1200), 1).astype(f)
    yield ("stft", "audio_512", audio, 160, np.hanning(512).astype(f))
    yield ("stft", "audio_400", audio[:, :4000], 160, np.hanning(400).astype(f))
    yield ("stft", "audio_50_direct", audio[:, :1000], 25, np.hanning(50).astype(f))


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args()
    tally = Tally()
    with tempfile.TemporaryDirectory() as work:
        model = os.path.join(work, "model.onnx")
        for case in cases(args.scale):
            if case[0] == "top_k":
                _, name, x, k, axis, largest = case
                top_k_model(model, x.shape, x.dtype.type, axis, largest)
                want = ref_top_k(x, k, axis, largest)
                got, err = run_model(args.kiln_run, args.target, work, model,
                               {"x": x, "k": np.array([k], dtype=np.int64)}, 2)
            elif case[0] == "unique":
                _, name, x, axis, sorted_ = case
                unique_model(model, x.shape, x.dtype.type, axis, sorted_)
                want = ref_unique(x, axis, sorted_)
                got, err = run_model(args.kiln_run, args.target, work, model, {"x": x}, 4)
            elif case[0] == "dft":
                _, name, x, axis, length, inverse, onesided = case
                dft_model(model, x.shape, axis, length, inverse, onesided)
                want = ref_dft(x, axis, length, inverse, onesided)
                got, err = run_model(args.kiln_run, args.target, work, model, {"x": x}, 1)
            elif case[0] == "stft":
                _, name, signal, step, window = case
                stft_model(model, signal.shape, step, window)
                want = ref_stft(signal, step, window.astype(np.float64))
                got, err = run_model(args.kiln_run, args.target, work, model, {"signal": signal}, 1)
            elif case[0] == "cum_sum":
                _, name, x, axis, exclusive, reverse = case
                cum_sum_model(model, x.shape, x.dtype.type, axis, exclusive, reverse)
                want = ref_cum_sum(x, axis, exclusive, reverse)
                got, err = run_model(args.kiln_run, args.target, work, model, {"x": x}, 1)
            else:
                _, name, boxes, scores, max_out, iou_t, score_t = case
                nms_model(model, boxes.shape, scores.shape)
                want = ref_nms(boxes, scores, max_out, np.float32(iou_t),
                               np.float32(score_t))
                inputs = {"boxes": boxes, "scores": scores,
                          "max_out": np.array([max_out], dtype=np.int64),
                          "iou": np.array([iou_t], dtype=np.float32),
                          "score": np.array([score_t], dtype=np.float32)}
                got, err = run_model(args.kiln_run, args.target, work, model, inputs, 1)
            if err is None:
                for i, (g, w) in enumerate(zip(got, want)):
                    if case[0] in ("dft", "stft"):
                        # Within 1e-5 of the largest magnitude: float32
                        # storage of f64 sums.
                        err = within(g, w, 1e-5 * float(np.abs(w).max()) + 1e-6)
                    elif case[0] == "cum_sum" and args.target != "cpu" and \
                            g.dtype.kind == "f":
                        err = close_sum(g, w, case[2], case[3])
                    else:
                        err = same(g, w)
                    if err:
                        err = f"output {i}: {err}"
                        break
            tally.add(f"{case[0]} {name}", err)
    return tally.exit_code()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Every CPU kernel path on awkward sizes, against numpy/PyTorch.

Convolutions (2-D, 1-D, weights given at run time), matrix products and
Gemm with fused epilogues, on sizes that
are primes, 1, and not multiples of the vector width, each compiled with
--cpu-kernels=onednn (every one a library call with post-ops: checked in
the kernel report) and =codegen (generated code: the packed GEMM kernel
for the cases named "packed" and matrix-vector loops for those named
"matvec", both also checked in the report, loops for the rest), and run
with 1 and 2 threads (parallel loops split differently).
The references are computed here, independently of Kiln: numpy for the
products, torch.nn.functional for the convolutions.

  kernel_paths.py --kiln-run BIN [--cases NAME...]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import torch
import torch.nn.functional as F

RTOL, ATOL = 1e-4, 1e-4


def make(nodes, inputs, output_shape, initializers):
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, a.shape)
         for n, a in inputs],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, output_shape)],
        [numpy_helper.from_array(a, n) for n, a in initializers])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def gelu(x):
    return 0.5 * x * (1 + torch.erf(torch.from_numpy(x) / np.sqrt(2)).numpy())


def matmul_case(rng, m, k, n, batch=()):
    """MatMul + bias + GELU (Erf form, recognised and fused)."""
    a = rng.standard_normal(batch + (m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    bias = rng.standard_normal((n,)).astype(np.float32)
    s2 = np.array(np.sqrt(2), np.float32)
    half, one = np.array(0.5, np.float32), np.array(1.0, np.float32)
    nodes = [helper.make_node("MatMul", ["a", "b"], ["p"]),
             helper.make_node("Add", ["p", "bias"], ["q"]),
             helper.make_node("Div", ["q", "s2"], ["r"]),
             helper.make_node("Erf", ["r"], ["e"]),
             helper.make_node("Add", ["e", "one"], ["f"]),
             helper.make_node("Mul", ["q", "f"], ["g"]),
             helper.make_node("Mul", ["g", "half"], ["y"])]
    ref = gelu(a @ b + bias)
    return make(nodes, [("a", a)], ref.shape,
                [("b", b), ("bias", bias), ("s2", s2), ("one", one),
                 ("half", half)]), {"a": a}, ref


def batched_case(rng, batch, m, k, n):
    """Batched MatMul of two inputs, the rhs transposed (attention's Q K^T)."""
    a = rng.standard_normal((batch, m, k)).astype(np.float32)
    b = rng.standard_normal((batch, n, k)).astype(np.float32)
    nodes = [helper.make_node("Transpose", ["b"], ["bt"], perm=[0, 2, 1]),
             helper.make_node("MatMul", ["a", "bt"], ["y"])]
    ref = a @ b.transpose(0, 2, 1)
    return make(nodes, [("a", a), ("b", b)], ref.shape, []), \
        {"a": a, "b": b}, ref


def attention_bias_case(rng, batch, heads, m, k, n):
    """Batched Q K^T plus a bias shared by the batch (Swin's relative
    position bias: heads x m x n onto batch x heads x m x n). oneDNN 2.6
    has no JIT kernel for that broadcast as a post-op (only its reference
    one, 100x slower), so the add runs as its own binary primitive."""
    q = rng.standard_normal((batch, heads, m, k)).astype(np.float32)
    kt = rng.standard_normal((batch, heads, n, k)).astype(np.float32)
    bias = rng.standard_normal((1, heads, m, n)).astype(np.float32)
    nodes = [helper.make_node("Transpose", ["kt"], ["t"], perm=[0, 1, 3, 2]),
             helper.make_node("MatMul", ["q", "t"], ["p"]),
             helper.make_node("Add", ["p", "bias"], ["y"])]
    ref = q @ kt.transpose(0, 1, 3, 2) + bias
    return make(nodes, [("q", q), ("kt", kt)], ref.shape, [("bias", bias)]), \
        {"q": q, "kt": kt}, ref


def gemm_case(rng, m, k, n, trans_b, alpha):
    """Gemm with a broadcast C, then ReLU."""
    a = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(np.float32)
    c = rng.standard_normal((n,)).astype(np.float32)
    nodes = [helper.make_node("Gemm", ["a", "b", "c"], ["p"], transB=trans_b,
                              alpha=alpha),
             helper.make_node("Relu", ["p"], ["y"])]
    ref = np.maximum(alpha * (a @ (b.T if trans_b else b)) + c, 0)
    return make(nodes, [("a", a)], ref.shape, [("b", b), ("c", c)]), \
        {"a": a}, ref


def conv_residual_clip(rng, x, wt, bias, ref, **conv_attrs):
    """The model Conv(x, w, bias) + res -> Clip(0, 6), `ref` the
    convolution's own result: a residual input of its shape is drawn, and
    the model, its feeds and the reference returned."""
    res = rng.standard_normal(ref.shape).astype(np.float32)
    lo, hi = np.array(0, np.float32), np.array(6, np.float32)
    nodes = [helper.make_node("Conv", ["x", "w", "bias"], ["p"], **conv_attrs),
             helper.make_node("Add", ["p", "res"], ["q"]),
             helper.make_node("Clip", ["q", "lo", "hi"], ["y"])]
    ref = np.clip(ref + res, 0, 6)
    return make(nodes, [("x", x), ("res", res)], ref.shape,
                [("w", wt), ("bias", bias), ("lo", lo), ("hi", hi)]), \
        {"x": x, "res": res}, ref


def conv_case(rng, n, c, h, w, k, r, stride, pad, groups, dilation=1):
    """Conv + bias, residual Add of a second input, Clip(0, 6)."""
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((k, c // groups, r, r)).astype(np.float32)
    bias = rng.standard_normal((k,)).astype(np.float32)
    ref = F.conv2d(torch.from_numpy(x), torch.from_numpy(wt),
                   torch.from_numpy(bias), stride=stride, padding=pad,
                   dilation=dilation, groups=groups).numpy()
    return conv_residual_clip(rng, x, wt, bias, ref, kernel_shape=[r, r],
                              strides=[stride, stride], pads=[pad] * 4,
                              group=groups, dilations=[dilation, dilation])


def conv1d_case(rng, n, c, length, k, r, stride, pads, groups, dilation=1):
    """1-D Conv + bias, residual Add, Clip(0, 6): on oneDNN it is the 2-D
    convolution over a height of 1, epilogue operands included; asymmetric
    pads."""
    x = rng.standard_normal((n, c, length)).astype(np.float32)
    wt = rng.standard_normal((k, c // groups, r)).astype(np.float32)
    bias = rng.standard_normal((k,)).astype(np.float32)
    ref = F.conv1d(F.pad(torch.from_numpy(x), tuple(pads)), torch.from_numpy(wt),
                   torch.from_numpy(bias), stride=stride, dilation=dilation,
                   groups=groups).numpy()
    return conv_residual_clip(rng, x, wt, bias, ref, kernel_shape=[r],
                              strides=[stride], pads=list(pads), group=groups,
                              dilations=[dilation])


def conv3d_case(rng, n, c, dims, k, kernel, strides, pads, groups, dilations):
    """3-D Conv + bias, residual Add, Clip(0, 6): the graph optimiser makes
    it one 2-D convolution per filter depth over [N * D, C, H, W] and sums
    their depth-shifted outputs (conv3d-as-conv2d); pads as ONNX gives them
    (three begins, three ends)."""
    x = rng.standard_normal((n, c) + tuple(dims)).astype(np.float32)
    wt = (rng.standard_normal((k, c // groups) + tuple(kernel)) * 0.2).astype(np.float32)
    bias = rng.standard_normal((k,)).astype(np.float32)
    torch_pads = (pads[2], pads[5], pads[1], pads[4], pads[0], pads[3])
    ref = F.conv3d(F.pad(torch.from_numpy(x), torch_pads), torch.from_numpy(wt),
                   torch.from_numpy(bias), stride=tuple(strides),
                   dilation=tuple(dilations), groups=groups).numpy()
    return conv_residual_clip(rng, x, wt, bias, ref, kernel_shape=list(kernel),
                              strides=list(strides), pads=list(pads),
                              group=groups, dilations=list(dilations))


def conv_runtime_weights_case(rng, n, c, h, w, k, r):
    """Conv whose weights are a graph input, not a constant: oneDNN gets
    them reordered into its layout on every run."""
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((k, c, r, r)).astype(np.float32)
    ref = F.conv2d(torch.from_numpy(x), torch.from_numpy(wt), padding=1).numpy()
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[r, r],
                              pads=[1] * 4)]
    return make(nodes, [("x", x), ("w", wt)], ref.shape, []), {"x": x, "w": wt}, ref


def conv_pool_case(rng, pool, c, h, w, k, ceil_mode):
    """Conv + ReLU, then a pool (in the channels-last region kiln-layout
    makes around convolutions on the oneDNN path): odd sizes, padding,
    ceil_mode, average pooling without the padding in its count."""
    x = rng.standard_normal((1, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((k, c, 3, 3)).astype(np.float32)
    y = F.relu(F.conv2d(torch.from_numpy(x), torch.from_numpy(wt), padding=1))
    attrs = dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                 ceil_mode=ceil_mode)
    if pool == "MaxPool":
        ref = F.max_pool2d(y, 3, 2, 1, ceil_mode=bool(ceil_mode)).numpy()
    else:
        attrs["count_include_pad"] = 0
        ref = F.avg_pool2d(y, 3, 2, 1, ceil_mode=bool(ceil_mode),
                           count_include_pad=False).numpy()
    nodes = [helper.make_node("Conv", ["x", "w"], ["p"], kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["p"], ["q"]),
             helper.make_node(pool, ["q"], ["y"], **attrs)]
    return make(nodes, [("x", x)], ref.shape, [("w", wt)]), {"x": x}, ref


def winograd_case(rng, n, c, h, w, k, bias):
    """3x3 conv (+ bias) + ReLU with enough output pixels for oneDNN's
    Winograd (CpuCostModel::winogradApplies): odd spatial sizes, so the
    2x2 output tiles do not divide them."""
    x = rng.standard_normal((n, c, h, w)).astype(np.float32)
    wt = rng.standard_normal((k, c, 3, 3)).astype(np.float32)
    b = rng.standard_normal((k,)).astype(np.float32) if bias else None
    ref = F.relu(F.conv2d(torch.from_numpy(x), torch.from_numpy(wt),
                          None if b is None else torch.from_numpy(b),
                          padding=1)).numpy()
    nodes = [helper.make_node("Conv", ["x", "w"] + (["b"] if bias else []),
                              ["p"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["p"], ["y"])]
    inits = [("w", wt)] + ([("b", b)] if bias else [])
    return make(nodes, [("x", x)], ref.shape, inits), {"x": x}, ref


def fire_case(rng, c, h, w, squeeze, expand, out):
    """SqueezeNet's Fire module (squeeze 1x1, expand 1x1 and 3x3, channel
    Concat), MaxPool, then a 1x1 conv with fewer outputs than the concat
    has channels: the simplifier pools each part and splits the conv over
    the concat's parts (conv-split-concat-input), so no concat is left."""
    t = lambda a: torch.from_numpy(a)
    x = rng.standard_normal((1, c, h, w)).astype(np.float32)
    ws = rng.standard_normal((squeeze, c, 1, 1)).astype(np.float32)
    w1 = rng.standard_normal((expand, squeeze, 1, 1)).astype(np.float32)
    w3 = rng.standard_normal((expand, squeeze, 3, 3)).astype(np.float32)
    wo = rng.standard_normal((out, 2 * expand, 1, 1)).astype(np.float32)
    bo = rng.standard_normal((out,)).astype(np.float32)
    s = F.relu(F.conv2d(t(x), t(ws)))
    e = torch.cat([F.relu(F.conv2d(s, t(w1))),
                   F.relu(F.conv2d(s, t(w3), padding=1))], 1)
    p = F.max_pool2d(e, 3, 2, ceil_mode=True)
    ref = F.relu(F.conv2d(p, t(wo), t(bo))).numpy()
    nodes = [helper.make_node("Conv", ["x", "ws"], ["s0"], kernel_shape=[1, 1]),
             helper.make_node("Relu", ["s0"], ["s"]),
             helper.make_node("Conv", ["s", "w1"], ["e10"], kernel_shape=[1, 1]),
             helper.make_node("Relu", ["e10"], ["e1"]),
             helper.make_node("Conv", ["s", "w3"], ["e30"], kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["e30"], ["e3"]),
             helper.make_node("Concat", ["e1", "e3"], ["e"], axis=1),
             helper.make_node("MaxPool", ["e"], ["p"], kernel_shape=[3, 3],
                              strides=[2, 2], ceil_mode=1),
             helper.make_node("Conv", ["p", "wo", "bo"], ["o"], kernel_shape=[1, 1]),
             helper.make_node("Relu", ["o"], ["y"])]
    return make(nodes, [("x", x)], ref.shape,
                [("ws", ws), ("w1", w1), ("w3", w3), ("wo", wo), ("bo", bo)]), \
        {"x": x}, ref


CASES = {
    "matmul_1x1x1": lambda r: matmul_case(r, 1, 1, 1),
    "matmul_7x13x5": lambda r: matmul_case(r, 7, 13, 5),
    "matmul_31x67x17": lambda r: matmul_case(r, 31, 67, 17),
    "matmul_batched_3x37x129x19": lambda r: matmul_case(r, 37, 129, 19, (3,)),
    "matmul_256x256x256": lambda r: matmul_case(r, 64, 256, 256),
    # Big enough for codegen's packed GEMM kernel (6 x 64 tiles, k blocks
    # of at most 256, row blocks of at most 256 rows): edges in every
    # dimension, several k blocks, row dimensions taken together, a
    # transposed rhs read element by element, batches; 601 rows are three
    # row blocks of 34 tiles (101 tiles, the last block one short) and K =
    # 520 three k blocks of 174, 174 and 172.
    "matmul_packed_97x300x89": lambda r: matmul_case(r, 97, 300, 89),
    "matmul_packed_row_blocks_601x520x75": lambda r: matmul_case(r, 601, 520, 75),
    "matmul_packed_rows_2x45x517x70": lambda r: matmul_case(r, 45, 517, 70, (2,)),
    "gemm_packed_transb_50x260x130": lambda r: gemm_case(r, 50, 260, 130, 1, 0.5),
    "batched_packed_qk_3x67x129x71": lambda r: batched_case(r, 3, 67, 129, 71),
    "batched_qk_2x11x7x13": lambda r: batched_case(r, 2, 11, 7, 13),
    "batched_qk_12x128x64x128": lambda r: batched_case(r, 12, 128, 64, 128),
    "attention_bias_no_reference_kernel_4x3x11x8x13":
        lambda r: attention_bias_case(r, 4, 3, 11, 8, 13),
    "gemm_5x3x7": lambda r: gemm_case(r, 5, 3, 7, 0, 1.0),
    "gemm_transb_17x53x29_alpha": lambda r: gemm_case(r, 17, 53, 29, 1, 0.5),
    "gemm_transb_1x256x256": lambda r: gemm_case(r, 1, 256, 256, 1, 1.0),
    # Matrix-vector products on codegen's own loops: dot products split by
    # columns over threads (large enough to be split), axpys split into
    # blocks of columns for the threads (768 columns: 6 blocks of 128 on 2
    # threads) or, when no block divides the columns, on one thread, a few
    # rows split by rows.
    "gemm_matvec_transb_1x1031x1027": lambda r: gemm_case(r, 1, 1031, 1027, 1, 1.0),
    "matmul_matvec_columns_1x1100x768": lambda r: matmul_case(r, 1, 1100, 768),
    "matmul_matvec_1x517x263": lambda r: matmul_case(r, 1, 517, 263),
    "gemm_matvec_rows_3x300x701": lambda r: gemm_case(r, 3, 300, 701, 0, 0.5),
    "conv_1x1_prime": lambda r: conv_case(r, 1, 7, 5, 11, 13, 1, 1, 0, 1),
    "conv_3x3_stride2": lambda r: conv_case(r, 2, 5, 17, 13, 3, 3, 2, 1, 1),
    "conv_depthwise": lambda r: conv_case(r, 1, 17, 9, 9, 17, 3, 1, 1, 17),
    "conv_grouped_dilated": lambda r: conv_case(r, 1, 6, 11, 11, 9, 3, 1, 2, 3, 2),
    "conv_single_pixel": lambda r: conv_case(r, 1, 1, 1, 1, 1, 1, 1, 0, 1),
    "conv_64ch": lambda r: conv_case(r, 1, 64, 28, 28, 64, 3, 1, 1, 1),
    "conv1d_stride2_asym_pads": lambda r: conv1d_case(r, 2, 6, 37, 10, 5, 2, (3, 1), 1),
    "conv1d_grouped_dilated": lambda r: conv1d_case(r, 1, 8, 53, 12, 3, 1, (2, 2), 4, 2),
    "conv_runtime_weights_16x19": lambda r: conv_runtime_weights_case(r, 1, 16, 19, 17, 24, 3),
    # 3-D: a video layer's 3x3x3 with pads of 1; then depth stride 2,
    # depth dilation 2, groups, asymmetric pads (output depths whose
    # filter taps all fall in the padding for some t).
    "conv3d_3x3x3_pad1": lambda r: conv3d_case(r, 1, 8, (6, 10, 9), 12, (3, 3, 3),
                                               (1, 1, 1), (1,) * 6, 1, (1, 1, 1)),
    "conv3d_strided_dilated_grouped": lambda r: conv3d_case(
        r, 2, 6, (9, 7, 8), 4, (3, 2, 3), (2, 1, 2), (2, 0, 1, 0, 1, 1), 2, (2, 1, 1)),
    "conv_maxpool_ceil_13x11": lambda r: conv_pool_case(r, "MaxPool", 5, 13, 11, 19, 1),
    "conv_avgpool_9x14": lambda r: conv_pool_case(r, "AveragePool", 3, 9, 14, 17, 0),
    "conv_winograd_37x45": lambda r: winograd_case(r, 1, 64, 37, 45, 80, True),
    "conv_winograd_batch2_29x31": lambda r: winograd_case(r, 2, 64, 29, 31, 64, False),
    # The least that qualifies: 16 input channels, 64 outputs, 7x7 pixels.
    "conv_winograd_16to64_7x7": lambda r: winograd_case(r, 1, 16, 7, 7, 64, True),
    "fire_concat_split_53x47": lambda r: fire_case(r, 24, 53, 47, 8, 19, 21),
}


def run(kiln_run, model_path, inputs, workdir, kernels, threads, env=None):
    """The output, or None and the error; with `env`, also the run's
    stdout and stderr."""
    args = [kiln_run, model_path, "--output-dir", workdir,
            f"--cpu-kernels={kernels}", "--threads", str(threads)]
    for name, value in inputs.items():
        path = os.path.join(workdir, name + ".npy")
        np.save(path, value)
        args += ["--input", f"{name}={path}"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300,
                          env=env)
    if done.returncode != 0:
        return None, (done.stderr or done.stdout).strip().splitlines()[-1:]
    if env is not None:
        return np.load(os.path.join(workdir, "output_0.npy")), \
            done.stdout + done.stderr
    return np.load(os.path.join(workdir, "output_0.npy")), None


def reference_kernels(kiln_run, model_path, inputs, workdir):
    """The oneDNN primitives a run executes with oneDNN's reference (plain
    C++) implementation, from ONEDNN_VERBOSE."""
    os.makedirs(workdir)
    env = dict(os.environ, ONEDNN_VERBOSE="1")
    _, log = run(kiln_run, model_path, inputs, workdir, "onednn", 1, env)
    return [line for line in (log or "").splitlines()
            if ",exec," in line and ",ref:" in line]


def kernel_report(kiln_compile, model_path, workdir, kernels):
    """The kernel report of a compile with --cpu-kernels=KERNELS."""
    done = subprocess.run([kiln_compile, model_path, f"--cpu-kernels={kernels}",
                           "--kernel-report", "--emit=mlir",
                           "-o", os.path.join(workdir, "report.mlir")],
                          capture_output=True, text=True, timeout=300)
    return done.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--cases", nargs="*")
    args = ap.parse_args()
    names = args.cases or list(CASES)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            model, inputs, ref = CASES[name](np.random.default_rng(7))
            path = os.path.join(tmp, name + ".onnx")
            onnx.save(model, path)
            kiln_compile = os.path.join(os.path.dirname(args.kiln_run),
                                        "kiln-compile")
            onednn_report = kernel_report(kiln_compile, path, tmp, "onednn")
            if onednn_report.count("-> onednn") < 1:
                print(f"FAIL {name}: no kernel on oneDNN with --cpu-kernels=onednn")
                failed += 1
            # The cases named "packed" are there for codegen's packed GEMM.
            if "packed" in name and "packed-gemm" not in kernel_report(
                    kiln_compile, path, tmp, "codegen"):
                print(f"FAIL {name}: codegen does not use the packed GEMM kernel")
                failed += 1
            if "matvec" in name and "matrix-vector" not in kernel_report(
                    kiln_compile, path, tmp, "codegen"):
                print(f"FAIL {name}: codegen does not use matrix-vector loops")
                failed += 1
            if "concat_split" in name and "concat(" in onednn_report:
                print(f"FAIL {name}: a concat is left")
                failed += 1
            if "no_reference_kernel" in name:
                slow = reference_kernels(args.kiln_run, path, inputs,
                                         os.path.join(tmp, name + ".verbose"))
                if slow:
                    print(f"FAIL {name}: oneDNN runs its reference kernel: {slow[0]}")
                    failed += 1
            if "winograd" in name and "winograd" not in onednn_report:
                print(f"FAIL {name}: oneDNN does not run it as Winograd")
                failed += 1
            # Winograd's rounding error scales with the magnitude of the
            # sums it transforms, not with each output: its absolute
            # tolerance is relative to the largest output (as the model
            # tests measure error).
            atol = ATOL * max(1.0, float(np.abs(ref).max())) \
                if "winograd" in name else ATOL
            for kernels in ("onednn", "codegen"):
                for threads in (1, 2):
                    work = os.path.join(tmp, f"{name}.{kernels}.{threads}")
                    os.makedirs(work)
                    got, error = run(args.kiln_run, path, inputs, work,
                                     kernels, threads)
                    label = f"{name} [{kernels}, {threads} threads]"
                    if got is None:
                        print(f"FAIL {label}: {error}")
                        failed += 1
                    elif got.shape != ref.shape or not np.allclose(
                            got, ref, rtol=RTOL, atol=atol):
                        err = np.abs(got - ref).max() if got.shape == ref.shape \
                            else f"shape {got.shape} != {ref.shape}"
                        print(f"FAIL {label}: max abs error {err}")
                        failed += 1
                    else:
                        print(f"ok   {label}")
    total = len(names) * 4
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

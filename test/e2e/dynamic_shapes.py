#!/usr/bin/env python3
"""Convolutions and matrix products whose sizes are known only at run time
go to oneDNN on the CPU, their sizes carried by the call: a small CNN
exported from PyTorch with a dynamic batch (convolutions with a residual
epilogue, one of them Winograd, pooling, a fully-connected layer), one with a dynamic batch,
height and width (strided, dilated, asymmetric and depthwise windows, odd
sizes; Winograd chosen at run time from the output's pixels), a 1-D one
over a dynamic length and an attention block with a
dynamic batch and sequence (Linear layers on [B, S, H], Q K^T and the
softmax's product with V), each compiled once and run at several sizes
against PyTorch; and a MatMulInteger with a dynamic batch and rows, exact
against numpy. The kernel report must show the convolutions and products
on oneDNN: as plain generated loops they were 5 to 40 times slower. Sizes
of 0 too (oneDNN 2.6 divides by zero making such a matmul): a Gemm over 0
rows, a product over a contraction of 0 elements with an add and ReLU
after it (every output relu(0 + c)), a convolution over a batch of 0,
against numpy; an input smaller than the window, even by less than a
stride, fails the run naming the node. Convolutions with auto_pad SAME
(strided: padding computed at run time) and a SAME ConvTranspose, over a
dynamic height and width, against PyTorch with the padding made explicit.

  dynamic_shapes.py --kiln-run BIN --kiln-compile BIN
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from kiln_run import Tally, arg_parser, compile_model, run_model, within


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.c2 = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.c3 = torch.nn.Conv2d(16, 64, 3, padding=1)  # Winograd
        self.fc = torch.nn.Linear(64, 10)

    def forward(self, x):
        y = torch.relu(self.c1(x))
        y = torch.relu(self.c2(y) + y)
        y = torch.relu(self.c3(y))
        return self.fc(y.mean(dim=(2, 3)))


class StridedCnn(torch.nn.Module):
    """Strided, dilated and asymmetric windows, so that each output size
    is computed from the input's at run time."""
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.c2 = torch.nn.Conv2d(16, 16, (3, 1), padding=(2, 0), dilation=(2, 1))
        self.wino = torch.nn.Conv2d(16, 64, 3, padding=1)  # Winograd when large
        self.c3 = torch.nn.Conv2d(64, 8, (1, 3), stride=(1, 2))
        self.dw = torch.nn.Conv2d(8, 8, 3, padding=1, groups=8)

    def forward(self, x):
        y = torch.relu(self.c1(x))
        y = torch.relu(self.c2(y) + y)
        y = torch.relu(self.wino(y))
        y = torch.nn.functional.max_pool2d(self.c3(y), 2, ceil_mode=True)
        return torch.sigmoid(self.dw(y))


class AudioCnn(torch.nn.Module):
    """1-D convolutions over a length known only at run time (a speech
    front end): strided, dilated, with a residual epilogue."""
    def __init__(self):
        super().__init__()
        self.c1 = torch.nn.Conv1d(4, 16, 5, stride=2, padding=2)
        self.c2 = torch.nn.Conv1d(16, 16, 3, padding=2, dilation=2)

    def forward(self, x):
        y = torch.relu(self.c1(x))
        return torch.relu(self.c2(y) + y)


class Attention(torch.nn.Module):
    def __init__(self, h=64):
        super().__init__()
        self.q, self.k, self.v = (torch.nn.Linear(h, h) for _ in range(3))
        self.o = torch.nn.Linear(h, h)

    def forward(self, x):
        q, k, v = self.q(x), self.k(x), self.v(x)
        a = torch.softmax(q @ k.transpose(1, 2) / 8.0, dim=-1)
        return self.o(a @ v) + x


def export(model, example, path, axes):
    torch.onnx.export(model, (example,), path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": axes, "y": axes}, opset_version=17)


def winograd_runs(kiln_run, so, work, x):
    """How many convolutions oneDNN ran as Winograd in one run of `so` on
    `x` (its verbose log), or an error."""
    path = os.path.join(work, "verbose_x.npy")
    np.save(path, x)
    p = subprocess.run([kiln_run, so, "--input", f"x={path}", "--threads", "1"],
                       capture_output=True, text=True, timeout=600,
                       env={**os.environ, "ONEDNN_VERBOSE": "1"})
    if p.returncode != 0:
        return None, (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[0]
    return sum(line.startswith("onednn_verbose,exec,") and "convolution," in line
               and "wino" in line for line in p.stdout.splitlines()), None


def library_kernels(report):
    """How many convolutions or products the report puts on oneDNN, and
    how many it leaves to generated loops."""
    on, off = 0, 0
    with open(report) as f:
        for line in f:
            if not line.startswith("kernel "):
                continue
            head = line.split(":", 1)[0]
            if not any(op in head for op in ("[conv]", "[matmul]", "[gemm]")):
                continue
            if "-> onednn " in line:
                on += 1
            else:
                off += 1
    return on, off


def integer_case(work):
    """A MatMulInteger with rows and a batch known only at run time (a
    dynamically quantized encoder's products): u8 activations and their
    zero point given at run time, a constant u8 weight with its own.
    Returns (model path, shapes, weight, weight zero point)."""
    rng = np.random.RandomState(5)
    w = rng.randint(0, 256, (16, 8)).astype(np.uint8)
    path = os.path.join(work, "matmul_integer.onnx")
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "w", "az", "wz"], ["y"])], "g",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, ["b", "s", 16]),
         helper.make_tensor_value_info("az", TensorProto.UINT8, [])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, ["b", "s", 8])],
        [numpy_helper.from_array(w, "w"),
         numpy_helper.from_array(np.array(131, np.uint8), "wz")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path, [(1, 7, 16), (3, 5, 16), (2, 0, 16)], w, 131


def same_padding(size, kernel, stride, dilation, upper):
    """ONNX's auto_pad SAME along one axis: (begin, end)."""
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - size)
    small, large = total // 2, total - total // 2
    return (small, large) if upper else (large, small)


def same_case(work):
    """Convolutions with auto_pad SAME (as TensorFlow exports them) over a
    height and width known only at run time: strided ones, whose padding
    depends on the sizes (computed when the call runs), SAME_LOWER with a
    dilation, a depthwise one, and a ConvTranspose (padding static even so).
    Returns (model path, reference function of x)."""
    rng = np.random.RandomState(8)
    specs = [  # name, out channels, kernel, strides, dilations, group, auto_pad
        ("s2", 8, (3, 3), (2, 2), (1, 1), 1, "SAME_UPPER"),
        ("lower", 8, (4, 3), (2, 3), (2, 1), 1, "SAME_LOWER"),
        ("dw", 8, (3, 3), (2, 1), (1, 1), 8, "SAME_UPPER"),
    ]
    nodes, inits, weights = [], [], []
    x, c = "x", 3
    for name, k, kernel, strides, dilations, group, pad in specs:
        w = rng.standard_normal((k, c // group) + kernel).astype(np.float32) * 0.3
        b = rng.standard_normal(k).astype(np.float32)
        inits += [numpy_helper.from_array(w, f"{name}_w"), numpy_helper.from_array(b, f"{name}_b")]
        nodes += [helper.make_node("Conv", [x, f"{name}_w", f"{name}_b"], [f"{name}_c"],
                                   name=name, auto_pad=pad, kernel_shape=list(kernel),
                                   strides=list(strides), dilations=list(dilations), group=group),
                  helper.make_node("Relu", [f"{name}_c"], [f"{name}_r"])]
        weights.append((w, b, kernel, strides, dilations, group, pad))
        x, c = f"{name}_r", k
    wt = rng.standard_normal((c, 4, 3, 3)).astype(np.float32) * 0.3
    inits.append(numpy_helper.from_array(wt, "up_w"))
    nodes.append(helper.make_node("ConvTranspose", [x, "up_w"], ["y"], name="up",
                                  auto_pad="SAME_UPPER", strides=[2, 2]))
    path = os.path.join(work, "same_conv.onnx")
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, "h", "w"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4, "p", "q"])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)

    def reference(x):
        if 0 in x.shape:  # PyTorch refuses empty windows: an empty output
            sizes = list(x.shape[2:])
            for _, _, _, strides, _, _, _ in weights:
                sizes = [-(-n // s) for n, s in zip(sizes, strides)]
            return np.zeros((x.shape[0], 4, 2 * sizes[0], 2 * sizes[1]), np.float32)
        y = torch.from_numpy(x)
        for w, b, kernel, strides, dilations, group, pad in weights:
            pads = [same_padding(y.shape[2 + i], kernel[i], strides[i], dilations[i],
                                 pad == "SAME_UPPER") for i in range(2)]
            y = torch.nn.functional.pad(y, [*pads[1], *pads[0]])
            y = torch.relu(torch.nn.functional.conv2d(
                y, torch.from_numpy(w), torch.from_numpy(b), stride=strides,
                dilation=dilations, groups=group))
        # ConvTranspose SAME_UPPER, stride 2, 3x3: output 2x the input; the
        # full output (2 in + 1) less its first row and column (ONNX puts
        # total // 2 = 0 at the beginning, 1 at the end).
        y = torch.nn.functional.conv_transpose2d(y, torch.from_numpy(wt), stride=2)
        return y[:, :, :-1, :-1].numpy()
    return path, reference


def empty_cases(work):
    """(name, model path, inputs, reference) with sizes of 0 at run time."""
    rng = np.random.RandomState(4)
    w = rng.standard_normal((16, 10)).astype(np.float32)
    gemm = os.path.join(work, "gemm_rows.onnx")
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 10])],
        [numpy_helper.from_array(w, "w")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), gemm)
    c = (np.arange(6, dtype=np.float32).reshape(2, 3) - 2)
    depth = os.path.join(work, "matmul_depth.onnx")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["m"]),
         helper.make_node("Add", ["m", "c"], ["s"]),
         helper.make_node("Relu", ["s"], ["y"])], "g",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2, "k"]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["k", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])],
        [numpy_helper.from_array(c, "c")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), depth)
    k = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    conv = os.path.join(work, "conv_window.onnx")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "k"], ["y"], name="window3x3")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, "h", "w"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4, "p", "q"])],
        [numpy_helper.from_array(k, "k")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), conv)
    # Strided windows, where the output size rounds a shortfall of up to a
    # stride to 0 or 1 rows: the room itself is checked.
    strided = os.path.join(work, "strided_windows.onnx")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "k"], ["c"], name="conv_s2", strides=[2, 1]),
         helper.make_node("MaxPool", ["c"], ["y"], name="pool_ceil", kernel_shape=[1, 4],
                          strides=[1, 3], ceil_mode=1)], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, "h", "w"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4, "p", "q"])],
        [numpy_helper.from_array(k, "k")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), strided)
    # Batch dimensions that broadcast: [B, 1] against [1, C] is [B, C],
    # with a B of 0 too (the output's batch was once the larger, 1).
    batched = os.path.join(work, "matmul_broadcast.onnx")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["y"], name="bmm")], "g",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["B", 1, "M", 3]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [1, "C", 3, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["B", "C", "M", 2])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), batched)
    ba = rng.standard_normal((3, 1, 4, 3)).astype(np.float32)
    bb = rng.standard_normal((1, 2, 3, 2)).astype(np.float32)
    x2 = rng.standard_normal((2, 16)).astype(np.float32)
    a = rng.standard_normal((2, 5)).astype(np.float32)
    b = rng.standard_normal((5, 3)).astype(np.float32)
    return [
        ("gemm_0_rows", gemm, {"x": np.zeros((0, 16), np.float32)}, np.zeros((0, 10), np.float32)),
        ("gemm_2_rows", gemm, {"x": x2}, x2 @ w),
        ("matmul_depth_0_add_relu", depth,
         {"a": np.zeros((2, 0), np.float32), "b": np.zeros((0, 3), np.float32)}, np.maximum(c, 0)),
        ("matmul_depth_5_add_relu", depth, {"a": a, "b": b}, np.maximum(a @ b + c, 0)),
        ("matmul_broadcast_batches", batched, {"a": ba, "b": bb}, ba @ bb),
        ("matmul_broadcast_0_batch", batched,
         {"a": np.zeros((0, 1, 4, 3), np.float32), "b": bb}, np.zeros((0, 2, 4, 2), np.float32)),
        ("conv_0_batch", conv, {"x": np.zeros((0, 3, 8, 8), np.float32)},
         np.zeros((0, 4, 6, 6), np.float32)),
        ("conv_input_short_by_one", conv, {"x": np.zeros((1, 3, 2, 8), np.float32)},
         "node 'window3x3' (Conv): the input is smaller than the window along spatial axis 0"),
        ("conv_strided_input_short_by_one", strided, {"x": np.zeros((1, 3, 2, 8), np.float32)},
         "node 'conv_s2' (Conv): the input is smaller than the window along spatial axis 0"),
        # Rounding up, a window that starts in the input may reach past it
        # (3 columns under a window of 4), as in ONNX; a first window that
        # starts past it may not.
        ("pool_ceil_window_past_end", strided, {"x": np.zeros((1, 3, 3, 5), np.float32)},
         np.zeros((1, 4, 1, 1), np.float32)),
        ("pool_ceil_input_short", strided, {"x": np.zeros((1, 3, 3, 3), np.float32)},
         "node 'pool_ceil' (MaxPool): the input is smaller than the window along spatial axis 1"),
        ("conv_input_under_window", conv, {"x": np.zeros((1, 3, 1, 8), np.float32)},
         "node 'window3x3' (Conv): the input is smaller than the window along spatial axis 0"),
    ]


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--kiln-compile", required=True)
    args = ap.parse_args()
    torch.manual_seed(3)
    tally = Tally()
    cases = [
        ("cnn_dynamic_batch", SmallCnn().eval(), {0: "n"},
         [(1, 3, 12, 12), (3, 3, 12, 12), (5, 3, 12, 12)]),
        ("cnn_dynamic_batch_height_width", StridedCnn().eval(), {0: "n", 2: "h", 3: "w"},
         [(1, 3, 16, 16), (2, 3, 13, 29), (1, 3, 40, 7), (3, 3, 5, 5)]),
        ("audio_dynamic_batch_length", AudioCnn().eval(), {0: "n", 2: "t"},
         [(1, 4, 100), (3, 4, 7), (2, 4, 1)]),
        ("attention_dynamic_batch_sequence", Attention().eval(), {0: "b", 1: "s"},
         [(1, 7, 64), (2, 19, 64), (3, 1, 64)]),
    ]
    with tempfile.TemporaryDirectory() as work:
        for name, model, axes, shapes in cases:
            onnx_path = os.path.join(work, f"{name}.onnx")
            so = os.path.join(work, f"{name}.so")
            report = os.path.join(work, f"{name}.txt")
            export(model, torch.rand(*shapes[0]), onnx_path, axes)
            err = compile_model(args.kiln_compile, onnx_path, so,
                                f"--kernel-report={report}")
            if err:
                tally.add(name, err)
                continue
            on, off = library_kernels(report)
            tally.add(f"{name}.selection",
                      None if on > 0 and off == 0 else
                      f"{on} on oneDNN, {off} left to generated loops")
            if name == "cnn_dynamic_batch":  # a batch known at run time only
                with open(report) as f:
                    winograd = sum("winograd" in line for line in f)
                tally.add(f"{name}.winograd",
                          None if winograd == 1 else f"{winograd} Winograd kernels, expected 1")
            for shape in shapes:
                x = torch.rand(*shape)
                with torch.no_grad():
                    want = model(x).numpy()
                outputs, err = run_model(args.kiln_run, "cpu", work, so, {"x": x.numpy()})
                if err is None:
                    err = within(outputs[0], want,
                                 1e-4 * max(1.0, float(np.abs(want).max())))
                tally.add(f"{name}.{'x'.join(map(str, shape))}", err)
                if name == "cnn_dynamic_batch_height_width":
                    # Its 16 -> 64 convolution is Winograd from 49 output
                    # pixels, counted at run time (stride 2 halves them).
                    pixels = shape[0] * ((shape[2] + 1) // 2) * ((shape[3] + 1) // 2)
                    runs, err = winograd_runs(args.kiln_run, so, work, x.numpy())
                    if err is None and runs != (1 if pixels >= 49 else 0):
                        err = f"{runs} Winograd convolutions at {pixels} output pixels"
                    tally.add(f"{name}.{'x'.join(map(str, shape))}.algorithm", err)
        # Integer products with sizes known only at run time: on oneDNN too,
        # and exact.
        path, shapes, w, wz = integer_case(work)
        so = os.path.join(work, "matmul_integer.so")
        report = os.path.join(work, "matmul_integer.txt")
        err = compile_model(args.kiln_compile, path, so, f"--kernel-report={report}")
        if err is None:
            with open(report) as f:
                on = sum("-> onednn matmul u8s8s32" in line for line in f)
            err = None if on == 1 else f"{on} integer products on oneDNN, expected 1"
        tally.add("matmul_integer_dynamic.selection", err)
        rng = np.random.RandomState(6)
        for shape in shapes:
            a = rng.randint(0, 256, shape).astype(np.uint8)
            az = np.array(rng.randint(0, 256), np.uint8)
            want = (a.astype(np.int64) - int(az)) @ (w.astype(np.int64) - wz)
            outputs, err = run_model(args.kiln_run, "cpu", work, so, {"a": a, "az": az})
            if err is None:
                err = within(outputs[0], want, 0)
            tally.add(f"matmul_integer_dynamic.{'x'.join(map(str, shape))}", err)
        # auto_pad SAME over sizes known only at run time: all on oneDNN.
        path, reference = same_case(work)
        so = os.path.join(work, "same_conv.so")
        report = os.path.join(work, "same_conv.txt")
        err = compile_model(args.kiln_compile, path, so, f"--kernel-report={report}")
        if err is None:
            on, off = library_kernels(report)
            err = None if on == 3 and off == 0 else \
                f"{on} convolutions on oneDNN, {off} left to generated loops"
        tally.add("same_conv_dynamic.selection", err)
        rng = np.random.RandomState(9)
        for shape in [(1, 3, 16, 16), (2, 3, 13, 29), (1, 3, 7, 2), (1, 3, 1, 1), (1, 3, 0, 5)]:
            x = rng.standard_normal(shape).astype(np.float32)
            want = reference(x)
            outputs, err = run_model(args.kiln_run, "cpu", work, so, {"x": x})
            if err is None:
                err = within(outputs[0], want, 1e-4 * max(1.0, float(np.abs(want).max(initial=0))))
            tally.add(f"same_conv_dynamic.{'x'.join(map(str, shape))}", err)
        for name, model, inputs, want in empty_cases(work):
            outputs, err = run_model(args.kiln_run, "cpu", work, model, inputs)
            if isinstance(want, str):  # the run must fail with this error
                err = None if err and want in err else f"expected '{want}', got {err!r}"
            elif err is None:
                err = within(outputs[0], want, 1e-5)
            tally.add(name, err)
    return tally.exit_code()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Single ONNX ops at the sizes of real models, Kiln against ONNX Runtime
on this CPU: a survey for performance holes that the whole-model rows of
bench/run.sh do not show (an op that no benchmark model uses, or uses at a
small size). Each case is one node; its inputs are seeded random arrays
given to both sides. Prints one line per case: Kiln's and ORT's median ms
(kiln-run --bench; bench/ort_bench.js) and their ratio. A single short
run per side, not the benchmark's alternating rounds: read ratios far from
1, not small differences. ORT's side includes onnxruntime-node's cost of
copying inputs and outputs through JavaScript, which dominates for ops
that move much data and little else (ratios below ~0.3 there say little).

  bench/op_sweep.py [--build-dir build] [--threads 2] [--iters 15] [REGEX...]

REGEX selects cases by name. Needs build/bench/npm (bench/run.sh installs
onnxruntime-node there). Models and inputs go to BUILD/bench/op_sweep.
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
F, I64 = T.FLOAT, T.INT64


def case(name, op, inputs, attrs=None, consts=(), outs=(F,), opset=18):
    """One node: `inputs` and `consts` are (name, array); `outs` the
    output element types."""
    node = helper.make_node(op, [n for n, _ in inputs] + [n for n, _ in consts],
                            [f"y{i}" for i in range(len(outs))], **(attrs or {}))
    info = [helper.make_tensor_value_info(
        n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], list(a.shape)) for n, a in inputs]
    graph = helper.make_graph(
        [node], name, info,
        [helper.make_tensor_value_info(f"y{i}", t, None) for i, t in enumerate(outs)],
        [numpy_helper.from_array(a, n) for n, a in consts])
    return name, helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), inputs


def chain(name, nodes, inputs, consts=(), outs=(F,), opset=18):
    """Several nodes (a pattern that exporters write as one unit), the
    last one's output the graph's."""
    info = [helper.make_tensor_value_info(
        n, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype], list(a.shape)) for n, a in inputs]
    graph = helper.make_graph(
        nodes, name, info,
        [helper.make_tensor_value_info(f"y{i}", t, None) for i, t in enumerate(outs)],
        [numpy_helper.from_array(a, n) for n, a in consts])
    return name, helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), inputs


def cases():
    rng = np.random.RandomState(0)

    def f32(*s):
        return rng.randn(*s).astype(np.float32)

    def ints(hi, *s):
        return rng.randint(0, hi, s).astype(np.int64)

    x4 = f32(8, 64, 56, 56)
    no_roi, no_scales = np.zeros(0, np.float32), np.zeros(0, np.float32)
    # Normalisation, reductions, softmax.
    yield case("softmax_64x1000", "Softmax", [("x", f32(64, 1000))], {"axis": -1})
    yield case("softmax_axis1", "Softmax", [("x", f32(8, 1000, 64))], {"axis": 1})
    yield case("layernorm_128x768", "LayerNormalization", [("x", f32(128, 768))],
               {"axis": -1}, [("s", f32(768)), ("b", f32(768))], opset=17)
    yield case("instancenorm", "InstanceNormalization", [("x", x4)], None,
               [("s", f32(64)), ("b", f32(64))])
    yield case("reducemax_last", "ReduceMax", [("x", f32(4096, 1024))], {"axes": [1]}, opset=13)
    yield case("reducemin_last", "ReduceMin", [("x", f32(4096, 1024))], {"axes": [1]}, opset=13)
    yield case("reducesum_channels", "ReduceSum", [("x", x4)], None,
               [("a", np.array([1], np.int64))])
    yield case("argmax_last", "ArgMax", [("x", f32(4096, 1024))], {"axis": 1}, outs=(I64,))
    yield case("argmax_vocab", "ArgMax", [("x", f32(16, 50257))], {"axis": 1}, outs=(I64,))
    # Convolutions and products.
    yield case("conv_transpose", "ConvTranspose", [("x", f32(1, 64, 28, 28))],
               {"kernel_shape": [4, 4], "strides": [2, 2], "pads": [1, 1, 1, 1]},
               [("w", f32(64, 32, 4, 4) * 0.1)])
    yield case("conv_1d", "Conv", [("x", f32(8, 128, 1000))], {"kernel_shape": [5], "pads": [2, 2]},
               [("w", f32(128, 128, 5) * 0.05)])
    yield case("conv_3d", "Conv", [("x", f32(1, 16, 16, 32, 32))],
               {"kernel_shape": [3, 3, 3], "pads": [1] * 6}, [("w", f32(32, 16, 3, 3, 3) * 0.1)])
    yield case("conv_runtime_weights", "Conv", [("x", f32(1, 64, 56, 56)),
                                                ("w", f32(64, 64, 3, 3) * 0.05)], {"pads": [1] * 4})
    yield case("conv_grouped", "Conv", [("x", f32(1, 128, 56, 56))],
               {"kernel_shape": [3, 3], "pads": [1] * 4, "group": 32}, [("w", f32(128, 4, 3, 3) * 0.05)])
    yield case("batched_matmul", "MatMul", [("a", f32(8, 12, 128, 64)), ("b", f32(8, 12, 64, 128))])
    yield case("matvec_runtime_matrix", "MatMul", [("a", f32(1, 4096)), ("b", f32(4096, 4096))])
    yield case("einsum_bilinear", "Einsum", [("a", f32(64, 128)), ("w", f32(128, 128, 64)),
                                             ("b", f32(64, 128))], {"equation": "bi,ijk,bj->bk"})
    # Recurrent layers.
    yield case("lstm", "LSTM", [("x", f32(50, 8, 256))], {"hidden_size": 256},
               [("w", f32(1, 1024, 256) * 0.05), ("r", f32(1, 1024, 256) * 0.05)])
    yield case("gru", "GRU", [("x", f32(50, 8, 256))], {"hidden_size": 256},
               [("w", f32(1, 768, 256) * 0.05), ("r", f32(1, 768, 256) * 0.05)])
    # Quantized.
    u8 = lambda *s: rng.randint(0, 255, s).astype(np.uint8)  # noqa: E731
    yield case("matmul_integer", "MatMulInteger", [("a", u8(128, 768)), ("b", u8(768, 768))],
               outs=(T.INT32,))
    yield case("qlinear_conv", "QLinearConv", [("x", u8(1, 64, 56, 56))], {"pads": [1] * 4},
               [("xs", np.array(0.02, np.float32)), ("xz", np.array(128, np.uint8)),
                ("w", u8(64, 64, 3, 3)), ("ws", np.array(0.01, np.float32)),
                ("wz", np.array(128, np.uint8)), ("ys", np.array(0.1, np.float32)),
                ("yz", np.array(128, np.uint8))], outs=(T.UINT8,))
    s8 = lambda *s: rng.randint(-128, 128, s).astype(np.int8)  # noqa: E731
    yield case("matmul_integer_s8_weights", "MatMulInteger", [("a", u8(128, 768))],
               consts=[("b", s8(768, 768)), ("az", np.array(131, np.uint8))], outs=(T.INT32,))
    yield case("dynamic_quantize", "DynamicQuantizeLinear", [("x", x4)],
               outs=(T.UINT8, F, T.UINT8))
    # A MatMul as onnxruntime's quantize_dynamic writes it: the activations
    # quantized per run, s8 weights, the product scaled back to float.
    yield chain("dynamic_quant_linear", [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
        helper.make_node("MatMulInteger", ["xq", "w", "xz"], ["acc"]),
        helper.make_node("Cast", ["acc"], ["accf"], to=F),
        helper.make_node("Mul", ["xs", "ws"], ["s"]),
        helper.make_node("Mul", ["accf", "s"], ["lin"]),
        helper.make_node("Add", ["lin", "bias"], ["y0"])],
        [("x", f32(128, 768))],
        [("w", s8(768, 768)), ("ws", np.array(0.002, np.float32)), ("bias", f32(768))])
    # Sampling, detection, data movement.
    yield case("roialign", "RoiAlign", [("x", f32(1, 256, 50, 50)),
                                        ("r", np.sort(rng.rand(300, 4).astype(np.float32) * 49, 1)),
                                        ("b", np.zeros(300, np.int64))],
               {"output_height": 7, "output_width": 7, "sampling_ratio": 2}, opset=16)
    yield case("gridsample", "GridSample", [("x", f32(1, 64, 56, 56)),
                                            ("g", (rng.rand(1, 56, 56, 2) * 2 - 1).astype(np.float32))],
               opset=16)
    yield case("resize_linear_x2", "Resize", [("x", f32(1, 64, 56, 56))], {"mode": "linear"},
               [("roi", no_roi), ("sc", np.array([1, 1, 2, 2], np.float32))])
    yield case("resize_linear_sizes_down", "Resize", [("x", f32(1, 64, 112, 112))], {"mode": "linear"},
               [("roi", no_roi), ("sc", no_scales), ("sz", np.array([1, 64, 37, 53], np.int64))])
    yield case("gather_elements", "GatherElements", [("d", f32(256, 1000)),
                                                     ("i", ints(1000, 256, 1000))], {"axis": 1})
    yield case("scatter_nd_add", "ScatterND", [("d", f32(4096, 256)), ("i", ints(4096, 4096, 1)),
                                               ("u", f32(4096, 256))], {"reduction": "add"}, opset=16)
    yield case("topk_rows", "TopK", [("x", f32(256, 1000))], {"axis": -1},
               [("k", np.array([5], np.int64))], outs=(F, I64))
    yield case("unique_float", "Unique", [("x", np.round(f32(100000), 2))], {"sorted": 1},
               outs=(F, I64, I64, I64), opset=11)
    yield case("nonzero_1m", "NonZero", [("x", rng.rand(1 << 20) > 0.5)], outs=(I64,))
    yield case("stft_400", "STFT", [("x", f32(1, 32000, 1))], {"onesided": 1},
               [("step", np.array(160, np.int64)), ("w", np.hanning(400).astype(np.float32))],
               opset=17)


def median_ms(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    m = re.search(r"median_ms=(\S+)", p.stdout + p.stderr)
    if m:
        return float(m.group(1)), None
    lines = (p.stdout + p.stderr).strip().splitlines()
    return None, (lines[-1] if lines else f"exit {p.returncode}")[:100]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--iters", type=int, default=15)
    ap.add_argument("match", nargs="*")
    args = ap.parse_args()
    out = os.path.join(args.build_dir, "bench", "op_sweep")
    os.makedirs(out, exist_ok=True)
    kiln_run = os.path.join(args.build_dir, "bin", "kiln-run")
    env = dict(os.environ, NODE_PATH=os.path.join(args.build_dir, "bench", "npm", "node_modules"))
    timing = ["--bench", "--warmup", "2", "--iters", str(args.iters), "--threads", str(args.threads)]
    print(f"{'case':26s} {'kiln_ms':>9s} {'ort_ms':>9s} {'kiln/ort':>8s}")
    for name, model, inputs in cases():
        if args.match and not any(re.search(m, name) for m in args.match):
            continue
        path = os.path.join(out, name + ".onnx")
        onnx.save(model, path)
        feeds = []
        for n, a in inputs:
            np.save(os.path.join(out, f"{name}.{n}.npy"), a)
            feeds += ["--input", f"{n}={os.path.join(out, f'{name}.{n}.npy')}"]
        k, kerr = median_ms([kiln_run, path] + timing + feeds)
        o, oerr = median_ms(["node", os.path.join(HERE, "ort_bench.js"), path] + timing[:5]
                            + ["--threads", str(args.threads)] + feeds, env)
        ratio = f"{k / o:8.2f}" if k and o else "       -"
        fmt = lambda v: f"{v:9.4g}" if v else "        -"  # noqa: E731
        print(f"{name:26s} {fmt(k)} {fmt(o)} {ratio}" +
              "".join(f"  [{side}: {e}]" for side, e in (("kiln", kerr), ("ort", oerr)) if e),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Writes a float CNN's statically quantized form in the QDQ format, as
onnxruntime's quantize_static does by default (onnxruntime's Python
package is not on this machine):

* each Conv's weight: int8, symmetric, one scale per output channel,
  through DequantizeLinear; its bias int32 at scale input_scale *
  weight_scale, through DequantizeLinear;
* each Conv's input and output (after the Relu that alone follows it):
  QuantizeLinear then DequantizeLinear, uint8 with a scale and zero point
  from the tensor's range on calibration inputs.

Everything else (Add, pools, Gemm) stays float between the DequantizeLinear
results. Calibration runs the float model once with kiln-run, every
calibrated tensor made a graph output, on seeded standard-normal inputs
of the model's input shape.

  quantize_static.py IN.onnx OUT.onnx --kiln-run BIN [--seed 0]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from quantize_dynamic import replace_nodes


def calibration_tensors(graph):
    """Conv inputs, and Conv outputs (or the output of the only Relu that
    follows), in graph order."""
    users = {}
    for node in graph.node:
        for i in node.input:
            users.setdefault(i, []).append(node)
    names = []
    for node in graph.node:
        if node.op_type != "Conv":
            continue
        out = node.output[0]
        after = users.get(out, [])
        if len(after) == 1 and after[0].op_type == "Relu":
            out = after[0].output[0]
        for t in (node.input[0], out):
            if t not in names:
                names.append(t)
    return names


def calibrate(model, names, kiln_run, seed):
    """Each tensor's (min, max) over one run on seeded inputs."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    del m.graph.output[:]
    m.graph.output.extend(helper.make_tensor_value_info(n, TensorProto.FLOAT, None)
                          for n in names)
    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "calibrate.onnx")
        onnx.save(m, path)
        cmd = [kiln_run, path, "--output-dir", tmp]
        inits = {i.name for i in model.graph.initializer}
        for inp in model.graph.input:
            if inp.name in inits:
                continue
            shape = [d.dim_value for d in inp.type.tensor_type.shape.dim]
            x = rng.standard_normal(shape).astype(np.float32)
            np.save(os.path.join(tmp, inp.name + ".npy"), x)
            cmd += ["--input", f"{inp.name}={os.path.join(tmp, inp.name + '.npy')}"]
        subprocess.run(cmd, check=True, capture_output=True)
        ranges = {}
        for i, n in enumerate(names):
            t = np.load(os.path.join(tmp, f"output_{i}.npy"))
            ranges[n] = (float(t.min()), float(t.max()))
    return ranges


def u8_params(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = np.float32(max(hi - lo, 1e-8) / 255)
    zero = np.uint8(np.clip(np.round(-lo / scale), 0, 255))
    return scale, zero


def quantize(model, ranges):
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    params = {n: u8_params(*r) for n, r in ranges.items()}
    new_inits, nodes = [], []

    def qdq(t):
        """Q -> DQ of a calibrated tensor; its uses read the DQ result."""
        scale, zero = params[t]
        new_inits.extend([numpy_helper.from_array(np.array(scale), f"{t}_scale"),
                          numpy_helper.from_array(np.array(zero), f"{t}_zero")])
        return [helper.make_node("QuantizeLinear", [t, f"{t}_scale", f"{t}_zero"], [f"{t}_q"]),
                helper.make_node("DequantizeLinear", [f"{t}_q", f"{t}_scale", f"{t}_zero"],
                                 [f"{t}_dq"])]

    inputs = {i.name for i in graph.input}
    dq = {t: f"{t}_dq" for t in params}
    for t in params:
        if t in inputs:
            nodes.extend(qdq(t))
    for node in graph.node:
        node_copy = onnx.NodeProto()
        node_copy.CopyFrom(node)
        for i, name in enumerate(node_copy.input):
            if name in dq:
                node_copy.input[i] = dq[name]
        if node.op_type == "Conv" and node.input[1] in inits:
            w = numpy_helper.to_array(inits[node.input[1]])
            k = w.shape[0]
            ws = (np.abs(w.reshape(k, -1)).max(axis=1) / 127).astype(np.float32)
            ws = np.maximum(ws, np.float32(1e-12))
            wq = np.clip(np.round(w / ws.reshape(-1, *[1] * (w.ndim - 1))), -127, 127)
            name = node.input[1]
            new_inits += [numpy_helper.from_array(wq.astype(np.int8), f"{name}_q"),
                          numpy_helper.from_array(ws, f"{name}_scale"),
                          numpy_helper.from_array(np.zeros(k, np.int8), f"{name}_zero")]
            nodes.append(helper.make_node("DequantizeLinear",
                                          [f"{name}_q", f"{name}_scale", f"{name}_zero"],
                                          [f"{name}_dq"], axis=0))
            node_copy.input[1] = f"{name}_dq"
            if len(node.input) > 2 and node.input[2] in inits:
                b = numpy_helper.to_array(inits[node.input[2]])
                bs = (params[node.input[0]][0] * ws).astype(np.float32)
                bq = np.round(b / bs).astype(np.int32)
                bname = node.input[2]
                new_inits += [numpy_helper.from_array(bq, f"{bname}_q"),
                              numpy_helper.from_array(bs, f"{bname}_scale")]
                nodes.append(helper.make_node("DequantizeLinear",
                                              [f"{bname}_q", f"{bname}_scale"],
                                              [f"{bname}_dq"], axis=0))
                node_copy.input[2] = f"{bname}_dq"
        nodes.append(node_copy)
        for out in node.output:
            if out in params:
                nodes.extend(qdq(out))
    replace_nodes(graph, nodes, new_inits)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    model = onnx.load(args.input)
    names = calibration_tensors(model.graph)
    model = quantize(model, calibrate(model, names, args.kiln_run, args.seed))
    onnx.checker.check_model(model)
    onnx.save(model, args.output)
    print(f"{len(names)} tensors calibrated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

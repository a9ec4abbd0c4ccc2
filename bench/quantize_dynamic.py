#!/usr/bin/python3
"""Writes a float model's dynamically quantized form, as onnxruntime's
quantize_dynamic does for MatMul (onnxruntime's Python package is not on
this machine): every MatMul whose right operand is a 2-D float
initializer becomes

  DynamicQuantizeLinear(A) -> A_q (u8), A_scale, A_zero   (once per A)
  MatMulInteger(A_q, W_q, A_zero, 0) -> acc               (s8 weights)
  Cast(acc) * (A_scale * W_scale)

with W_q = round(W / W_scale) in [-127, 127] and W_scale = max|W| / 127
(symmetric, per tensor). Everything else stays float.

  quantize_dynamic.py IN.onnx OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def replace_nodes(graph, nodes, new_inits):
    """Gives `graph` the rewritten `nodes`, the initializers they still
    read plus `new_inits`, and no recorded intermediate shapes (both
    runtimes infer them). Shared with quantize_static.py."""
    used = {i for n in nodes for i in n.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    del graph.value_info[:]


def quantize(model):
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    quantized = {}  # activation name -> (q, scale, zero)
    nodes, new_inits, count = [], [], 0
    for node in graph.node:
        w = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        if w is None or len(w.dims) != 2 or w.data_type != TensorProto.FLOAT:
            nodes.append(node)
            continue
        a, tag = node.input[0], f"q{count}"
        count += 1
        if a not in quantized:
            names = (f"{a}_q", f"{a}_scale", f"{a}_zero")
            nodes.append(helper.make_node("DynamicQuantizeLinear", [a], list(names),
                                          name=f"{a}_quantize"))
            quantized[a] = names
        aq, ascale, azero = quantized[a]
        values = numpy_helper.to_array(w)
        scale = np.float32(max(np.abs(values).max(), 1e-12) / 127)
        wq = np.clip(np.round(values / scale), -127, 127).astype(np.int8)
        new_inits += [numpy_helper.from_array(wq, f"{tag}_w"),
                      numpy_helper.from_array(np.array(scale, np.float32), f"{tag}_w_scale"),
                      numpy_helper.from_array(np.array(0, np.int8), f"{tag}_w_zero")]
        nodes += [
            helper.make_node("MatMulInteger", [aq, f"{tag}_w", azero, f"{tag}_w_zero"],
                             [f"{tag}_acc"], name=f"{node.name}_int8"),
            helper.make_node("Cast", [f"{tag}_acc"], [f"{tag}_accf"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [ascale, f"{tag}_w_scale"], [f"{tag}_scale"]),
            helper.make_node("Mul", [f"{tag}_accf", f"{tag}_scale"], [node.output[0]],
                             name=f"{node.name}_scale"),
        ]
    replace_nodes(graph, nodes, new_inits)
    return model, count


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    model, count = quantize(onnx.load(sys.argv[1]))
    onnx.checker.check_model(model)
    onnx.save(model, sys.argv[2])
    print(f"{count} MatMuls quantized")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Writes tiny_cnn.onnx, the few-KiB example model README.md's first
command compiles and runs: Conv(1->4, 3x3) + Relu + MaxPool + Gemm(->10) +
Softmax on a 1x1x8x8 image, with fixed pseudo-random weights."""
import numpy as np

np.float = float
np.int = int
np.bool = bool
np.object = object
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

rng = np.random.default_rng(7)
w = numpy_helper.from_array((rng.standard_normal((4, 1, 3, 3)) * 0.5).astype(np.float32), "conv.w")
b = numpy_helper.from_array((rng.standard_normal(4) * 0.1).astype(np.float32), "conv.b")
fw = numpy_helper.from_array((rng.standard_normal((10, 36)) * 0.2).astype(np.float32), "fc.w")
fb = numpy_helper.from_array((rng.standard_normal(10) * 0.1).astype(np.float32), "fc.b")
shape = numpy_helper.from_array(np.array([1, 36], np.int64), "flat")
nodes = [
    helper.make_node("Conv", ["image", "conv.w", "conv.b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c"], ["r"], name="relu"),
    helper.make_node("MaxPool", ["r"], ["p"], name="pool", kernel_shape=[3, 3], strides=[3, 3], pads=[1, 1, 1, 1]),
    helper.make_node("Reshape", ["p", "flat"], ["f"], name="flatten"),
    helper.make_node("Gemm", ["f", "fc.w", "fc.b"], ["logits"], name="fc", transB=1),
    helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
]
graph = helper.make_graph(
    nodes, "tiny_cnn",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 8, 8])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 10])],
    initializer=[w, b, fw, fb, shape])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, "tiny_cnn.onnx")

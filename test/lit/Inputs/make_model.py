#!/usr/bin/python3
"""Writes the small binary ONNX models the lit tests need (kept out of the
repository as files; made when the tests run).

  make_model.py NAME OUT.onnx
"""
import sys

import numpy as np

np.float = float
np.int = int
np.bool = bool
np.object = object
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def model(nodes, inputs, outputs, initializers=(), opset=13):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def info(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def relu():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [info("x", [1, 2, 3])], [info("y", [1, 2, 3])])


def bad_conv():
    return model([helper.make_node("Conv", ["x", "w"], ["y"], name="c1")],
                 [info("x", [1, 4, 8, 8]), info("w", [2, 3, 3, 3])],
                 [info("y", [1, 2, 6, 6])])


def unsorted():
    return model([helper.make_node("Relu", ["a"], ["y"], name="second"),
                  helper.make_node("Relu", ["x"], ["a"], name="first")],
                 [info("x", [3])], [info("y", [3])])


def external():
    w = TensorProto()
    w.name = "W"
    w.data_type = TensorProto.FLOAT
    w.dims.extend([3])
    w.data_location = TensorProto.EXTERNAL
    e = w.external_data.add()
    e.key = "location"
    e.value = "external.weights"
    return model([helper.make_node("Add", ["x", "W"], ["y"], name="add")],
                 [info("x", [3])], [info("y", [3])], [w])


def gather():
    return model([helper.make_node("Gather", ["data", "idx"], ["y"], name="g")],
                 [info("data", [4, 2]), info("idx", [3], TensorProto.INT64)],
                 [info("y", [3, 2])])


def mixed_precision():
    """An embedding table (data movement), a product and a softmax: what
    --precision=fp16/bf16 stores low, runs on tensor cores, keeps f32."""
    rng = np.random.default_rng(5)
    table = helper.make_tensor("table", TensorProto.FLOAT, [256, 64],
                               rng.uniform(-1, 1, 256 * 64).astype(np.float32))
    w = helper.make_tensor("w", TensorProto.FLOAT, [64, 64],
                           rng.uniform(-0.2, 0.2, 64 * 64).astype(np.float32))
    nodes = [helper.make_node("Gather", ["table", "ids"], ["e"], name="embed"),
             helper.make_node("MatMul", ["e", "w"], ["h"], name="proj"),
             helper.make_node("Add", ["h", "x"], ["r"], name="residual"),
             helper.make_node("Softmax", ["r"], ["y"], name="softmax", axis=-1)]
    return model(nodes, [info("ids", [8], TensorProto.INT64), info("x", [8, 64])],
                 [info("y", [8, 64])], [table, w])


def dynamic_add():
    return model([helper.make_node("Add", ["a", "b"], ["y"], name="add")],
                 [info("a", ["n", 4]), info("b", ["m", 4])], [info("y", ["n", 4])])


def loop_scan_no_trip():
    """A Loop with a scan output but no trip count (input M omitted)."""
    body = helper.make_graph(
        [helper.make_node("Identity", ["ci"], ["co"]),
         helper.make_node("Identity", ["v"], ["w"]),
         helper.make_node("Identity", ["v"], ["so"])],
        "body",
        [info("i", [], TensorProto.INT64), info("ci", [], TensorProto.BOOL),
         info("v", [1])],
        [info("co", [], TensorProto.BOOL), info("w", [1]), info("so", [1])])
    return model([helper.make_node("Loop", ["", "c", "x"], ["y", "s"],
                                   name="repeat", body=body)],
                 [info("c", [], TensorProto.BOOL), info("x", [1])],
                 [info("y", [1]), info("s", [None, 1])])


def seq_info(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_sequence_value_info(name, elem, shape)


def opt_info(name, shape, elem=TensorProto.FLOAT):
    return helper.make_value_info(name, helper.make_optional_type_proto(
        helper.make_tensor_type_proto(elem, shape)))


def seq_insert():
    """y = SequenceInsert(s, t): a sequence input and output."""
    return model([helper.make_node("SequenceInsert", ["s", "t"], ["y"])],
                 [seq_info("s", [3]), info("t", [3])], [seq_info("y", [3])],
                 opset=15)


def seq_insert_at(t_shape=(3,)):
    """SequenceInsert at a position given at run time."""
    return model([helper.make_node("SequenceInsert", ["s", "t", "p"], ["y"],
                                   name="insert")],
                 [seq_info("s", [3]), info("t", list(t_shape)),
                  info("p", [], TensorProto.INT64)], [seq_info("y", [3])],
                 opset=15)


def seq_map():
    body = helper.make_graph([helper.make_node("Relu", ["x"], ["r"])], "b",
                             [info("x", [3])], [info("r", [3])])
    return model([helper.make_node("SequenceMap", ["s"], ["y"], body=body)],
                 [seq_info("s", [3])], [seq_info("y", [3])], opset=17)


def optional_has():
    return model([helper.make_node("OptionalHasElement", ["o"], ["has"])],
                 [opt_info("o", [3])], [info("has", [], TensorProto.BOOL)],
                 opset=15)


def seq_loop(trip_input=False):
    """A Loop that carries a sequence: SequenceInsert(x) per iteration."""
    body = helper.make_graph(
        [helper.make_node("Identity", ["ci"], ["co"]),
         helper.make_node("SequenceInsert", ["si", "x"], ["so"])],
        "b", [info("i", [], TensorProto.INT64), info("ci", [], TensorProto.BOOL),
              seq_info("si", [2])],
        [info("co", [], TensorProto.BOOL), seq_info("so", [2])])
    nodes = [helper.make_node("Constant", [], ["t"], value=helper.make_tensor(
                 "t", TensorProto.BOOL, [], [True])),
             helper.make_node("SequenceEmpty", [], ["e"], dtype=TensorProto.FLOAT),
             helper.make_node("Loop", ["n", "t", "e"], ["y"], name="repeat",
                              body=body)]
    inputs = [info("x", [2])]
    if trip_input:
        inputs.append(info("n", [], TensorProto.INT64))
    else:
        nodes.insert(0, helper.make_node(
            "Constant", [], ["n"],
            value=helper.make_tensor("n", TensorProto.INT64, [], [3])))
    return model(nodes, inputs, [seq_info("y", [2])], opset=15)


def if_optional():
    """If whose branches give an empty and a full optional."""
    then = helper.make_graph(
        [helper.make_node("Optional", [], ["o"],
                          type=helper.make_tensor_type_proto(TensorProto.FLOAT, [3]))],
        "t", [], [opt_info("o", [3])])
    other = helper.make_graph([helper.make_node("Optional", ["x"], ["p"])],
                              "e", [], [opt_info("p", [3])])
    return model([helper.make_node("If", ["c"], ["y"], name="choose",
                                   then_branch=then, else_branch=other)],
                 [info("c", [], TensorProto.BOOL), info("x", [3])],
                 [opt_info("y", [3])], opset=15)


def conv3x3_relu():
    """A 3x3 convolution + ReLU large enough for oneDNN's Winograd."""
    w = np.random.default_rng(1).standard_normal((64, 64, 3, 3)).astype(np.float32)
    return model([helper.make_node("Conv", ["x", "w"], ["c"], name="conv",
                                   kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                  helper.make_node("Relu", ["c"], ["y"], name="relu")],
                 [info("x", [1, 64, 40, 40])], [info("y", [1, 64, 40, 40])],
                 [numpy_helper.from_array(w, "w")])


def conv3x3_residual(skip_conv):
    """conv3x3-relu with a residual Add before the ReLU. The addend is a
    second input, or (`skip_conv`) a 1x1 convolution of the same input,
    as in ResNet's downsampling blocks. A second input is NCHW, so the
    layout pass transposes the convolution's NHWC result before the Add,
    which is then no post-op: Winograd applies. A convolution's result is
    NHWC like it, so the Add is a binary post-op and the 3x3 convolution
    stays direct."""
    m = conv3x3_relu()
    m.graph.node[0].output[0] = "c0"
    m.graph.node.insert(1, helper.make_node("Add", ["c0", "skip"], ["c"],
                                            name="residual"))
    if skip_conv:
        w = np.random.default_rng(3).standard_normal((64, 64, 1, 1)).astype(np.float32)
        m.graph.node.insert(0, helper.make_node("Conv", ["x", "ws"], ["skip"],
                                                name="skip", kernel_shape=[1, 1]))
        m.graph.initializer.append(numpy_helper.from_array(w, "ws"))
    else:
        m.graph.input.append(info("skip", [1, 64, 40, 40]))
    return m


def product(kind, m, k, n):
    """A fully-connected layer + ReLU: Gemm with transB (PyTorch's Linear)
    or MatMul + Add with the weight as [k, n]."""
    rng = np.random.default_rng(2)
    bias = rng.standard_normal(n).astype(np.float32)
    if kind == "gemm":
        w = rng.standard_normal((n, k)).astype(np.float32)
        nodes = [helper.make_node("Gemm", ["x", "w", "b"], ["p"], name="fc",
                                  transB=1)]
    else:
        w = rng.standard_normal((k, n)).astype(np.float32)
        nodes = [helper.make_node("MatMul", ["x", "w"], ["q"], name="fc"),
                 helper.make_node("Add", ["q", "b"], ["p"], name="bias")]
    nodes.append(helper.make_node("Relu", ["p"], ["y"], name="relu"))
    return model(nodes, [info("x", [m, k])], [info("y", [m, n])],
                 [numpy_helper.from_array(w, "w"),
                  numpy_helper.from_array(bias, "b")])


MODELS = {
    "conv3x3-relu": conv3x3_relu,
    "conv3x3-residual-output": lambda: conv3x3_residual(False),
    "conv3x3-residual": lambda: conv3x3_residual(True),
    "gemm-1x256x256": lambda: product("gemm", 1, 256, 256),
    "gemm-1x1280x1000": lambda: product("gemm", 1, 1280, 1000),
    "gemm-4x256x256": lambda: product("gemm", 4, 256, 256),
    "matmul-1x256x256": lambda: product("matmul", 1, 256, 256),
    "matmul-1x1024x1024": lambda: product("matmul", 1, 1024, 1024),
    "matmul-64x256x256": lambda: product("matmul", 64, 256, 256),
    "seq-insert": seq_insert, "seq-insert-at": seq_insert_at,
    "seq-insert-at-mixed": lambda: seq_insert_at((4,)),
    "seq-map": seq_map, "optional-has": optional_has,
    "seq-loop": seq_loop, "seq-loop-runtime": lambda: seq_loop(True),
    "if-optional": if_optional,
    "loop-scan-no-trip": loop_scan_no_trip,
    "relu": relu, "bad-conv": bad_conv, "unsorted": unsorted,
    "external": external, "gather": gather, "dynamic-add": dynamic_add,
    "mixed-precision": mixed_precision,
}

if __name__ == "__main__":
    name, out = sys.argv[1], sys.argv[2]
    with open(out, "wb") as f:
        f.write(MODELS[name]().SerializeToString())

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


def epilogues():
    """Products whose epilogues cuBLASLt runs on CUDA (odd sizes): Gemm with
    a bias C + Relu, MatMul + Add(bias) + tanh Gelu, MatMul + Add(bias as
    [1, N]), a [3, 5, 17] batch by a shared weight + bias + Relu (one GEMM
    of 15 rows), and by a batched weight + bias (a strided batch)."""
    rng = np.random.default_rng(11)

    def const(name, shape):
        return helper.make_tensor(name, TensorProto.FLOAT, shape,
                                  rng.uniform(-0.5, 0.5, int(np.prod(shape)))
                                  .astype(np.float32))
    # Biases of 64 floats or more are parameters (device buffers from the
    # start); smaller constants would be materialised by a kernel, which
    # the fake driver does not run.
    inits = [const("w1", [72, 40]), const("b1", [72]), const("w2", [72, 67]),
             const("b2", [67]), const("w3", [67, 65]), const("b3", [1, 65]),
             const("w4", [17, 66]), const("b4", [66]), const("w5", [3, 17, 69]),
             const("b5", [69])]
    nodes = [helper.make_node("Gemm", ["x", "w1", "b1"], ["g1"], name="fc1",
                              transB=1),
             helper.make_node("Relu", ["g1"], ["h1"], name="relu1"),
             helper.make_node("MatMul", ["h1", "w2"], ["m2"], name="fc2"),
             helper.make_node("Add", ["b2", "m2"], ["a2"], name="bias2"),
             helper.make_node("Gelu", ["a2"], ["h2"], name="gelu2",
                              approximate="tanh"),
             helper.make_node("MatMul", ["h2", "w3"], ["m3"], name="fc3"),
             helper.make_node("Add", ["m3", "b3"], ["y"], name="bias3"),
             helper.make_node("MatMul", ["z", "w4"], ["m4"], name="fc4"),
             helper.make_node("Add", ["m4", "b4"], ["a4"], name="bias4"),
             helper.make_node("Relu", ["a4"], ["u"], name="relu4"),
             helper.make_node("MatMul", ["z", "w5"], ["m5"], name="fc5"),
             helper.make_node("Add", ["m5", "b5"], ["v"], name="bias5")]
    return model(nodes, [info("x", [6, 40]), info("z", [3, 5, 17])],
                 [info("y", [6, 65]), info("u", [3, 5, 66]), info("v", [3, 5, 69])],
                 inits, opset=20)


def conv_epilogues():
    """Convolutions whose epilogues cuDNN's fused call runs on CUDA: bias +
    ReLU, bias + residual + ReLU, a strided depthwise one + ReLU, and a
    residual without bias or ReLU (separate calls). 64 channels, so that
    the biases are parameters (see epilogues())."""
    rng = np.random.default_rng(13)

    def const(name, shape, scale):
        return helper.make_tensor(name, TensorProto.FLOAT, shape,
                                  rng.uniform(-scale, scale,
                                              int(np.prod(shape)))
                                  .astype(np.float32))
    inits = [const("w1", [64, 64, 3, 3], 0.05), const("b1", [64], 0.5),
             const("w2", [64, 64, 3, 3], 0.05), const("b2", [64], 0.5),
             const("w3", [64, 1, 3, 3], 0.3), const("b3", [64], 0.5),
             const("w4", [64, 64, 1, 1], 0.1)]
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1",
                              pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["h1"], name="relu1"),
             helper.make_node("Conv", ["h1", "w2", "b2"], ["c2"], name="conv2",
                              pads=[1, 1, 1, 1]),
             helper.make_node("Add", ["h1", "c2"], ["s2"], name="residual2"),
             helper.make_node("Relu", ["s2"], ["h2"], name="relu2"),
             helper.make_node("Conv", ["h2", "w3", "b3"], ["c3"], name="dw3",
                              pads=[1, 1, 1, 1], strides=[2, 2], group=64),
             helper.make_node("Relu", ["c3"], ["y"], name="relu3"),
             helper.make_node("Conv", ["h2", "w4"], ["c4"], name="pw4"),
             helper.make_node("Add", ["c4", "h2"], ["u"], name="residual4")]
    return model(nodes, [info("x", [2, 64, 6, 6])],
                 [info("y", [2, 64, 3, 3]), info("u", [2, 64, 6, 6])], inits)


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
    "epilogues": epilogues,
    "conv-epilogues": conv_epilogues,
}

if __name__ == "__main__":
    name, out = sys.argv[1], sys.argv[2]
    with open(out, "wb") as f:
        f.write(MODELS[name]().SerializeToString())

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
from onnx import TensorProto, helper  # noqa: E402


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


MODELS = {
    "loop-scan-no-trip": loop_scan_no_trip,
    "relu": relu, "bad-conv": bad_conv, "unsorted": unsorted,
    "external": external, "gather": gather, "dynamic-add": dynamic_add,
}

if __name__ == "__main__":
    name, out = sys.argv[1], sys.argv[2]
    with open(out, "wb") as f:
        f.write(MODELS[name]().SerializeToString())

#!/usr/bin/env python3
"""Models whose size in one dimension used to make compile time explode,
checked against numpy:

  concat_300          a Concat of 300 inputs (built in two levels: a chain
                      of 300 insert_slice ops took OneShotBufferize 137 s);
  concat_40_dynamic   a Concat of 40 inputs whose lengths along the axis are
                      known only at run time (some empty), so the groups'
                      offsets are computed at run time;
  topk_per_class_120  a TopK per class over 120 classes, concatenated, as in
                      a detection model's post-processing: thousands of
                      loop nests in the entry function, which the CPU
                      backend moves into functions of their own (in one
                      function, LLVM took minutes). With --kiln-compile the
                      LLVM IR is checked to have them.

  wide_models.py --kiln-run BIN [--kiln-compile BIN] [--target cpu|cuda-emulate]
"""
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

from kiln_run import Tally, arg_parser, compile_model, run_model, within


def save(path, nodes, inputs, outputs, inits=()):
    graph = helper.make_graph(nodes, "wide", inputs, outputs, list(inits))
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


def concat_300(path, rng):
    """Row c of x scaled by c + 1, the 300 rows concatenated."""
    n, width = 300, 5
    nodes, inits, parts = [], [], []
    for c in range(n):
        inits.append(helper.make_tensor(f"i{c}", TensorProto.INT64, [1], [c]))
        inits.append(helper.make_tensor(f"s{c}", TensorProto.FLOAT, [], [c + 1.0]))
        nodes.append(helper.make_node("Gather", ["x", f"i{c}"], [f"g{c}"], axis=0))
        nodes.append(helper.make_node("Mul", [f"g{c}", f"s{c}"], [f"p{c}"]))
        parts.append(f"p{c}")
    nodes.append(helper.make_node("Concat", parts, ["y"], axis=1))
    save(path, nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, width])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n * width])], inits)
    x = rng.standard_normal((n, width)).astype(np.float32)
    want = (x * np.arange(1, n + 1, dtype=np.float32)[:, None]).reshape(1, -1)
    return {"x": x}, want


def concat_40_dynamic(path, rng):
    """40 inputs of [n_i, 3], each n_i its own run-time size."""
    n = 40
    inputs = [helper.make_tensor_value_info(f"x{i}", TensorProto.FLOAT, [f"n{i}", 3])
              for i in range(n)]
    nodes = [helper.make_node("Concat", [f"x{i}" for i in range(n)], ["y"], axis=0)]
    save(path, nodes, inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["m", 3])])
    lengths = [(i * 7) % 5 for i in range(n)]  # 0 to 4 rows, 8 of them empty
    feeds = {f"x{i}": rng.standard_normal((k, 3)).astype(np.float32)
             for i, k in enumerate(lengths)}
    return feeds, np.concatenate([feeds[f"x{i}"] for i in range(n)], axis=0)


def topk_per_class(path, rng, classes=120, boxes=37, k=3):
    """Per class, the k best of `boxes` scores; the classes concatenated."""
    nodes, inits, parts = [], [helper.make_tensor("k", TensorProto.INT64, [1], [k])], []
    for c in range(classes):
        inits.append(helper.make_tensor(f"i{c}", TensorProto.INT64, [], [c]))
        nodes.append(helper.make_node("Gather", ["x", f"i{c}"], [f"g{c}"], axis=1))
        nodes.append(helper.make_node("TopK", [f"g{c}", "k"], [f"v{c}", f"ix{c}"], axis=-1))
        parts.append(f"v{c}")
    nodes.append(helper.make_node("Concat", parts, ["y"], axis=1))
    save(path, nodes,
         [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, classes, boxes])],
         [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, classes * k])], inits)
    x = rng.standard_normal((1, classes, boxes)).astype(np.float32)
    want = -np.sort(-x, axis=-1)[:, :, :k].reshape(1, -1)
    return {"x": x}, want


def outlined_nests(kiln_compile, model, work):
    """How many loop nests the LLVM IR of `model` has in functions of their
    own (CodeExtractor names them main_graph.nest*), or an error."""
    ll = os.path.join(work, "model.ll")
    err = compile_model(kiln_compile, model, ll, "--emit=llvm")
    if err:
        return None, err
    with open(ll) as f:
        return sum(line.startswith("define") and "@main_graph.nest" in line
                   for line in f), None


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--kiln-compile")
    args = ap.parse_args()
    rng = np.random.RandomState(11)
    tally = Tally()
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "model.onnx")
        for name, make in (("concat_300", concat_300),
                           ("concat_40_dynamic", concat_40_dynamic),
                           ("topk_per_class_120", topk_per_class)):
            feeds, want = make(path, rng)
            outputs, err = run_model(args.kiln_run, args.target, work, path, feeds)
            if err is None:
                # Copies and exact selections: bit-exact.
                err = within(outputs[0], want, 0.0)
            if err is None and name.startswith("topk") and args.kiln_compile \
                    and args.target == "cpu":
                nests, err = outlined_nests(args.kiln_compile, path, work)
                if err is None and nests == 0:
                    err = "the entry function's loop nests were not outlined"
            tally.add(name, err)
    return tally.exit_code()


if __name__ == "__main__":
    sys.exit(main())

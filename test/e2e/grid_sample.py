#!/usr/bin/env python3
"""GridSample against torch.nn.functional.grid_sample: every mode
(bilinear, nearest, bicubic), padding mode (zeros, border, reflection) and
align_corners, on a 2 x 3 x 7 x 9 image with a 2 x 5 x 6 grid reaching
past the image on every side (Kiln's tap tables: positions and weights
over [N, Ho, Wo] that every channel reads). The ONNX node tests cover the
same modes on 1-channel cases.

  grid_sample.py --kiln-run BIN [--target cpu|cuda-emulate]
"""
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper

from kiln_run import arg_parser, run_model, Tally, within


def model(path, x_shape, g_shape, mode, padding, align):
    node = helper.make_node("GridSample", ["x", "grid"], ["y"], mode=mode,
                            padding_mode=padding, align_corners=align)
    graph = helper.make_graph(
        [node], "grid_sample",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape)),
         helper.make_tensor_value_info("grid", TensorProto.FLOAT, list(g_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)]), path)


def main():
    ap = arg_parser(__doc__)
    args = ap.parse_args()
    tally = Tally()
    rng = np.random.RandomState(5)
    x = rng.randn(2, 3, 7, 9).astype(np.float32)
    # Normalised coordinates in [-1.3, 1.3]: taps outside on every side.
    grid = (rng.rand(2, 5, 6, 2) * 2.6 - 1.3).astype(np.float32)
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "model.onnx")
        for mode in ("bilinear", "nearest", "bicubic"):
            for padding in ("zeros", "border", "reflection"):
                for align in (0, 1):
                    model(path, x.shape, grid.shape, mode, padding, align)
                    want = torch.nn.functional.grid_sample(
                        torch.from_numpy(x).double(), torch.from_numpy(grid).double(),
                        mode=mode, padding_mode=padding,
                        align_corners=bool(align)).numpy()
                    got, err = run_model(args.kiln_run, args.target, work, path,
                                         {"x": x, "grid": grid})
                    if err is None:
                        err = within(got[0], want, 1e-5 * float(np.abs(want).max()) + 1e-6)
                    tally.add(f"{mode}_{padding}_align{align}", err)
    return tally.exit_code()


if __name__ == "__main__":
    sys.exit(main())

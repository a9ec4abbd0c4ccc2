#!/usr/bin/env python3
"""RoiAlign (average) against torchvision.ops.roi_align, at a detector's
sizes: 300 regions on a 2 x 64 x 50 x 50 feature map, spatial scale 1/4,
regions partly or wholly outside the image, tiny and large ones; a fixed
sampling ratio (Kiln's tap tables) and the adaptive one (sampling_ratio 0,
the per-element loops); half_pixel (torchvision's aligned=True) and
output_half_pixel (aligned=False). "max" has no torchvision counterpart;
the ONNX node tests cover it.

  roi_align.py --kiln-run BIN [--target cpu|cuda-emulate]
"""
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper
from torchvision.ops import roi_align

from kiln_run import arg_parser, run_model, Tally, within


def model(path, x_shape, count, out, ratio, scale, half_pixel):
    node = helper.make_node(
        "RoiAlign", ["x", "rois", "batch"], ["y"], output_height=out[0],
        output_width=out[1], sampling_ratio=ratio, spatial_scale=scale,
        coordinate_transformation_mode="half_pixel" if half_pixel else "output_half_pixel")
    graph = helper.make_graph(
        [node], "roi_align",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_shape)),
         helper.make_tensor_value_info("rois", TensorProto.FLOAT, [count, 4]),
         helper.make_tensor_value_info("batch", TensorProto.INT64, [count])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)]), path)


def regions(rng, count, image):
    """Boxes in input pixels (x0, y0, x1, y1): mostly inside, some across
    the border or outside it, some smaller than a bin."""
    centre = rng.uniform(-0.1 * image, 1.1 * image, (count, 2))
    size = np.exp(rng.uniform(np.log(0.5), np.log(image), (count, 2)))
    return np.concatenate([centre - size / 2, centre + size / 2], axis=1).astype(np.float32)


def cases():
    rng = np.random.RandomState(3)
    x = rng.randn(2, 64, 50, 50).astype(np.float32)
    boxes = regions(rng, 300, 200)  # scale 1/4 maps them onto 50 x 50
    batch = rng.randint(0, 2, 300).astype(np.int64)
    # (name, x, boxes, batch, output size, sampling_ratio, scale, half_pixel)
    yield ("ratio2_half_pixel", x, boxes, batch, (7, 7), 2, 0.25, True)
    yield ("ratio2_output_half_pixel", x, boxes, batch, (7, 7), 2, 0.25, False)
    yield ("ratio3_14x14", x, boxes[:100], batch[:100], (14, 14), 3, 0.25, True)
    yield ("adaptive_half_pixel", x, boxes[:100], batch[:100], (7, 7), 0, 0.25, True)
    yield ("adaptive_output_half_pixel", x, boxes[:100], batch[:100], (5, 3), 0, 0.25, False)


def main():
    ap = arg_parser(__doc__)
    args = ap.parse_args()
    tally = Tally()
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "model.onnx")
        for name, x, boxes, batch, out, ratio, scale, half in cases():
            model(path, x.shape, len(boxes), out, ratio, scale, half)
            rois = torch.cat([torch.from_numpy(batch).double()[:, None],
                              torch.from_numpy(boxes).double()], dim=1)
            want = roi_align(torch.from_numpy(x).double(), rois, out, scale, ratio,
                             aligned=half).numpy()
            got, err = run_model(args.kiln_run, args.target, work, path,
                                 {"x": x, "rois": boxes, "batch": batch})
            if err is None:
                err = within(got[0], want, 1e-5 * float(np.abs(want).max()) + 1e-6)
            tally.add(name, err)
    return tally.exit_code()


if __name__ == "__main__":
    sys.exit(main())

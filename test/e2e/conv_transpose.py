#!/usr/bin/env python3
"""ConvTranspose against PyTorch's conv_transpose{1,2,3}d, at the sizes of
real decoders and on the cases the ONNX node tests leave out: stride 2 with
a 4x4 kernel (the usual upsampler), stride 3 with output padding and
groups, dilation, asymmetric pads (PyTorch has none: its result is
cropped), a kernel smaller than the stride (output positions no tap
reaches hold the bias), 1x1, 1-D and 3-D, batch 2, and a batch dimension
of dynamic size (the lowering without static shapes).

  conv_transpose.py --kiln-run BIN [--target cpu|cuda-emulate]
"""
import os
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper

from kiln_run import arg_parser, run_model, Tally, within


def model(path, x_shape, w, bias, strides, pads, dilations, out_pad, group,
          dynamic_batch):
    inputs = [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, ["N"] + list(x_shape[1:]) if dynamic_batch
        else list(x_shape))]
    inits = [helper.make_tensor("w", TensorProto.FLOAT, w.shape, w.flatten().tolist())]
    names = ["x", "w"]
    if bias is not None:
        inits.append(helper.make_tensor("b", TensorProto.FLOAT, bias.shape,
                                        bias.tolist()))
        names.append("b")
    node = helper.make_node("ConvTranspose", names, ["y"], strides=strides,
                            pads=pads, dilations=dilations,
                            output_padding=out_pad, group=group)
    graph = helper.make_graph([node], "conv_transpose", inputs,
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              path)


def reference(x, w, bias, strides, pads, dilations, out_pad, group):
    k = x.ndim - 2
    conv = [None, F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][k]
    with torch.no_grad():
        y = conv(torch.from_numpy(x).double(), torch.from_numpy(w).double(),
                 None if bias is None else torch.from_numpy(bias).double(),
                 stride=strides, padding=0, output_padding=out_pad,
                 groups=group, dilation=dilations).numpy()
    # ONNX's pads (begin..., end...) crop the padless result.
    crop = tuple(slice(None) for _ in range(2)) + tuple(
        slice(pads[i], y.shape[2 + i] - pads[k + i]) for i in range(k))
    return y[crop]


def cases():
    rng = np.random.RandomState(7)

    def make(x_shape, w_shape, bias=True):
        x = rng.randn(*x_shape).astype(np.float32)
        w = (rng.randn(*w_shape) / np.sqrt(np.prod(w_shape[1:]))).astype(np.float32)
        b = rng.randn(w_shape[1]).astype(np.float32) if bias else None
        return x, w, b

    # (name, x, w, bias, strides, pads, dilations, output_padding, group,
    # dynamic batch); bias has M = w.shape[1] * group entries.
    x, w, b = make((1, 64, 28, 28), (64, 32, 4, 4))
    yield ("decoder_s2_k4", x, w, b, [2, 2], [1, 1, 1, 1], [1, 1], [0, 0], 1, False)
    x, w, _ = make((2, 8, 9, 7), (8, 3, 3, 3), bias=False)
    b = rng.randn(6).astype(np.float32)
    yield ("s3_outpad_groups", x, w, b, [3, 3], [0, 1, 0, 1], [1, 1], [2, 1], 2, False)
    x, w, b = make((1, 6, 10, 11), (6, 5, 3, 3))
    yield ("dilation2_asym_pads", x, w, b, [2, 1], [1, 0, 2, 1], [2, 3], [1, 0], 1, False)
    x, w, b = make((1, 4, 5, 5), (4, 3, 2, 2))
    yield ("kernel_below_stride", x, w, b, [3, 3], [0, 0, 0, 0], [1, 1], [0, 0], 1, False)
    x, w, b = make((2, 16, 12, 12), (16, 8, 1, 1))
    yield ("one_by_one", x, w, b, [1, 1], [0, 0, 0, 0], [1, 1], [0, 0], 1, False)
    x, w, b = make((2, 8, 200), (8, 4, 8))
    yield ("audio_1d_s4", x, w, b, [4], [2, 2], [1], [0], 1, False)
    x, w, b = make((1, 8, 6, 7, 5), (8, 4, 2, 3, 2))
    yield ("volume_3d", x, w, b, [2, 2, 2], [0, 1, 0, 0, 1, 0], [1, 1, 1], [0, 0, 1], 1, False)
    x, w, b = make((3, 16, 14, 14), (16, 8, 4, 4))
    yield ("dynamic_batch", x, w, b, [2, 2], [1, 1, 1, 1], [1, 1], [0, 0], 1, True)


def main():
    ap = arg_parser(__doc__)
    args = ap.parse_args()
    tally = Tally()
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "model.onnx")
        for name, x, w, b, strides, pads, dil, out_pad, group, dyn in cases():
            model(path, x.shape, w, b, strides, pads, dil, out_pad, group, dyn)
            want = reference(x, w, b, strides, pads, dil, out_pad, group)
            got, err = run_model(args.kiln_run, args.target, work, path, {"x": x})
            if err is None:
                err = within(got[0], want, 1e-5 * float(np.abs(want).max()) + 1e-5)
            tally.add(name, err)
    return tally.exit_code()


if __name__ == "__main__":
    sys.exit(main())

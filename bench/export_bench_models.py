#!/usr/bin/python3
"""Writes the models only the benchmark uses (bench/bench.py calls this;
the real models come from scripts/export_models.py).

  export_bench_models.py OUT_DIR [--models squeezenet1_1,mlp,...]

Weights are random with a fixed seed; nothing is downloaded. A model whose
file exists is kept.

  squeezenet1_1  torchvision's SqueezeNet 1.1, input 1x3x224x224
  mlp            three Linear+ReLU of width 256 (Gemm+Relu in ONNX), batch 1
  tiny_ops       100 elementwise ops on a 1x16 tensor, Add and Mul
                 alternating with a different constant each, so that no
                 rewrite folds the chain away (fusion may still make it
                 one kernel)
  tiny_ops_unfused  the same with every intermediate also a graph output,
                 which keeps the ops in separate kernels
  gemmN          one MatMul of two NxN inputs (N = 512, 1024, 2048)
  top_k_vocab    TopK k=50 over 1x50257 logits (a language model's sampling)
  cum_sum_vocab  CumSum over 1x50257 (top-p sampling's running sum)
  unique_ids     Unique (sorted) of 20000 int64 ids
  nms_detector   NonMaxSuppression over 8000 boxes and 80 classes, at most
                 100 per class, IoU 0.5, score 0.05 (a detector's head)
  stft_audio     STFT of 2 s of 16 kHz audio: 512-point Hann frames every
                 160 samples, one-sided (a speech model's front end)
  stft_audio_400 the same with 400-point frames (Whisper's), not a power
                 of two (Bluestein's FFT in Kiln, one sum per bin in ORT)
  conv_transpose_decoder  ConvTranspose 64 -> 32 channels, 4x4 kernel,
                 stride 2, pads 1, bias, on 1x64x28x28 (a decoder's 2x
                 upsampler)
  roi_align_detector  RoiAlign of 300 regions, 7x7 bins, 2x2 samples, on a
                 1x256x50x50 feature map at scale 1/2 (a two-stage
                 detector's box head)
  lstm_seq       LSTM, hidden 256, over 50 steps of batch 8 x 256 features
  gru_seq        GRU of the same sizes
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def torch_export(module, example, path):
    # torch is imported here so that the ONNX-helper models need only onnx.
    import torch
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, (example,), path, opset_version=OPSET,
                          input_names=["input"], output_names=["output"],
                          do_constant_folding=True)


def squeezenet1_1(path):
    import torch
    import torchvision
    torch.manual_seed(0)
    torch_export(torchvision.models.squeezenet1_1(weights=None),
                 torch.randn(1, 3, 224, 224), path)


def mlp(path):
    import torch
    from torch import nn
    torch.manual_seed(0)
    layers = []
    for _ in range(3):
        layers += [nn.Linear(256, 256), nn.ReLU()]
    torch_export(nn.Sequential(*layers), torch.randn(1, 256), path)


def tiny_ops(path, count=100, width=16, every_output=False):
    rng = np.random.default_rng(0)
    nodes, inits = [], []
    prev = "input"
    for i in range(count):
        op = "Add" if i % 2 == 0 else "Mul"
        # Multipliers near 1 and small addends keep the values bounded
        # through 100 ops, so the agreement check compares real numbers.
        c = (rng.uniform(0.9, 1.1, width) if op == "Mul"
             else rng.uniform(-0.1, 0.1, width)).astype(np.float32)
        inits.append(numpy_helper.from_array(c, f"c{i}"))
        out = "output" if i == count - 1 else f"t{i}"
        nodes.append(helper.make_node(op, [prev, f"c{i}"], [out], name=f"{op.lower()}{i}"))
        prev = out
    outputs = [out for node in nodes for out in node.output] if every_output else ["output"]
    graph = helper.make_graph(
        nodes, "tiny_ops",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, width])],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, [1, width]) for o in outputs],
        inits)
    save(graph, path)


def tiny_ops_unfused(path):
    tiny_ops(path, every_output=True)


def gemm(n):
    def make(path):
        graph = helper.make_graph(
            [helper.make_node("MatMul", ["a", "b"], ["c"], name="matmul")],
            f"gemm{n}",
            [helper.make_tensor_value_info("a", TensorProto.FLOAT, [n, n]),
             helper.make_tensor_value_info("b", TensorProto.FLOAT, [n, n])],
            [helper.make_tensor_value_info("c", TensorProto.FLOAT, [n, n])])
        save(graph, path)
    return make


def one_op(op, inputs, outputs, consts=(), **attrs):
    """A graph of one node; `consts` become initializers. Opset 17 (STFT's
    first)."""
    def make(path):
        inits = [numpy_helper.from_array(np.asarray(v), n) for n, v in consts]
        graph = helper.make_graph(
            [helper.make_node(op, [n for n, *_ in inputs] + [n for n, _ in consts],
                              [n for n, *_ in outputs], name=op.lower(), **attrs)],
            op.lower(),
            [helper.make_tensor_value_info(n, ty, shape) for n, ty, shape in inputs],
            [helper.make_tensor_value_info(n, ty, shape) for n, ty, shape in outputs],
            inits)
        save(graph, path, opset=17)
    return make


F, I64 = TensorProto.FLOAT, TensorProto.INT64


def recurrent(op, gates, hidden=256, size=256, steps=50, batch=8):
    rng = np.random.RandomState(2)
    return one_op(op, [("x", F, [steps, batch, size])], [("y", F, [steps, 1, batch, hidden])],
                  consts=[("w", (rng.randn(1, gates * hidden, size) * 0.05).astype(np.float32)),
                          ("r", (rng.randn(1, gates * hidden, hidden) * 0.05).astype(np.float32))],
                  hidden_size=hidden)
VOCAB = 50257


def save(graph, path, opset=OPSET):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="kiln-bench")
    model.ir_version = 8  # readable by the ONNX Runtime and Kiln's importer
    onnx.checker.check_model(model)
    onnx.save(model, path)


MODELS = {"squeezenet1_1": squeezenet1_1, "mlp": mlp, "tiny_ops": tiny_ops,
          "tiny_ops_unfused": tiny_ops_unfused,
          "gemm512": gemm(512), "gemm1024": gemm(1024), "gemm2048": gemm(2048),
          "top_k_vocab": one_op(
              "TopK", [("logits", F, [1, VOCAB])],
              [("values", F, [1, 50]), ("indices", I64, [1, 50])],
              consts=[("k", np.array([50], np.int64))], axis=-1),
          "cum_sum_vocab": one_op(
              "CumSum", [("probs", F, [1, VOCAB])], [("sums", F, [1, VOCAB])],
              consts=[("axis", np.array(1, np.int64))]),
          "unique_ids": one_op(
              "Unique", [("ids", I64, [20000])],
              [("y", I64, [None]), ("first", I64, [None]),
               ("inverse", I64, [20000]), ("counts", I64, [None])], sorted=1),
          "nms_detector": one_op(
              "NonMaxSuppression",
              [("boxes", F, [1, 8000, 4]), ("scores", F, [1, 80, 8000])],
              [("selected", I64, [None, 3])],
              consts=[("max_out", np.array([100], np.int64)),
                      ("iou", np.array([0.5], np.float32)),
                      ("score", np.array([0.05], np.float32))]),
          "stft_audio": one_op(
              "STFT", [("signal", F, [1, 32000, 1])],
              [("spectrum", F, [1, 197, 257, 2])],
              consts=[("step", np.array(160, np.int64)),
                      ("window", np.hanning(512).astype(np.float32))],
              onesided=1),
          "stft_audio_400": one_op(
              "STFT", [("signal", F, [1, 32000, 1])],
              [("spectrum", F, [1, 198, 201, 2])],
              consts=[("step", np.array(160, np.int64)),
                      ("window", np.hanning(400).astype(np.float32))],
              onesided=1),
          "conv_transpose_decoder": one_op(
              "ConvTranspose", [("x", F, [1, 64, 28, 28])], [("y", F, [1, 32, 56, 56])],
              consts=[("w", (np.random.RandomState(0).randn(64, 32, 4, 4) * 0.05)
                       .astype(np.float32)),
                      ("b", np.random.RandomState(1).randn(32).astype(np.float32))],
              strides=[2, 2], pads=[1, 1, 1, 1]),
          "roi_align_detector": one_op(
              "RoiAlign", [("features", F, [1, 256, 50, 50]), ("rois", F, [300, 4])],
              [("pooled", F, [300, 256, 7, 7])],
              consts=[("batch", np.zeros(300, np.int64))],
              output_height=7, output_width=7, sampling_ratio=2, spatial_scale=0.5),
          "lstm_seq": recurrent("LSTM", 4),
          "gru_seq": recurrent("GRU", 3)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--models", default=",".join(MODELS))
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.models.split(","):
        if name not in MODELS:
            print(f"unknown model '{name}' (known: {', '.join(MODELS)})", file=sys.stderr)
            return 2
        path = os.path.join(args.out_dir, f"{name}.onnx")
        if os.path.exists(path):
            continue
        # Write to a temporary name first so an interrupted export is not
        # mistaken for a finished one next time.
        MODELS[name](path + ".tmp")
        os.replace(path + ".tmp", path)
        print(f"{name}: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

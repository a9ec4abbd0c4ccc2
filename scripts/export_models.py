#!/usr/bin/python3
"""Exports the real models Kiln is tested and measured on, with PyTorch's
outputs for a fixed input, so that the tests compare against an
independent reference.

  export_models.py OUT_DIR [--models resnet18,...] [--batch N]

For each model NAME it writes OUT_DIR/NAME.onnx, OUT_DIR/NAME.input.npy and
OUT_DIR/NAME.torch.npy. Weights are random (fixed seed): nothing is
downloaded. Files that exist already are kept (generated once per build).
"""
import argparse
import os
import sys

import numpy as np
import torch
import torchvision


def resnet18(batch):
    return torchvision.models.resnet18(weights=None), torch.randn(batch, 3, 224, 224)


MODELS = {
    "resnet18": resnet18,
}


def export(name, out_dir, batch, opset):
    onnx_path = os.path.join(out_dir, f"{name}.onnx")
    input_path = os.path.join(out_dir, f"{name}.input.npy")
    ref_path = os.path.join(out_dir, f"{name}.torch.npy")
    if all(os.path.exists(p) for p in (onnx_path, input_path, ref_path)):
        print(f"{name}: up to date")
        return
    torch.manual_seed(0)
    model, x = MODELS[name](batch)
    model.eval()
    with torch.no_grad():
        y = model(x)
        torch.onnx.export(model, x, onnx_path, opset_version=opset,
                          input_names=["input"], output_names=["output"],
                          do_constant_folding=True)
    np.save(input_path, x.numpy())
    np.save(ref_path, y.numpy())
    print(f"{name}: wrote {onnx_path}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--models", default="resnet18")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--opset", type=int, default=13)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(2)
    for name in args.models.split(","):
        if name not in MODELS:
            print(f"unknown model '{name}' (known: {', '.join(MODELS)})",
                  file=sys.stderr)
            return 2
        export(name, args.out_dir, args.batch, args.opset)
    return 0


if __name__ == "__main__":
    sys.exit(main())

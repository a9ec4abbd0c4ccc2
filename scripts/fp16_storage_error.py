#!/usr/bin/python3
"""What storing a test model in 16 bits costs, independent of Kiln: the
model of scripts/export_models.py, rebuilt as the export built it, run by
PyTorch on the CPU in float32 with BatchNorm folded into the convolutions
(as Kiln folds it), every convolution / linear weight rounded to the 16-bit
type and every leaf module's output rounded too; its error against the
export's float32 reference, max|diff| / max|ref|. This is the error that
--precision=fp16 (bf16) cannot go below on that model, as the README's GPU
section says of MobileNetV2.

  scripts/fp16_storage_error.py [--model mobilenet_v2] [--models build/models]
                                [--type float16|bfloat16]
"""
import argparse
import copy
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_models  # noqa: E402


def fold_batch_norm(module):
    """Each Conv2d directly followed by a BatchNorm2d in a Sequential takes
    the normalisation into its weights and bias; the BatchNorm becomes
    Identity."""
    for child in module.children():
        if isinstance(child, nn.Sequential):
            layers = list(child.children())
            for i in range(len(layers) - 1):
                conv, bn = layers[i], layers[i + 1]
                if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d):
                    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
                    conv.weight.data = conv.weight.data * scale.view(-1, 1, 1, 1)
                    bias = conv.bias.data if conv.bias is not None else \
                        torch.zeros_like(bn.running_mean)
                    conv.bias = nn.Parameter((bias - bn.running_mean) * scale + bn.bias)
                    child[i + 1] = nn.Identity()
        fold_batch_norm(child)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="mobilenet_v2")
    ap.add_argument("--models", default="build/models")
    ap.add_argument("--type", default="float16", choices=("float16", "bfloat16"))
    a = ap.parse_args()
    low = getattr(torch, a.type)
    torch.manual_seed(0)  # as export_models.export does
    model, cases, _ = export_models.MODELS[a.model]()
    model.eval()
    case = next(iter(cases))
    inputs = cases[case]
    ref = np.load(os.path.join(a.models, f"{a.model}.{case}.out.0.npy"))
    scale = float(np.max(np.abs(ref)))

    def rounded(t):
        return t.to(low).float() if t.is_floating_point() else t

    def error(weights, activations):
        m = copy.deepcopy(model)
        fold_batch_norm(m)
        for mod in m.modules():
            if weights and isinstance(mod, (nn.Conv2d, nn.Linear)):
                mod.weight.data = rounded(mod.weight.data)
            if activations and not list(mod.children()) and \
                    not isinstance(mod, nn.Identity):
                mod.register_forward_hook(lambda _m, _i, out: rounded(out)
                                          if torch.is_tensor(out) else out)
        xs = [rounded(x) if activations else x for x in inputs.values()]
        with torch.no_grad():
            out = m(*xs) if len(xs) == 1 else m(**dict(zip(inputs, xs)))
        out = out[0] if isinstance(out, tuple) else out
        return float(np.max(np.abs(out.numpy() - ref))) / scale

    print(f"{a.model}, {a.type} storage, max|diff| / max|float32 reference|:")
    print(f"  BatchNorm folded only      {error(False, False):.2e}")
    print(f"  weights rounded            {error(True, False):.2e}")
    print(f"  activations rounded        {error(False, True):.2e}")
    print(f"  weights and activations    {error(True, True):.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

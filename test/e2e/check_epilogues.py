#!/usr/bin/python3
"""The outputs of make_model.py's `epilogues` and `conv-epilogues` models,
run as CUDA artifacts on the fake driver with the fake cuBLAS/cuBLASLt and
cuDNN (which compute float32 by the libraries' documented definitions),
against numpy (products) and PyTorch (convolutions):

  check_epilogues.py KILN_RUN MODEL.onnx ARTIFACT.so WORK_DIR

The model is told by its file name (conv-epilogues.onnx or anything else
for epilogues). The environment carries KILN_CUDA_DRIVER and the fake
libraries' KILN_CUBLAS_LIBRARY, KILN_CUBLASLT_LIBRARY, KILN_CUDNN_LIBRARY.
Every op of these models runs inside a library call (bias, ReLU, tanh GELU
and residuals as epilogues), so a wrong transpose, stride, batch, pointer
or epilogue in the runtime shows here as a wrong number, without a GPU.
"""
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def gelu_tanh(v):
    return 0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v ** 3)))


def run_kiln(run, artifact, work, inputs):
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    cmd = [run, artifact, "--output-dir", out]
    for name, array in inputs.items():
        path = os.path.join(work, name + ".npy")
        np.save(path, array)
        cmd += ["--input", name + "=" + path]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return [np.load(os.path.join(out, "output_%d.npy" % i))
            for i in range(len(os.listdir(out)))]


def products(w, rng):
    x = rng.uniform(-1, 1, (6, 40)).astype(np.float32)
    z = rng.uniform(-1, 1, (3, 5, 17)).astype(np.float32)
    h1 = np.maximum(x @ w["w1"].T + w["b1"], 0)
    h2 = gelu_tanh(h1 @ w["w2"] + w["b2"])
    return {"x": x, "z": z}, [("y", h2 @ w["w3"] + w["b3"]),
                              ("u", np.maximum(z @ w["w4"] + w["b4"], 0)),
                              ("v", np.matmul(z, w["w5"]) + w["b5"])]


def convolutions(w, rng):
    import torch
    import torch.nn.functional as F
    x = rng.uniform(-1, 1, (2, 64, 6, 6)).astype(np.float32)
    t = {k: torch.from_numpy(v) for k, v in w.items()}
    tx = torch.from_numpy(x).double()
    h1 = F.relu(F.conv2d(tx, t["w1"], t["b1"], padding=1))
    h2 = F.relu(h1 + F.conv2d(h1, t["w2"], t["b2"], padding=1))
    y = F.relu(F.conv2d(h2, t["w3"], t["b3"], padding=1, stride=2, groups=64))
    u = F.conv2d(h2, t["w4"]) + h2
    return {"x": x}, [("y", y.numpy()), ("u", u.numpy())]


def main():
    run, model_path, artifact, work = sys.argv[1:5]
    w = {t.name: numpy_helper.to_array(t).astype(np.float64)
         for t in onnx.load(model_path).graph.initializer}
    rng = np.random.default_rng(7)
    make = (convolutions if os.path.basename(model_path).startswith("conv")
            else products)
    inputs, want = make(w, rng)
    got = run_kiln(run, artifact, work, inputs)
    failed = len(got) != len(want)
    for (name, ref), out in zip(want, got):
        err = np.max(np.abs(out - ref)) / np.max(np.abs(ref))
        ok = out.shape == ref.shape and err <= 1e-5
        failed |= not ok
        print("%s %s: shape %s, max relative error %.2e" %
              ("ok" if ok else "FAIL", name, out.shape, err))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

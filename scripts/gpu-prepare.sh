#!/bin/sh
# On the development machine (with the compiler): compiles the CUDA
# artifacts, inputs and references that scripts/gpu-check.sh runs on a GPU
# machine without LLVM/MLIR, into gpu-bundle/ (git-ignored, under 56 MiB so
# that the repository and the bundle together stay under 64 MiB).
#   scripts/gpu-prepare.sh [--arch sm_90|sm_80]
set -eu
cd "$(dirname "$0")/.."
arch=sm_90
[ "${1:-}" = "--arch" ] && arch=$2
[ -x build/bin/kiln-compile ] || { echo "build the compiler first (scripts/build.sh)" >&2; exit 1; }
# The exported test models (PyTorch, random weights, with reference outputs).
cmake --build build --target test_models
/usr/bin/python3 scripts/gpu_prepare.py --bin build/bin --models build/models \
  --out gpu-bundle --arch "$arch"
echo "Copy the repository with gpu-bundle/ to the GPU machine and run scripts/gpu-check.sh there."

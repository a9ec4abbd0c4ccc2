#!/bin/sh
# Installs what building and testing Kiln needs, from Debian 12's archive
# (LLVM/MLIR 22 comes from bookworm's security updates). Idempotent.
set -eu
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake ninja-build ccache \
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 \
  libonnx-dev libprotobuf-dev protobuf-compiler libgtest-dev \
  libdnnl-dev ocl-icd-opencl-dev opencl-headers \
  python3-numpy python3-onnx python3-torch python3-torchvision \
  > /dev/null

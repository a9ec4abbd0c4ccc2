#!/bin/sh
# The benchmark's one command (README.md, "Benchmark"): Kiln against ONNX
# Runtime on this CPU. Flags go to bench/bench.py:
#   bench/run.sh [--build-dir DIR] [--threads N] [--rounds R]
#                [--models a,b,...] [--quick]
# Installs what it needs and is missing (Node.js and npm for ONNX Runtime,
# oneDNN's headers for the sgemm reference, GNU time for peak memory) and
# builds Kiln when the default build folder has no compiler yet.
set -eu
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
if ! command -v node > /dev/null || ! command -v npm > /dev/null ||
   [ ! -f /usr/include/oneapi/dnnl/dnnl.h ] || [ ! -x /usr/bin/time ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends nodejs npm libdnnl-dev time > /dev/null
fi
build=build
prev=""
for arg in "$@"; do
  case "$prev" in --build-dir) build=$arg ;; esac
  case "$arg" in --build-dir=*) build=${arg#--build-dir=} ;; esac
  prev=$arg
done
if [ "$build" = build ] && [ ! -x build/bin/kiln-compile ]; then
  scripts/install-deps.sh
  scripts/build.sh
fi
exec /usr/bin/python3 bench/bench.py "$@"

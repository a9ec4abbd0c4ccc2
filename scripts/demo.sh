#!/bin/sh
# README's first command: install, build, then compile the bundled example
# model and run it, printing its outputs and its time.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build/bin/kiln-compile examples/models/tiny_cnn.onnx -o build/tiny_cnn.so
build/bin/kiln-run build/tiny_cnn.so --bench --iters 100

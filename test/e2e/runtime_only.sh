#!/bin/sh
# Builds the runtime-only configuration (no LLVM/MLIR/ONNX/protobuf) and
# runs an artifact that the full build compiled, as on a deployment machine.
#   runtime_only.sh SOURCE_DIR WORK_DIR KILN_COMPILE MODEL
set -eu
src=$1 work=$2 compile=$3 model=$4
mkdir -p "$work"
cmake -S "$src" -B "$work/build" -G Ninja -DKILN_RUNTIME_ONLY=ON \
  -DKILN_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/build" > "$work/build.log"
if ldd "$work/build/bin/kiln-run" | grep -Ei 'llvm|mlir|protobuf|onnx'; then
  echo "the runtime-only kiln-run depends on the compiler" >&2
  exit 1
fi
"$compile" "$model" -o "$work/model.so"
"$work/build/bin/kiln-run" "$work/model.so" --bench --iters 2 --warmup 1

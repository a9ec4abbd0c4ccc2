#!/bin/sh
# Configures and builds Kiln in ./build (Release, Ninja, ccache if present).
set -eu
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build

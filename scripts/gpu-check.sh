#!/bin/bash
# On a GPU machine with CUDA, cuDNN, CMake and PyTorch but no LLVM/MLIR:
# builds the runtime-only tree and runs what scripts/gpu-prepare.sh compiled
# into gpu-bundle/: numerics against CPU/PyTorch references (float32, and
# --precision=fp16 within 1e-2 of the same references), a benchmark table
# against PyTorch eager at fp32 and fp16 (with the fp16 outputs' error
# against fp32), the bandwidth of a fused elementwise kernel against a
# device-to-device copy, and, where Nsight Compute (ncu) is installed, the
# per-kernel GPU time of two benchmark models. Each step reports on its own; a
# failing case does not stop the others. Finishes in a few minutes.
#   scripts/gpu-check.sh [BUNDLE_DIR]
# GPU_CHECK_BUDGET (seconds, default 330) caps steps 1-4; cases past it are
# skipped and the summary is still printed. Step 5 takes at most 2 minutes
# more, so the whole check stays under 8 minutes.
set -u
cd "$(dirname "$0")/.."
bundle=${1:-gpu-bundle}
start=$(date +%s)
step() { echo; echo "=== [$(( $(date +%s) - start ))s] $* ==="; }
status=0

step "1/5 environment"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
  || echo "nvidia-smi failed (no driver or GPU?)"
cmake --version | head -1 || { echo "no cmake"; exit 1; }
python3 -c "import torch; print('PyTorch', torch.__version__, 'CUDA', torch.version.cuda, 'GPU', torch.cuda.is_available())" \
  || echo "no PyTorch: the PyTorch columns will be empty"
if [ ! -f "$bundle/manifest.json" ]; then
  echo "no $bundle/manifest.json: run scripts/gpu-prepare.sh on the development machine and copy $bundle/ here"
  exit 1
fi

step "2/5 build the runtime and kiln-run without LLVM/MLIR (KILN_RUNTIME_ONLY)"
mkdir -p build-gpu
gen=""
command -v ninja > /dev/null && gen="-G Ninja"
if cmake -S . -B build-gpu $gen -DKILN_RUNTIME_ONLY=ON -DKILN_BUILD_TESTS=OFF \
     -DCMAKE_BUILD_TYPE=Release > build-gpu/build.log 2>&1 &&
   cmake --build build-gpu -j "$(nproc)" >> build-gpu/build.log 2>&1; then
  echo "built build-gpu/bin/kiln-run"
  if ldd build-gpu/bin/kiln-run | grep -Ei 'llvm|mlir|libcuda|cudnn|cublas'; then
    echo "WARNING: kiln-run links the above at load time"
  fi
else
  tail -30 build-gpu/build.log
  echo "BUILD FAILED (log: build-gpu/build.log)"
  exit 1
fi
run=build-gpu/bin/kiln-run
# cuDNN and cuBLAS are opened with dlopen: where the system has none, use
# the ones PyTorch ships (pip's nvidia-* packages).
if ! ldconfig -p | grep -q 'libcudnn.so.9' ||
   ! ldconfig -p | grep -Eq 'libcublas.so.1[23]'; then
  extra=$(python3 -c "import glob, os, nvidia; print(':'.join(sorted(glob.glob(os.path.join(list(nvidia.__path__)[0], '*', 'lib')))))" 2>/dev/null)
  if [ -n "$extra" ]; then
    export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$extra"
    echo "using PyTorch's CUDA libraries: $extra"
  fi
fi

step "3/5 smoke test: the tiny CNN on the GPU"
timeout 60 "$run" "$bundle/tiny_cnn.so" --bench --warmup 2 --iters 5 || {
  echo "SMOKE TEST FAILED (exit $?)"; status=1; }

step "4/5 numerics, benchmarks against PyTorch eager, bandwidth"
# Whatever the build took, the whole check stays under 8 minutes: cases past
# the budget are skipped and the summary is still printed.
budget=$(( ${GPU_CHECK_BUDGET:-330} - ($(date +%s) - start) ))
timeout $(( budget + 20 )) python3 scripts/gpu_check.py --kiln-run "$run" \
  --bundle "$bundle" --budget "$budget" \
  || { rc=$?; echo "gpu_check.py exit code $rc (124: timed out)"; status=1; }

step "5/5 per-kernel GPU time (Nsight Compute), one run each"
ncu=$(command -v ncu || ls /opt/nvidia/nsight-compute/*/ncu 2>/dev/null | head -1)
if [ -z "$ncu" ]; then
  echo "no ncu: skipped"
else
  for m in bert_b8_s128 resnet50_b32.fp16; do
    [ -f "$bundle/$m.so" ] || continue
    echo "--- $m"
    # One steady-state run: the third (after the first run, which searches
    # cuDNN's algorithms, and a warm-up), bracketed by the runtime with
    # cuProfilerStart/Stop (KILN_CUDA_PROFILE_RUN).
    KILN_CUDA_PROFILE_RUN=3 timeout 60 "$ncu" --profile-from-start off \
      --clock-control none --metrics gpu__time_duration.sum \
      --csv --print-units base "$run" "$bundle/$m.so" --random-params \
      --seed 7 --bench --warmup 1 --iters 1 > "build-gpu/ncu_$m.csv" 2>&1 ||
      echo "ncu exit code $? (124: timed out after 60 s)"
    python3 scripts/gpu_profile.py "build-gpu/ncu_$m.csv"
  done
fi

step "done in $(( $(date +%s) - start )) s"
exit $status

#!/bin/sh
# A CUDA artifact on a machine without a usable GPU: it links and loads
# (no undefined CUDA symbols), and running it is one clear error and exit
# code 1, never a crash.
#   cuda_no_gpu.sh KILN_COMPILE KILN_RUN MODEL WORK_DIR
set -eu
compile=$1 run=$2 model=$3 work=$4
mkdir -p "$work"
"$compile" "$model" --target=cuda -o "$work/model.so"

undefined=$(nm -D --undefined-only "$work/model.so" | awk '{print $2}')
if echo "$undefined" | grep -Eq '^(cu|cuda|cublas|cudnn|mgpu)'; then
  echo "FAIL: the artifact needs CUDA symbols at link time:" >&2
  echo "$undefined" >&2
  exit 1
fi

expect_clear_error() { # NAME: runs kiln-run with the current environment
  set +e
  "$run" "$work/model.so" > "$work/$1.out" 2> "$work/$1.err"
  rc=$?
  set -e
  if [ "$rc" -ne 1 ]; then
    echo "FAIL ($1): expected exit code 1, got $rc" >&2
    cat "$work/$1.err" >&2
    exit 1
  fi
  if ! grep -q "cannot run this CUDA artifact: no CUDA driver/GPU found" \
       "$work/$1.err"; then
    echo "FAIL ($1): not the expected message:" >&2
    cat "$work/$1.err" >&2
    exit 1
  fi
  if [ "$(wc -l < "$work/$1.err")" -ne 1 ]; then
    echo "FAIL ($1): expected one line of error:" >&2
    cat "$work/$1.err" >&2
    exit 1
  fi
  echo "ok ($1): $(cat "$work/$1.err")"
}

# A driver that is not there, whatever this machine has.
KILN_CUDA_DRIVER=/nonexistent/libcuda.so.1 expect_clear_error missing-driver

# This machine's own driver: where it has a GPU the model must run.
set +e
"$run" "$work/model.so" > "$work/host.out" 2> "$work/host.err"
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
  echo "ok (host): a GPU is present and the model ran"
  cat "$work/host.out"
else
  expect_clear_error host
fi

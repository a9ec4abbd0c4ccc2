#!/bin/sh
# What --precision asks cuBLAS for, checked on the fake driver with a fake
# cuBLAS that logs each call's types (no GPU): float32 data with float32
# compute (no TF32) by default, TF32 compute with --precision=tf32, and
# half / bfloat16 data with float32 compute (tensor cores) with fp16/bf16.
#   cuda_fake_cublas.sh KILN_COMPILE KILN_RUN FAKE_DRIVER FAKE_CUBLAS
#                       MAKE_MODEL_PY WORK_DIR
set -eu
compile=$1 run=$2 fake=$3 cublas=$4 make_model=$5 work=$6
mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
# A gather, a product (cuBLAS), a residual add and a softmax.
/usr/bin/python3 "$make_model" mixed-precision "$work/m.onnx"

# cudaDataType: R_32F 0, R_16F 2, R_16BF 14; cublasComputeType_t:
# COMPUTE_32F 68, COMPUTE_32F_FAST_TF32 77. The product is 8x64 by 64x64.
for case in "fp32 0 68" "tf32 0 77" "fp16 2 68" "bf16 14 68"; do
  set -- $case
  precision=$1 type=$2 compute=$3
  "$compile" "$work/m.onnx" --target=cuda --precision="$precision" \
    -o "$work/$precision.so"
  rm -f "$work/$precision.log"
  KILN_CUDA_DRIVER=$fake KILN_CUBLAS_LIBRARY=$cublas \
    KILN_FAKE_CUBLAS_LOG=$work/$precision.log \
    "$run" "$work/$precision.so" > "$work/$precision.out" 2>&1 ||
    { cat "$work/$precision.out" >&2; fail "$precision: kiln-run failed"; }
  grep -q "output 0 'y': float32\[8x64\]" "$work/$precision.out" ||
    fail "$precision: the output is not float32[8x64]"
  want="gemm a=$type b=$type c=$type compute=$compute 64 8 64"
  [ "$(cat "$work/$precision.log")" = "$want" ] ||
    fail "$precision: cuBLAS got '$(cat "$work/$precision.log")', expected '$want'"
  echo "ok $precision: $want"
done

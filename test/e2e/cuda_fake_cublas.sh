#!/bin/sh
# What --precision asks cuBLAS for, checked on the fake driver with a fake
# cuBLAS that logs each call's types (no GPU): float32 data with float32
# compute (no TF32) by default, TF32 compute with --precision=tf32, and
# half / bfloat16 data with float32 compute (tensor cores) with fp16/bf16.
# And attention's two products: batched cuBLAS calls, k^T read transposed
# (BERT_SMALL: scripts/export_models.py's small BERT, 4 heads of 64).
#   cuda_fake_cublas.sh KILN_COMPILE KILN_RUN FAKE_DRIVER FAKE_CUBLAS
#                       MAKE_MODEL_PY WORK_DIR BERT_SMALL
set -eu
compile=$1 run=$2 fake=$3 cublas=$4 make_model=$5 work=$6 bert=$7
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

# BERT-small (2 layers, 4 heads of 64, feed-forward 1024) at batch 2,
# sequence 16, in cuBLAS's column-major terms (n m k):
#  * each [2, 16, 256] by weight product is one GEMM of 32 rows;
#  * attention's q k^T is 8 = 2 x 4 heads of [16 x 64] by [16 x 64]^T,
#    k read transposed (op T N), and p v 8 of [16 x 16] by [16 x 64];
#  * the pooler's Gemm (transB) takes the first token of each sequence.
# At fp16 all of them take half data (tensor cores). The log lists every
# product of the model: none runs as generated code.
shapes="--input-shape input_ids=2x16 --input-shape attention_mask=2x16 --input-shape token_type_ids=2x16"
for case in "fp32 0" "fp16 2"; do
  set -- $case
  precision=$1 type=$2
  # shellcheck disable=SC2086
  "$compile" "$bert" --target=cuda --precision="$precision" $shapes \
    -o "$work/bert.$precision.so"
  rm -f "$work/bert.$precision.log"
  KILN_CUDA_DRIVER=$fake KILN_CUBLAS_LIBRARY=$cublas \
    KILN_FAKE_CUBLAS_LOG=$work/bert.$precision.log \
    "$run" "$work/bert.$precision.so" > "$work/bert.$precision.out" 2>&1 ||
    { cat "$work/bert.$precision.out" >&2; fail "bert $precision: kiln-run failed"; }
  g="gemm a=$type b=$type c=$type compute=68"
  layer="$g 256 32 256
$g 256 32 256
$g 256 32 256
$g 16 16 64 op=TN batch=8
$g 64 16 16 op=NN batch=8
$g 256 32 256
$g 1024 32 256
$g 256 32 1024"
  want="$layer
$layer
$g 256 2 256 op=TN batch=1"
  [ "$(cat "$work/bert.$precision.log")" = "$want" ] ||
    fail "bert $precision: cuBLAS got
$(cat "$work/bert.$precision.log")
expected
$want"
  echo "ok bert $precision: every product on cuBLAS, attention's batched"
done

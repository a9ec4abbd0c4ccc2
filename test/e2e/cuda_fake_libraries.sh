#!/bin/sh
# What --precision asks cuBLAS for, checked on the fake driver with a fake
# cuBLAS that logs each call's types (no GPU): float32 data with float32
# compute (no TF32) by default, TF32 compute with --precision=tf32, and
# half / bfloat16 data with float32 compute (tensor cores) with fp16/bf16.
# And attention's two products: batched cuBLAS calls, k^T read transposed
# (BERT_SMALL: scripts/export_models.py's small BERT, 4 heads of 64); the
# weight products' biases as cuBLASLt epilogues. And the numbers of a
# model made only of products with epilogues (bias, ReLU, tanh GELU;
# transposed, folded and strided batches), which the fake libraries compute
# in float32, against numpy (check_epilogues.py).
# And convolutions with their epilogues (bias, residual, ReLU) through a
# fake cuDNN that computes float32 too: against PyTorch, in cuDNN's fused
# call and, with the fused call refused, in separate calls.
#   cuda_fake_libraries.sh KILN_COMPILE KILN_RUN FAKE_DRIVER FAKE_CUBLAS
#                          FAKE_CUDNN MAKE_MODEL_PY WORK_DIR BERT_SMALL
#                          CHECK_EPILOGUES_PY
set -eu
compile=$1 run=$2 fake=$3 cublas=$4 cudnn=$5 make_model=$6 work=$7 bert=$8
check=$9
mkdir -p "$work"
# The fake library is both cuBLAS and cuBLASLt.
export KILN_CUBLASLT_LIBRARY="$cublas" KILN_CUDNN_LIBRARY="$cudnn"
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
#  * each [2, 16, 256] by weight product is one GEMM of 32 rows, its bias
#    added by cuBLASLt (epilogue 4, CUBLASLT_EPILOGUE_BIAS; BERT's GELU is
#    the erf form, which stays a generated kernel);
#  * attention's q k^T is 8 = 2 x 4 heads of [16 x 64] by [16 x 64]^T,
#    k read transposed (op T N), and p v 8 of [16 x 16] by [16 x 64];
#  * the pooler's Gemm (transB) takes the first token of each sequence.
# cuBLASLt's heuristic runs once per distinct product (4), on the first
# run. At fp16 all of them take half data (tensor cores). The log lists
# every product of the model: none runs as generated code.
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
  lt="lt a=$type c=$type compute=68"
  first="lt-heuristic 256 32 256
$lt 256 32 256 epilogue=4 bias=1
$lt 256 32 256 epilogue=4 bias=1
$lt 256 32 256 epilogue=4 bias=1
$g 16 16 64 op=TN batch=8
$g 64 16 16 op=NN batch=8
$lt 256 32 256 epilogue=4 bias=1
lt-heuristic 1024 32 256
$lt 1024 32 256 epilogue=4 bias=1
lt-heuristic 256 32 1024
$lt 256 32 1024 epilogue=4 bias=1"
  second="$lt 256 32 256 epilogue=4 bias=1
$lt 256 32 256 epilogue=4 bias=1
$lt 256 32 256 epilogue=4 bias=1
$g 16 16 64 op=TN batch=8
$g 64 16 16 op=NN batch=8
$lt 256 32 256 epilogue=4 bias=1
$lt 1024 32 256 epilogue=4 bias=1
$lt 256 32 1024 epilogue=4 bias=1"
  want="$first
$second
lt-heuristic 256 2 256
$lt 256 2 256 epilogue=4 bias=1 op=TN batch=1"
  [ "$(cat "$work/bert.$precision.log")" = "$want" ] ||
    fail "bert $precision: cuBLAS got
$(cat "$work/bert.$precision.log")
expected
$want"
  echo "ok bert $precision: every product on cuBLAS/cuBLASLt, attention's batched"
done

# Products with epilogues, computed by the fake libraries: the numbers
# against numpy, and the calls (cublasLtEpilogue_t: 4 bias, 6 bias + ReLU,
# 36 bias + GELU).
/usr/bin/python3 "$make_model" epilogues "$work/epilogues.onnx"
"$compile" "$work/epilogues.onnx" --target=cuda -o "$work/epilogues.so"
rm -f "$work/epilogues.log"
KILN_CUDA_DRIVER=$fake KILN_CUBLAS_LIBRARY=$cublas \
  KILN_FAKE_CUBLAS_LOG=$work/epilogues.log \
  /usr/bin/python3 "$check" "$run" "$work/epilogues.onnx" \
  "$work/epilogues.so" "$work" || fail "epilogues: wrong outputs"
lt="lt a=0 c=0 compute=68"
want="$lt 72 6 40 epilogue=6 bias=1 op=TN batch=1
$lt 67 6 72 epilogue=36 bias=1
$lt 65 6 67 epilogue=4 bias=1
$lt 66 15 17 epilogue=6 bias=1
$lt 69 5 17 epilogue=4 bias=1 op=NN batch=3"
got=$(grep -v '^lt-heuristic' "$work/epilogues.log")
[ "$got" = "$want" ] ||
  fail "epilogues: cuBLASLt got
$got
expected
$want"
echo "ok epilogues: bias, ReLU and tanh GELU in cuBLASLt, numbers as numpy's"

# Convolutions with epilogues, computed by the fake cuDNN, against PyTorch:
# bias + ReLU, bias + residual + ReLU and a strided depthwise one in the
# fused call; a residual without a bias in separate calls (the fused call
# needs a bias). Then every one in separate calls, the fused call refused.
/usr/bin/python3 "$make_model" conv-epilogues "$work/conv-epilogues.onnx"
"$compile" "$work/conv-epilogues.onnx" --target=cuda -o "$work/conv.so"
for fused in 1 0; do
  rm -f "$work/conv.$fused.log"
  KILN_CUDA_DRIVER=$fake KILN_CUBLAS_LIBRARY=$cublas \
    KILN_FAKE_CUDNN_LOG=$work/conv.$fused.log \
    KILN_FAKE_CUDNN_NO_FUSED=$((1 - fused)) \
    /usr/bin/python3 "$check" "$run" "$work/conv-epilogues.onnx" \
    "$work/conv.so" "$work" || fail "conv epilogues (fused=$fused): wrong outputs"
done
want="fused 2 64 6 6 64 3 3 groups=1 act=1 z=0
fused 2 64 6 6 64 3 3 groups=1 act=1 z=1
fused 2 64 6 6 64 3 3 groups=64 act=1 z=0
conv 2 64 6 6 64 1 1 groups=1
add-tensor full"
[ "$(cat "$work/conv.1.log")" = "$want" ] ||
  fail "conv epilogues: cuDNN got
$(cat "$work/conv.1.log")
expected
$want"
want="conv 2 64 6 6 64 3 3 groups=1
add-tensor bias
activation
conv 2 64 6 6 64 3 3 groups=1
add-tensor bias
add-tensor full
activation
conv 2 64 6 6 64 3 3 groups=64
add-tensor bias
activation
conv 2 64 6 6 64 1 1 groups=1
add-tensor full"
[ "$(cat "$work/conv.0.log")" = "$want" ] ||
  fail "conv epilogues, fused call refused: cuDNN got
$(cat "$work/conv.0.log")
expected
$want"
echo "ok conv epilogues: bias, residual and ReLU in cuDNN, fused or not, numbers as PyTorch's"

# cuDNN's algorithm, from its search. The fake's first search of each
# convolution is "cold" (IMPLICIT_GEMM with FMA looks fastest, as when
# each kernel's first launch loads it), later ones warm (IMPLICIT_PRECOMP_GEMM
# on tensor cores, then FFT, then IMPLICIT_GEMM). The runtime searches
# twice: float32 takes FFT (no tensor cores unless TF32 was asked for),
# fp16 the tensor cores; KILN_CUDNN_SEARCHES=1 takes the cold times.
# KILN_CUDA_REPORT=1 names each convolution's choice.
"$compile" "$work/conv-epilogues.onnx" --target=cuda --precision=fp16 \
  -o "$work/conv.fp16.so"
algos() { # ARTIFACT NAME [VAR=VALUE]
  env KILN_CUDA_DRIVER="$fake" KILN_CUDA_REPORT=1 ${3:-} "$run" "$1" \
    > "$work/$2.out" 2>&1 || fail "$2: $(cat "$work/$2.out")"
  grep "^kiln: cuDNN conv" "$work/$2.out" | sed 's/.*: \([a-z_]*\).*/\1/' |
    sort | uniq -c | tr -s ' ' | tr '\n' ';'
}
[ "$(algos "$work/conv.so" algo.fp32)" = " 3 fft;" ] ||
  fail "fp32 algorithms: $(cat "$work/algo.fp32.out")"
[ "$(algos "$work/conv.fp16.so" algo.fp16)" = " 3 implicit_precomp_gemm;" ] ||
  fail "fp16 algorithms: $(cat "$work/algo.fp16.out")"
grep -q "^kiln: cuDNN conv f16 2x64x6x6 k64 3x3 s1 g1: implicit_precomp_gemm (tensor cores), 0.020 ms, workspace 1024 bytes" \
  "$work/algo.fp16.out" || fail "no report line: $(cat "$work/algo.fp16.out")"
[ "$(algos "$work/conv.fp16.so" algo.once KILN_CUDNN_SEARCHES=1)" = " 3 implicit_gemm;" ] ||
  fail "fp16 with KILN_CUDNN_SEARCHES=1: $(cat "$work/algo.once.out")"
echo "ok cuDNN algorithms: the second search decides; fp32 without tensor cores"

# KILN_CUDNN_CACHE: the first process searches and appends its three
# choices; the next takes them from the file without searching: with
# KILN_CUDNN_SEARCHES=1 a search would take implicit_gemm (the cold
# times), the file gives implicit_precomp_gemm on tensor cores.
cache="$work/cudnn-algos.txt"
rm -f "$cache"
[ "$(algos "$work/conv.fp16.so" cache.first KILN_CUDNN_CACHE="$cache")" = " 3 implicit_precomp_gemm;" ] ||
  fail "cache, first process: $(cat "$work/cache.first.out")"
[ "$(wc -l < "$cache")" -eq 3 ] || fail "cache: not three lines: $(cat "$cache")"
grep -q "^1 1 Fake GPU sm_90|cudnn 9[0-9]*|" "$cache" ||
  fail "cache: no 'ALGO MATH device|cudnn version|descriptor' line: $(cat "$cache")"
export KILN_CUDNN_SEARCHES=1
[ "$(algos "$work/conv.fp16.so" cache.second KILN_CUDNN_CACHE="$cache")" = " 3 implicit_precomp_gemm;" ] ||
  fail "cache, second process: $(cat "$work/cache.second.out")"
[ "$(grep -c "from KILN_CUDNN_CACHE, workspace 1024 bytes" "$work/cache.second.out")" -eq 3 ] ||
  fail "cache, second process: not all from the file: $(cat "$work/cache.second.out")"
[ "$(wc -l < "$cache")" -eq 3 ] || fail "cache: grew without a search: $(cat "$cache")"
# float32 is another key: its own search (two, FFT), its own lines. A
# float32 choice on tensor cores (hand-edited here) would break the no-TF32
# promise: refused with a warning naming the file, searched again (once:
# implicit_gemm) and that choice appended, the last line of a key winning.
unset KILN_CUDNN_SEARCHES
[ "$(algos "$work/conv.so" cache.fp32 KILN_CUDNN_CACHE="$cache")" = " 3 fft;" ] ||
  fail "cache, fp32: $(cat "$work/cache.fp32.out")"
[ "$(grep -c "^4 0 .*|0," "$cache")" -eq 3 ] || fail "cache: fp32 not added: $(cat "$cache")"
sed -i 's/^4 0 \(.*|0,\)/1 1 \1/' "$cache"
export KILN_CUDNN_SEARCHES=1
[ "$(algos "$work/conv.so" cache.fp32tc KILN_CUDNN_CACHE="$cache")" = " 3 implicit_gemm;" ] ||
  fail "cache, fp32 with tensor-core lines: $(cat "$work/cache.fp32tc.out")"
grep -q "kiln: warning: $cache: cuDNN refuses the recorded algorithm 1 (math 1)" \
  "$work/cache.fp32tc.out" || fail "cache: no warning: $(cat "$work/cache.fp32tc.out")"
[ "$(algos "$work/conv.so" cache.fp32again KILN_CUDNN_CACHE="$cache")" = " 3 implicit_gemm;" ] ||
  fail "cache, fp32 after the new search: $(cat "$work/cache.fp32again.out")"
grep -q "warning" "$work/cache.fp32again.out" &&
  fail "cache: the appended choice did not win: $(cat "$work/cache.fp32again.out")"
# A line that does not parse is named and skipped; the run goes on.
printf 'not a choice\n' >> "$cache"
lines=$(wc -l < "$cache")
[ "$(algos "$work/conv.fp16.so" cache.bad KILN_CUDNN_CACHE="$cache")" = " 3 implicit_precomp_gemm;" ] ||
  fail "cache with a bad line: $(cat "$work/cache.bad.out")"
grep -q "kiln: warning: $cache:$lines: not 'ALGO MATH KEY'; line ignored" \
  "$work/cache.bad.out" || fail "cache: bad line not reported: $(cat "$work/cache.bad.out")"
# A file that cannot be written: one warning, the run succeeds.
[ "$(algos "$work/conv.fp16.so" cache.ro KILN_CUDNN_CACHE=/nonexistent/dir/algos.txt)" = " 3 implicit_gemm;" ] ||
  fail "unwritable cache: $(cat "$work/cache.ro.out")"
[ "$(grep -c "cannot append to /nonexistent/dir/algos.txt" "$work/cache.ro.out")" -eq 1 ] ||
  fail "unwritable cache: not one warning: $(cat "$work/cache.ro.out")"
unset KILN_CUDNN_SEARCHES
echo "ok KILN_CUDNN_CACHE: choices kept across processes, per type; bad lines and refused choices searched again"

# A model made only of library calls loads no kernel module; the device
# line still names the GPU. A missing library is one clear error naming
# the call and the library, and a non-zero exit.
KILN_CUDA_DRIVER=$fake KILN_CUBLAS_LIBRARY=$cublas \
  "$run" "$work/epilogues.so" > "$work/lt.out" 2>&1 ||
  fail "epilogues: $(cat "$work/lt.out")"
grep -q "device: Fake GPU (sm_90, no generated kernels)" "$work/lt.out" ||
  fail "epilogues: no device line: $(cat "$work/lt.out")"
KILN_CUDA_DRIVER=$fake KILN_CUBLASLT_LIBRARY=/nonexistent/libcublasLt.so \
  "$run" "$work/epilogues.so" > "$work/lt.out" 2>&1 &&
  fail "epilogues: ran without cuBLASLt"
grep -q "error: run failed: matrix product with epilogue (cuBLASLt): cuBLASLt not found" "$work/lt.out" ||
  fail "epilogues without cuBLASLt: $(cat "$work/lt.out")"
KILN_CUDA_DRIVER=$fake KILN_CUDNN_LIBRARY=/nonexistent/libcudnn.so \
  "$run" "$work/conv.so" > "$work/dnn.out" 2>&1 &&
  fail "conv epilogues: ran without cuDNN"
grep -q "error: run failed: convolution (cuDNN): cuDNN 9 not found" "$work/dnn.out" ||
  fail "conv epilogues without cuDNN: $(cat "$work/dnn.out")"
echo "ok missing cuBLASLt / cuDNN: one clear error each"

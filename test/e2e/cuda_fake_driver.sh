#!/bin/sh
# The CUDA executor's host side against a fake driver (device memory is host
# memory, kernels are counted, not run): the run completes, inputs and
# outputs are copied once, the device arena makes later runs allocation-
# free, nothing leaks or is freed twice, launches are well-formed, CUDA
# events time --bench, and a failed device check is reported.
#   cuda_fake_driver.sh KILN_COMPILE KILN_RUN FAKE_DRIVER MODEL WORK_DIR
set -eu
compile=$1 run=$2 fake=$3 model=$4 work=$5
mkdir -p "$work"
# No cuDNN/cuBLAS calls: the fake driver cannot back the real libraries.
"$compile" "$model" --target=cuda --gpu-libraries=false -o "$work/model.so"
"$compile" "$model" --target=cuda --gpu-libraries=false --external-params \
  -o "$work/external.so"

fail() { echo "FAIL: $*" >&2; exit 1; }
stat() { awk -v k="$1" '$1 == k {print $2}' "$2"; }

bench() { # ITERS STATS [ARTIFACT [EXTRA]]
  KILN_CUDA_DRIVER=$fake KILN_FAKE_CUDA_STATS=$work/$2 \
    "$run" "${3:-$work/model.so}" --bench --warmup 0 --iters "$1" ${4:-} \
    > "$work/$2.out" 2> "$work/$2.err" ||
    { cat "$work/$2.err" >&2; fail "kiln-run with the fake driver failed"; }
  cat "$work/$2.out"
}

bench 1 one
bench 6 six
grep -q "timer=cuda_events" "$work/six.out" || fail "--bench did not use CUDA events"
grep -q "^device: Fake GPU (sm_90, kernels from the cubin)" "$work/six.out" ||
  fail "the sm_90 cubin was not used on an sm_90 GPU"
grep -q "median_ms=0.2500 " "$work/six.out" || fail "not the event time"
grep -q "output 0 'probabilities': float32\[1x10\]" "$work/six.out" ||
  fail "no 1x10 output"
for s in one six; do
  [ "$(stat live "$work/$s")" = 0 ] || fail "$s: device memory leaked"
  [ "$(stat bad_frees "$work/$s")" = 0 ] || fail "$s: bad cuMemFree"
  [ "$(stat bad_launches "$work/$s")" = 0 ] || fail "$s: malformed launch"
done
# 2 runs (the first run, one timed) against 7: only the first allocates.
[ "$(stat allocs "$work/one")" = "$(stat allocs "$work/six")" ] ||
  fail "later runs allocate device memory ($(stat allocs "$work/one") vs $(stat allocs "$work/six") allocations)"
l1=$(stat launches "$work/one") l6=$(stat launches "$work/six")
[ "$l1" -gt 0 ] && [ $((l1 * 7)) -eq $((l6 * 2)) ] ||
  fail "launches per run differ ($l1 for 2 runs, $l6 for 7)"
echo "ok: $(stat allocs "$work/six") device allocations, $((l1 / 2)) launches per run"

# Weights outside the artifact, filled at random for timing.
bench 2 random "$work/external.so" --random-params
echo "ok: external weights, random"

# Another GPU than the cubin's: the PTX, compiled by the driver.
KILN_FAKE_CUDA_CC=80 bench 1 sm80
grep -q "^device: Fake GPU (sm_80, kernels JIT-compiled from the sm_90 PTX)" \
  "$work/sm80.out" || fail "no PTX fallback on an sm_80 GPU"
echo "ok: PTX on another GPU"

# A device-side check that failed: an error, not a result.
set +e
KILN_CUDA_DRIVER=$fake KILN_FAKE_CUDA_CHECK_FLAG=1 "$run" "$work/model.so" \
  > "$work/check.out" 2> "$work/check.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "a failed device check gave exit code $rc"
grep -q "run failed: " "$work/check.err" || fail "no run-failed message"
echo "ok: $(cat "$work/check.err")"

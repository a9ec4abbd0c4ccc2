#!/bin/sh
# The CUDA executor's host side against a fake driver (device memory is host
# memory, kernels are counted, not run): the run completes, inputs and
# outputs are copied once, the device arena makes later runs allocation-
# free, nothing leaks or is freed twice, launches are well-formed, CUDA
# events time --bench, a failed device check is reported, device out of
# memory is a clear error naming the size, --allow-cpu-fallback copies
# what the host needs, and later runs replay the first run's work as a CUDA
# graph (KILN_CUDA_GRAPH=0: not).
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

# Without graphs first: every run calls the artifact.
KILN_CUDA_GRAPH=0 bench 1 one
KILN_CUDA_GRAPH=0 bench 6 six
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

# By default the first run calls the artifact, the second captures its
# work once (nothing counted), and the 6 timed runs each launch the graph: as
# many kernel launches in all as without it, 1 capture, 6 graph launches,
# and no graph left when the executor goes.
bench 6 graph
for k in launches allocs; do
  [ "$(stat $k "$work/graph")" = "$(stat $k "$work/six")" ] ||
    fail "graph: $k $(stat $k "$work/graph") against $(stat $k "$work/six") without"
done
[ "$(stat captures "$work/graph")" = 1 ] && [ "$(stat graph_launches "$work/graph")" = 6 ] ||
  fail "graph: $(stat captures "$work/graph") captures, $(stat graph_launches "$work/graph") graph launches (expected 1, 6)"
[ "$(stat graphs_live "$work/graph")" = 0 ] || fail "graph: a graph leaked"
[ ! -s "$work/graph.err" ] || fail "graph: $(cat "$work/graph.err")"
[ "$(stat live "$work/graph")" = 0 ] || fail "graph: device memory leaked"
[ "$(stat captures "$work/six")" = 0 ] || fail "a graph with KILN_CUDA_GRAPH=0"
grep -q "output 0 'probabilities': float32\[1x10\]" "$work/graph.out" ||
  fail "graph: no 1x10 output"
echo "ok: CUDA graph: 1 capture, 6 graph launches, $(stat launches "$work/graph") kernel launches as without"

# KILN_CUDA_PROFILE_RUN=3: the third run (the timed one after a first run
# and a warm-up) between cuProfilerStart and cuProfilerStop, once.
KILN_CUDA_PROFILE_RUN=3 bench 1 profiled "" "--warmup 1"
[ "$(stat profiler_starts "$work/profiled")" = 1 ] &&
  [ "$(stat profiler_stops "$work/profiled")" = 1 ] ||
  fail "KILN_CUDA_PROFILE_RUN=3: $(stat profiler_starts "$work/profiled") starts, $(stat profiler_stops "$work/profiled") stops (expected 1, 1)"
echo "ok: KILN_CUDA_PROFILE_RUN brackets one run"

# Weights outside the artifact, filled at random for timing.
bench 2 random "$work/external.so" --random-params
echo "ok: external weights, random"

# Another GPU than the cubin's: the PTX, compiled by the driver.
KILN_FAKE_CUDA_CC=80 bench 1 sm80
grep -q "^device: Fake GPU (sm_80, kernels JIT-compiled from the sm_90 PTX)" \
  "$work/sm80.out" || fail "no PTX fallback on an sm_80 GPU"
echo "ok: PTX on another GPU"

# A run expected to fail with exit code 1: NAME ARTIFACT [VAR=VALUE]...
# (environment for the run); its output goes to $work/NAME.out and .err.
fails() {
  local name=$1 so=$2
  shift 2
  set +e
  env KILN_CUDA_DRIVER="$fake" "$@" "$run" "$so" \
    > "$work/$name.out" 2> "$work/$name.err"
  rc=$?
  set -e
  [ "$rc" -eq 1 ] || { cat "$work/$name.err" >&2; fail "$name: exit code $rc"; }
}

# A device-side check that failed: an error, not a result.
fails check "$work/model.so" KILN_FAKE_CUDA_CHECK_FLAG=1
grep -q "run failed: " "$work/check.err" || fail "no run-failed message"
echo "ok: $(cat "$work/check.err")"

# Device out of memory: one clear error naming the allocation's size, at
# load (the weights) and in a run (room for the weights only).
oom() { # BYTES NAME
  fails "$2" "$work/model.so" KILN_FAKE_CUDA_MEMORY="$1"
}
oom 1024 oom_load
grep -q "out of device memory allocating [0-9]* bytes (.* MiB) for the weights" \
  "$work/oom_load.err" || { cat "$work/oom_load.err" >&2; fail "no clear error when the weights do not fit"; }
oom $(($(wc -c < "$work/external.so.params") + 1024)) oom_run
grep -q "out of device memory allocating [0-9]* bytes (.* MiB; .* MiB free of .* MiB)" \
  "$work/oom_run.err" || { cat "$work/oom_run.err" >&2; fail "no clear error when a run's buffer does not fit"; }
echo "ok: $(head -1 "$work/oom_load.err")"
echo "ok: $(head -1 "$work/oom_run.err")"

# --allow-cpu-fallback: NonZero's count is computed on the host from a
# copy of the input (device memory here is host memory, so the copy
# carries the real data): the output's shape shows it, and the host copies
# leak nothing. Random inputs in [-1, 1) are all non-zero: 2x6.
nonzero_model() { # "ROWS, COLS" NAME: NonZero of a float input, with fallback
  cat > "$work/$2.onnxtxt" <<MODEL
<ir_version: 8, opset_import: ["" : 13]>
g (float[$1] x) => (int64[2, ?] y) {
    y = NonZero(x)
}
MODEL
  "$compile" "$work/$2.onnxtxt" --target=cuda --allow-cpu-fallback \
    -o "$work/$2.so"
}
nonzero_model "2, 3" nonzero
bench 1 nonzero "$work/nonzero.so"
grep -q "output 0 'y': int64\[2x6\]" "$work/nonzero.out" ||
  fail "the host fallback did not see the input's data"
[ "$(stat live "$work/nonzero")" = 0 ] || fail "nonzero: device memory leaked"
[ "$(stat bad_frees "$work/nonzero")" = 0 ] || fail "nonzero: bad cuMemFree"
[ "$(stat bad_launches "$work/nonzero")" = 0 ] || fail "nonzero: malformed launch"
echo "ok: CPU fallback, $(stat copies_to_host "$work/nonzero") copies to the host in 2 runs"
# Work that reads device data on the host is never captured (by default
# silently; KILN_CUDA_GRAPH=1 says why).
[ "$(stat captures "$work/nonzero")" = 0 ] || fail "the CPU fallback was captured"
[ ! -s "$work/nonzero.err" ] || fail "nonzero: $(cat "$work/nonzero.err")"
KILN_CUDA_GRAPH=1 bench 3 nonzero_graph "$work/nonzero.so"
[ "$(stat captures "$work/nonzero_graph")" = 0 ] || fail "the CPU fallback was captured"
grep -q "KILN_CUDA_GRAPH: no graph (the run reads device data on the host)" \
  "$work/nonzero_graph.err" || fail "no note saying why there is no graph"
grep -q "output 0 'y': int64\[2x6\]" "$work/nonzero_graph.out" ||
  fail "nonzero with KILN_CUDA_GRAPH: wrong output"
echo "ok: CPU fallback with KILN_CUDA_GRAPH: no capture"

# Host out of memory during the fallback (the fake driver, preloaded,
# fails host callocs of 64 MiB and more): the 96 MiB input's host copy
# ends the run with one clear error, not an abort.
nonzero_model "6144, 4096" nonzero_big
fails host_oom "$work/nonzero_big.so" LD_PRELOAD="$fake" \
  KILN_FAKE_HOST_CALLOC_LIMIT=$((64 << 20))
grep -q "out of host memory allocating 100663296 bytes (96.0 MiB) for a host copy" \
  "$work/host_oom.err" || { cat "$work/host_oom.err" >&2; fail "no clear error when a host copy does not fit"; }
echo "ok: $(head -1 "$work/host_oom.err")"

#!/usr/bin/python3
"""Kiln against ONNX Runtime on this CPU (README.md, "Benchmark").

  bench.py [--build-dir DIR] [--threads N] [--rounds R] [--models a,b,...]
           [--quick] [--work-dir DIR] [--self-check]

For each model: compile it with kiln-compile -O2 (timing the compiler and
its peak memory), run Kiln and ONNX Runtime once on the same inputs and
compare their outputs, then time both alternately for R rounds (the order
swaps every round, so neither side always runs on a warmer machine) and
report the median of each side's per-round medians. GEMM rows time Kiln's
code for one MatMul against oneDNN's sgemm the same way. Everything it
writes goes under DIR/bench (the npm scratch folder, models only the
benchmark uses, artifacts, outputs, results.json). Exits non-zero when
outputs disagree or something failed; the tables are printed regardless.
"""
import argparse
import glob
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
import zlib

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(ROOT, "bench")
TIME = "/usr/bin/time"  # GNU time (Debian's package "time"), for peak RSS

# A case is one row of the main table. `source` names the ONNX file:
# ("real", name) from scripts/export_models.py into DIR/models (the tests'
# models, reused), ("bench", name) from bench/export_bench_models.py into
# DIR/bench/models, ("int8", name) / ("qdq", name) the real model quantized
# by bench/quantize_dynamic.py / bench/quantize_static.py into
# DIR/bench/models. `shapes` fixes every input, so both sides see the same
# static model.
VISION = {"input": ((1, 3, 224, 224), "normal")}
CASES = {
    "resnet50": dict(source=("real", "resnet50"), batch=1, inputs=VISION),
    "resnet50_b8": dict(source=("real", "resnet50"), batch=8,
                        inputs={"input": ((8, 3, 224, 224), "normal")}),
    "mobilenet_v2": dict(source=("real", "mobilenet_v2"), batch=1, inputs=VISION),
    "bert": dict(source=("real", "bert"), batch=1,
                 inputs={"input_ids": ((1, 128), "token_ids"),
                         "attention_mask": ((1, 128), "mask"),
                         "token_type_ids": ((1, 128), "token_types")}),
    # The same with every MatMul of a weight quantized as onnxruntime's
    # quantize_dynamic writes it (bench/quantize_dynamic.py): int8 weights,
    # activations quantized per run (DynamicQuantizeLinear).
    # Agreement: one quantized layer matches onnxruntime bit for bit (op
    # sweep's dynamic_quant_linear), but a float difference of one ulp
    # before a DynamicQuantizeLinear (a LayerNorm, a GELU) moves an
    # activation by a whole quantization step, and over 12 layers the two
    # runtimes' outputs drift apart by ~1-2% of their largest value (each
    # is ~75% of it away from the float model's, with random weights).
    "bert_int8": dict(source=("int8", "bert"), batch=1, atol=0.05,
                      inputs={"input_ids": ((1, 128), "token_ids"),
                              "attention_mask": ((1, 128), "mask"),
                              "token_type_ids": ((1, 128), "token_types")}),
    # ResNet-50 statically quantized in the QDQ format (bench/quantize_static.py:
    # int8 weights per output channel, uint8 activations around each Conv).
    # Agreement: each runtime's output is ~20% (max) / 4.8% (mean) of the
    # float model's largest logit away from the float model's (Kiln 21.3% /
    # 4.8%, onnxruntime 19.8% / 4.8%, correlation with it 0.983 each); they
    # differ from each other by ~12% / 2% (rounding flips through 53
    # requantized layers and 16 residual adds, which each runtime computes
    # in its own integer form). A wrong scale or zero point is off by the
    # whole logit range.
    "resnet50_qdq": dict(source=("qdq", "resnet50"), batch=1, atol=0.15, inputs=VISION),
    "squeezenet1_1": dict(source=("bench", "squeezenet1_1"), batch=1, inputs=VISION),
    "mlp": dict(source=("bench", "mlp"), batch=1,
                inputs={"input": ((1, 256), "normal")}),
    # 100 Add/Mul on 1x16: at -O2 Kiln fuses them into one kernel.
    "tiny_ops": dict(source=("bench", "tiny_ops"), batch=1, ops=100,
                     inputs={"input": ((1, 16), "normal")}),
    # The same chain with every intermediate also a graph output, which
    # keeps Kiln from fusing: 100 kernels, so (time / 100) is the cost of
    # one kernel (and of returning one small output) on each side.
    "tiny_ops_unfused": dict(source=("bench", "tiny_ops_unfused"), batch=1, ops=100,
                             inputs={"input": ((1, 16), "normal")}),
    # Ops that work along an axis (sorting, running sums), at the sizes of
    # a language model's sampling and a detector's head.
    "top_k_vocab": dict(source=("bench", "top_k_vocab"), batch=1,
                        inputs={"logits": ((1, 50257), "normal")}),
    "cum_sum_vocab": dict(source=("bench", "cum_sum_vocab"), batch=1,
                          inputs={"probs": ((1, 50257), "probs")}),
    "unique_ids": dict(source=("bench", "unique_ids"), batch=1,
                       inputs={"ids": ((20000,), "ids")}),
    "nms_detector": dict(source=("bench", "nms_detector"), batch=1,
                         inputs={"boxes": ((1, 8000, 4), "boxes"),
                                 "scores": ((1, 80, 8000), "probs")}),
    "stft_audio": dict(source=("bench", "stft_audio"), batch=1,
                       inputs={"signal": ((1, 32000, 1), "normal")}),
    "stft_audio_400": dict(source=("bench", "stft_audio_400"), batch=1,
                           inputs={"signal": ((1, 32000, 1), "normal")}),
    # A decoder's upsampler (ConvTranspose: a product and a gather).
    "conv_transpose_decoder": dict(source=("bench", "conv_transpose_decoder"), batch=1,
                                   inputs={"x": ((1, 64, 28, 28), "normal")}),
    # A two-stage detector's box head.
    "roi_align_detector": dict(source=("bench", "roi_align_detector"), batch=1,
                               inputs={"features": ((1, 256, 50, 50), "normal"),
                                       "rois": ((300, 4), "boxes")}),
    # Recurrent layers of a speech or time-series model.
    "lstm_seq": dict(source=("bench", "lstm_seq"), batch=8,
                     inputs={"x": ((50, 8, 256), "normal")}),
    "gru_seq": dict(source=("bench", "gru_seq"), batch=8,
                    inputs={"x": ((50, 8, 256), "normal")}),
}
GEMMS = {f"gemm{n}": n for n in (512, 1024, 2048)}
QUICK = ["mobilenet_v2", "squeezenet1_1", "mlp", "tiny_ops", "tiny_ops_unfused",
         "gemm512"]
BERT_VOCAB = 30522  # scripts/export_models.py's BERT-base vocabulary

# Agreement: |kiln - ort| <= ATOL * max|ort| + RTOL * |ort|, elementwise.
# The absolute part is relative to the output's largest magnitude because
# random-weight networks produce outputs far from 1 (MobileNetV2's logits
# are ~1e-9, ResNet-50's far larger), where a fixed 1e-4 would accept
# anything or reject float32 reassociation.
RTOL, ATOL = 1e-3, 1e-4

# Targets of the compile table (the issue's): seconds per model, and peak
# memory at most 3x the model file. The memory target is only judged for
# files of 50 MB or more: below that the compiler's own fixed ~150 MB
# (LLVM, MLIR) dominates whatever the model adds.
COMPILE_SECONDS = {"resnet50": 30, "resnet50_b8": 30, "bert": 45}
MEMORY_RATIO, MEMORY_MIN_MB = 3.0, 50


def log(msg):
    print(msg, flush=True)


class Failure(Exception):
    pass


def run(cmd, env=None, timeout=3600):
    """Runs cmd; returns (stdout and stderr, seconds, exit status)."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=env, text=True)
    except OSError as e:  # missing, or being rewritten by a rebuild
        raise Failure(f"cannot run {cmd[0]}: {e}")
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise Failure(f"timed out after {timeout} s: {' '.join(cmd)}")
    return out, time.monotonic() - start, proc.returncode


def run_measured(cmd, env=None, log_path=None):
    """Runs cmd with its output to log_path; returns (exit status, seconds,
    peak RSS in MiB). The peak comes from GNU time, which forks the command
    from its own small process: a child forked from this script reports at
    least this script's own peak (Linux carries the high-water mark of the
    address space it replaces at exec), which after loading a model or a
    GEMM check exceeds a small compile's."""
    rss_file = log_path + ".rss"
    start = time.monotonic()
    with open(log_path, "w") as out:
        try:
            rc = subprocess.call([TIME, "-o", rss_file, "-f", "%M", *cmd], stdout=out,
                                 stderr=subprocess.STDOUT, env=env)
        except OSError as e:
            raise Failure(f"cannot run {cmd[0]}: {e}")
    seconds = time.monotonic() - start
    with open(rss_file) as f:
        kib = f.read().split()[-1]  # after "Command exited with..." if any
    return rc, seconds, int(kib) / 1024.0


def checked(cmd, env=None, what=None):
    out, seconds, rc = run(cmd, env=env)
    if rc != 0:
        tail = "\n".join(out.strip().splitlines()[-15:])
        raise Failure(f"{what or cmd[0]} failed (exit {rc}):\n{tail}")
    return out


BENCH_LINE = re.compile(r"median_ms=([\d.]+) min_ms=([\d.]+) iters=(\d+)")


def parse_bench(out, what):
    found = BENCH_LINE.findall(out)
    if not found:
        raise Failure(f"{what}: no median_ms line in its output:\n{out[-2000:]}")
    return float(found[-1][0])


# ---------------------------------------------------------------- setup


class Setup:
    def __init__(self, args):
        self.build = os.path.abspath(args.build_dir)
        self.work = os.path.abspath(args.work_dir or os.path.join(self.build, "bench"))
        self.threads = args.threads
        self.compile = os.path.join(self.build, "bin", "kiln-compile")
        self.kiln_run = os.path.join(self.build, "bin", "kiln-run")
        for tool in (self.compile, self.kiln_run):
            if not os.access(tool, os.X_OK):
                raise Failure(f"{tool} not found: build Kiln first (scripts/build.sh)")
        if not os.access(TIME, os.X_OK):
            raise Failure(f"{TIME} not found: apt-get install time")
        for sub in ("models", "kiln", "out", "inputs"):
            os.makedirs(os.path.join(self.work, sub), exist_ok=True)
        # Both sides get the same thread count. KILN_NUM_THREADS reaches
        # Kiln's runtime whether or not this kiln-run has --threads yet;
        # OMP_NUM_THREADS reaches oneDNN (GNU OpenMP) wherever it runs.
        self.env = dict(os.environ, KILN_NUM_THREADS=str(self.threads),
                        OMP_NUM_THREADS=str(self.threads))
        run_help = run([self.kiln_run, "--help"])[0]
        self.kiln_run_flags = ["--threads", str(self.threads)] if "--threads" in run_help else []
        compile_help = run([self.compile, "--help"])[0]
        # If the compiler can choose between its own code and library
        # kernels, the GEMM rows ask for its own code explicitly.
        self.codegen_flags = (["--cpu-kernels=codegen"]
                              if re.search(r"--cpu-kernels\b", compile_help) else [])
        self.ort_version = self.install_ort()
        self.sgemm = self.build_sgemm()

    def install_ort(self):
        """npm's onnxruntime-node into DIR/bench/npm, once. --ignore-scripts
        skips its install script (which only fetches GPU extras); the CPU
        library ships inside the package, which is checked here."""
        npm_dir = os.path.join(self.work, "npm")
        package = os.path.join(npm_dir, "node_modules", "onnxruntime-node")
        if not os.path.exists(os.path.join(package, "package.json")):
            os.makedirs(npm_dir, exist_ok=True)
            log(f"installing onnxruntime-node into {npm_dir}")
            checked(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund",
                     "--prefix", npm_dir, "onnxruntime-node"], what="npm install")
        binding = glob.glob(os.path.join(package, "bin", "napi-v*", "linux", "x64",
                                         "onnxruntime_binding.node"))
        if not binding or not glob.glob(os.path.join(os.path.dirname(binding[0]),
                                                     "libonnxruntime.so*")):
            raise Failure(f"{package} has no prebuilt linux/x64 CPU binary "
                          "(bin/napi-v*/linux/x64/)")
        self.env["NODE_PATH"] = os.path.join(npm_dir, "node_modules")
        with open(os.path.join(package, "package.json")) as f:
            return json.load(f)["version"]

    def build_sgemm(self):
        src = os.path.join(HERE, "dnnl_sgemm.cpp")
        exe = os.path.join(self.work, "dnnl_sgemm")
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            checked(["c++", "-O2", "-std=c++17", "-o", exe, src, "-ldnnl"],
                    what="compiling bench/dnnl_sgemm.cpp")
        return exe


# --------------------------------------------------------------- models


def model_path(setup, source):
    kind, name = source
    if kind in ("int8", "qdq"):
        # The real model quantized: dynamically (int8 weights, activations
        # per run) or statically in the QDQ format (calibrated with kiln-run).
        src = model_path(setup, ("real", name))
        path = os.path.join(setup.work, "models", f"{name}_{kind}.onnx")
        if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(src):
            script = "quantize_dynamic.py" if kind == "int8" else "quantize_static.py"
            log(f"quantizing {name} (bench/{script})")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            extra = [] if kind == "int8" else ["--kiln-run", setup.kiln_run]
            checked([sys.executable, os.path.join(HERE, script), src,
                     path + ".tmp.onnx"] + extra, what=f"quantizing {name}")
            os.replace(path + ".tmp.onnx", path)
        return path
    if kind == "real":
        out_dir = os.path.join(setup.build, "models")
        script = os.path.join(ROOT, "scripts", "export_models.py")
    else:
        out_dir = os.path.join(setup.work, "models")
        script = os.path.join(HERE, "export_bench_models.py")
    path = os.path.join(out_dir, f"{name}.onnx")
    if not os.path.exists(path):
        log(f"exporting {name} ({os.path.relpath(script, ROOT)})")
        checked([sys.executable, script, out_dir, "--models", name], what=f"exporting {name}")
    return path


def static_model(setup, name, path, shapes):
    """The model with every input fixed to `shapes`. Returns `path` itself
    when it already is; otherwise writes DIR/bench/models/<name>.static.onnx
    (kept until the source changes). Output dimensions follow: symbolic
    ones by their symbol, a static batch (dimension 0) by the new batch.
    Intermediate shapes recorded in the file are dropped, both runtimes
    infer them."""
    import onnx
    model = onnx.load(path, load_external_data=False)
    symbols, batch_change = {}, None
    same = True
    for inp in model.graph.input:
        if inp.name not in shapes:
            continue  # an initializer listed as input (old exporters)
        dims = inp.type.tensor_type.shape.dim
        for i, (d, want) in enumerate(zip(dims, shapes[inp.name])):
            if d.HasField("dim_param") or d.dim_value != want:
                same = False
    if same:
        return path
    out = os.path.join(setup.work, "models", f"{name}.static.onnx")
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(path):
        return out
    model = onnx.load(path)
    for inp in model.graph.input:
        if inp.name not in shapes:
            continue
        for i, (d, want) in enumerate(zip(inp.type.tensor_type.shape.dim, shapes[inp.name])):
            if d.HasField("dim_param"):
                symbols[d.dim_param] = want
            elif i == 0 and d.dim_value != want:
                batch_change = (d.dim_value, want)
            d.Clear()
            d.dim_value = want
    for outp in model.graph.output:
        for i, d in enumerate(outp.type.tensor_type.shape.dim):
            if d.HasField("dim_param") and d.dim_param in symbols:
                value = symbols[d.dim_param]
                d.Clear()
                d.dim_value = value
            elif i == 0 and batch_change and d.dim_value == batch_change[0]:
                d.dim_value = batch_change[1]
    del model.graph.value_info[:]
    onnx.save(model, out + ".tmp")
    os.replace(out + ".tmp", out)
    return out


def make_inputs(setup, name, inputs):
    """Seeded inputs as .npy files, the same for Kiln and ORT."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    files = {}
    for inp, (shape, kind) in inputs.items():
        if kind == "normal":
            a = rng.standard_normal(shape, dtype=np.float32)
        elif kind == "uniform":
            a = rng.uniform(-1, 1, shape).astype(np.float32)
        elif kind == "token_ids":
            a = rng.integers(0, BERT_VOCAB, shape, dtype=np.int64)
        elif kind == "mask":
            a = np.ones(shape, np.int64)
            a[:, shape[1] - shape[1] // 4:] = 0  # padded tail, as the tests do
        elif kind == "probs":
            a = rng.uniform(0, 1, shape).astype(np.float32)
        elif kind == "ids":
            a = rng.integers(0, 5000, shape, dtype=np.int64)
        elif kind == "boxes":  # (y1, x1, y2, x2): centres in 100x100, sides 1..21
            centre = rng.uniform(0, 100, shape[:-1] + (2,))
            half = rng.uniform(0.5, 10.5, shape[:-1] + (2,))
            a = np.concatenate([centre - half, centre + half], -1).astype(np.float32)
        elif kind == "token_types":
            a = np.zeros(shape, np.int64)
            a[:, shape[1] // 2:] = 1
        else:
            raise ValueError(kind)
        files[inp] = os.path.join(setup.work, "inputs", f"{name}.{inp}.npy")
        np.save(files[inp], a)
    return files


# --------------------------------------------------------------- timing


def iterations(ms_per_iter, seconds):
    """Iterations for one side's round: about `seconds` of work, 3 to 200."""
    return max(3, min(200, int(math.ceil(seconds * 1000.0 / max(ms_per_iter, 1e-3)))))


def alternate(sides, rounds, label):
    """sides: [(name, fn)] where fn() times one round and returns its
    median ms. Even rounds run them in order, odd rounds reversed.
    Returns {name: median of round medians} and {name: [round medians]}."""
    times = {name: [] for name, _ in sides}
    for r in range(rounds):
        order = sides if r % 2 == 0 else list(reversed(sides))
        for name, fn in order:
            times[name].append(fn())
        log(f"  {label} round {r + 1}/{rounds}: " +
            "  ".join(f"{n} {ms(times[n][-1])} ms" for n, _ in sides))
    return {name: statistics.median(t) for name, t in times.items()}, times


def paired_ratio(num, den):
    """The median over rounds of num[r] / den[r]: the two sides of a round
    run seconds apart, so this ratio cancels the machine's slower and
    faster spells (a shared VM's speed moves by a third between minutes),
    which the ratio of the two medians does not."""
    return statistics.median(n / d for n, d in zip(num, den))


def compile_kiln(setup, name, model, extra=(), opt="-O2"):
    so = os.path.join(setup.work, "kiln", f"{name}.so")
    report = os.path.join(setup.work, "kiln", f"{name}.kernels.txt")
    log_path = os.path.join(setup.work, "kiln", f"{name}.compile.log")
    cmd = [setup.compile, model, opt, "-o", so, f"--kernel-report={report}", *extra]
    rc, seconds, rss_mb = run_measured(cmd, env=setup.env, log_path=log_path)
    if rc != 0:
        with open(log_path) as f:
            tail = "\n".join(f.read().strip().splitlines()[-15:])
        raise Failure(f"kiln-compile {name} failed (exit {rc}):\n{tail}")
    kernels = None
    if os.path.exists(report):
        with open(report) as f:
            m = re.search(r"kernels=(\d+)", f.read())
            kernels = int(m.group(1)) if m else None
    return so, dict(name=name, seconds=seconds, peak_rss_mb=rss_mb,
                    model_mb=os.path.getsize(model) / 2**20, kernels=kernels,
                    flags=" ".join([opt, *extra]))


def kiln_cmd(setup, so, inputs, iters, warmup, out_dir=None):
    cmd = [setup.kiln_run, so, *setup.kiln_run_flags, "--bench",
           "--iters", str(iters), "--warmup", str(warmup)]
    for k, v in inputs.items():
        cmd += ["--input", f"{k}={v}"]
    return cmd + (["--output-dir", out_dir] if out_dir else [])


def ort_cmd(setup, model, inputs, iters, warmup, out_dir=None):
    cmd = ["node", os.path.join(HERE, "ort_bench.js"), model, "--threads",
           str(setup.threads), "--bench", "--iters", str(iters), "--warmup", str(warmup)]
    for k, v in inputs.items():
        cmd += ["--input", f"{k}={v}"]
    return cmd + (["--output-dir", out_dir] if out_dir else [])


def compare(kiln_dir, ref, atol=ATOL):
    """ref: list of arrays. Returns (ok, max_abs, max_rel, note)."""
    ok, max_abs, max_rel, notes = True, 0.0, 0.0, []
    for i, want in enumerate(ref):
        path = os.path.join(kiln_dir, f"output_{i}.npy")
        if not os.path.exists(path):
            return False, math.inf, math.inf, f"kiln wrote no output_{i}.npy"
        got = np.load(path)
        if got.shape != want.shape:
            return False, math.inf, math.inf, f"output {i}: shape {got.shape} vs {want.shape}"
        got, want = got.astype(np.float64), want.astype(np.float64)
        err = np.abs(got - want)
        scale = float(np.max(np.abs(want))) if want.size else 0.0
        scale = scale or 1e-30  # an all-zero output must be matched exactly
        if not np.all(err <= atol * scale + RTOL * np.abs(want)):
            ok = False
            notes.append(f"output {i} differs")
        if err.size:
            max_abs = max(max_abs, float(err.max()))
            max_rel = max(max_rel, float(err.max()) / scale)
    return ok, max_abs, max_rel, "; ".join(notes)


def bench_case(setup, name, spec, rounds, seconds):
    row = dict(model=name, batch=spec["batch"])
    src = model_path(setup, spec["source"])
    shapes = {k: v[0] for k, v in spec["inputs"].items()}
    model = static_model(setup, name, src, shapes)
    inputs = make_inputs(setup, name, spec["inputs"])
    so, comp = compile_kiln(setup, name, model)
    row["compile"] = comp
    log(f"  compiled in {comp['seconds']:.1f} s, peak {comp['peak_rss_mb']:.0f} MB, "
        f"{comp['kernels']} kernels")

    # One run each on the same inputs, outputs compared, also giving the
    # time of one iteration to size the rounds.
    out = os.path.join(setup.work, "out", name)
    k_out = checked(kiln_cmd(setup, so, inputs, 1, 0, os.path.join(out, "kiln")),
                    env=setup.env, what=f"kiln-run {name}")
    o_out = checked(ort_cmd(setup, model, inputs, 1, 0, os.path.join(out, "ort")),
                    env=setup.env, what=f"ONNX Runtime {name}")
    ref = [np.load(p) for p in sorted(glob.glob(os.path.join(out, "ort", "output_*.npy")),
                                      key=lambda p: int(re.findall(r"\d+", p)[-1]))]
    ok, max_abs, max_rel, note = compare(os.path.join(out, "kiln"), ref,
                                         spec.get("atol", ATOL))
    row.update(agree=ok, max_abs_err=max_abs, max_rel_err=max_rel, note=note)
    log(f"  outputs {'agree' if ok else 'DIFFER'}: max abs err {max_abs:.3g}, "
        f"max err / max|ort| {max_rel:.3g} {note}")

    k_iters = iterations(parse_bench(k_out, "kiln-run"), seconds)
    o_iters = iterations(parse_bench(o_out, "ort_bench"), seconds)
    warm = lambda iters: 1 if iters <= 5 else 3
    sides = [("kiln", lambda: parse_bench(checked(
                 kiln_cmd(setup, so, inputs, k_iters, warm(k_iters)), env=setup.env),
                 "kiln-run")),
             ("ort", lambda: parse_bench(checked(
                 ort_cmd(setup, model, inputs, o_iters, warm(o_iters)), env=setup.env),
                 "ort_bench"))]
    med, times = alternate(sides, rounds, name)
    row.update(kiln_ms=med["kiln"], ort_ms=med["ort"], ratio=med["kiln"] / med["ort"],
               paired=paired_ratio(times["kiln"], times["ort"]))
    if "ops" in spec:
        row["kiln_us_per_op"] = med["kiln"] * 1000 / spec["ops"]
        row["ort_us_per_op"] = med["ort"] * 1000 / spec["ops"]
    return row


def bench_gemm(setup, name, n, rounds, seconds):
    row = dict(n=n)
    model = model_path(setup, ("bench", name))
    so, comp = compile_kiln(setup, name, model, extra=setup.codegen_flags)
    row["compile"] = comp
    inputs = make_inputs(setup, name, {"a": ((n, n), "uniform"), "b": ((n, n), "uniform")})
    # Kiln's product against numpy's (float64), so a fast wrong kernel
    # cannot pass; oneDNN's checks itself in dnnl_sgemm.cpp.
    out = os.path.join(setup.work, "out", name)
    k_out = checked(kiln_cmd(setup, so, inputs, 1, 0, out), env=setup.env,
                    what=f"kiln-run {name}")
    want = np.load(inputs["a"]).astype(np.float64) @ np.load(inputs["b"]).astype(np.float64)
    ok, max_abs, max_rel, note = compare(out, [want])
    row.update(agree=ok, max_abs_err=max_abs, note=note)
    log(f"  kiln vs numpy: {'agree' if ok else 'DIFFER'}, max abs err {max_abs:.3g}")

    k_iters = iterations(parse_bench(k_out, "kiln-run"), seconds)
    d_iters = iterations(parse_bench(checked([setup.sgemm, str(n), "--iters", "1"],
                                             env=setup.env), "dnnl_sgemm"), seconds)
    sides = [("kiln", lambda: parse_bench(checked(
                 kiln_cmd(setup, so, inputs, k_iters, 2), env=setup.env), "kiln-run")),
             ("onednn", lambda: parse_bench(checked(
                 [setup.sgemm, str(n), "--iters", str(d_iters), "--warmup", "2"],
                 env=setup.env), "dnnl_sgemm"))]
    med, times = alternate(sides, rounds, name)
    row["paired"] = paired_ratio(times["onednn"], times["kiln"])
    flop = 2.0 * n ** 3
    row.update(kiln_ms=med["kiln"], onednn_ms=med["onednn"],
               kiln_gflops=flop / (med["kiln"] * 1e6),
               onednn_gflops=flop / (med["onednn"] * 1e6))
    row["ratio"] = row["kiln_gflops"] / row["onednn_gflops"]
    return row


# --------------------------------------------------------------- tables


def ms(v):
    """Milliseconds with four significant digits, never an exponent."""
    return f"{v:.1f}" if v >= 1000 else f"{v:.4g}"


def fmt(v, spec):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        width = re.match(r"\d*", spec).group()
        return "-".rjust(int(width or 0))
    return format(v, spec)


def fmt_ms(v):
    return f"{'-' if v is None else ms(v):>11}"


def tables(results):
    """The report as text: models, GEMM, compile."""
    lines = []
    rows = [r for r in results if "n" not in r]
    if rows:
        lines.append(f"{'model':<18}{'batch':>5}{'kiln_ms':>11}{'ort_ms':>11}"
                     f"{'kiln/ort':>10}{'paired':>8}{'max_abs_err':>13}{'max_rel_err':>13}  check")
        for r in rows:
            check = r.get("error") or ("ok" if r.get("agree") else
                                       f"MISMATCH {r.get('note', '')}".strip())
            lines.append(f"{r['model']:<18}{r['batch']:>5}{fmt_ms(r.get('kiln_ms'))}"
                         f"{fmt_ms(r.get('ort_ms'))}{fmt(r.get('ratio'), '10.2f')}"
                         f"{fmt(r.get('paired'), '8.2f')}"
                         f"{fmt(r.get('max_abs_err'), '13.2e')}"
                         f"{fmt(r.get('max_rel_err'), '13.2e')}  {check}")
        for r in rows:
            if "kiln_us_per_op" in r:
                lines.append(f"  {r['model']}: per op {r['kiln_us_per_op']:.2f} us Kiln, "
                             f"{r['ort_us_per_op']:.2f} us ORT (Kiln: {r['compile']['kernels']} "
                             "kernels)")
    gemms = [r for r in results if "n" in r]
    if gemms:
        lines.append("")
        lines.append(f"{'gemm n':<8}{'kiln_codegen_gflops':>21}{'onednn_sgemm_gflops':>21}"
                     f"{'kiln/onednn':>13}{'paired':>8}  check")
        for r in gemms:
            check = r.get("error") or ("ok" if r.get("agree") else "MISMATCH")
            lines.append(f"{r['n']:<8}{fmt(r.get('kiln_gflops'), '21.1f')}"
                         f"{fmt(r.get('onednn_gflops'), '21.1f')}"
                         f"{fmt(r.get('ratio'), '13.2f')}{fmt(r.get('paired'), '8.2f')}  {check}")
    comps = [(r.get("model") or f"gemm{r['n']}", r["compile"])
             for r in results if "compile" in r]
    if comps:
        lines.append("")
        lines.append(f"{'compile':<18}{'seconds':>8}{'peak_rss_mb':>13}{'model_mb':>10}"
                     f"{'rss/model':>11}{'kernels':>9}  {'flags':<26}targets")
        for name, c in comps:
            # Against a file under 1 MB the ratio says nothing but the
            # compiler's own size.
            ratio = c["peak_rss_mb"] / c["model_mb"] if c["model_mb"] >= 1 else None
            targets = []
            if name in COMPILE_SECONDS:
                limit = COMPILE_SECONDS[name]
                targets.append(f"<={limit}s {'ok' if c['seconds'] <= limit else 'MISSED'}")
            if ratio is not None and c["model_mb"] >= MEMORY_MIN_MB:
                targets.append(f"<={MEMORY_RATIO:g}x {'ok' if ratio <= MEMORY_RATIO else 'MISSED'}")
            lines.append(f"{name:<18}{c['seconds']:>8.1f}{c['peak_rss_mb']:>13.0f}"
                         f"{c['model_mb']:>10.1f}{fmt(ratio, '11.1f')}{fmt(c['kernels'], '9d')}"
                         f"  {c['flags']:<26}{', '.join(targets)}".rstrip())
    return "\n".join(lines)


# ----------------------------------------------------------- self check


def self_check():
    """Checks what does not need ONNX Runtime: the .npy reader and writer
    of ort_bench.js (numpy -> node -> numpy) and the tables. Exit 77 (a
    skip for ctest) without node."""
    import shutil
    import tempfile
    if not shutil.which("node"):
        print("self-check skipped: no node")
        return 77
    arrays = [np.arange(7, dtype=np.float32) * 0.5,
              np.arange(24, dtype=np.int64).reshape(2, 3, 4) - 5,
              np.array(3.25, dtype=np.float64),
              np.array([[True, False, True]]),
              np.zeros((0, 4), np.int32)]
    with tempfile.TemporaryDirectory() as tmp:
        for i, a in enumerate(arrays):
            src, dst = os.path.join(tmp, f"a{i}.npy"), os.path.join(tmp, f"b{i}.npy")
            np.save(src, a)
            checked(["node", os.path.join(HERE, "ort_bench.js"), "--npy-copy", src, dst])
            b = np.load(dst)
            if b.dtype != a.dtype or b.shape != a.shape or not np.array_equal(a, b):
                print(f"npy round trip changed {a!r} into {b!r}")
                return 1
    comp = dict(seconds=1.0, peak_rss_mb=300.0, model_mb=100.0, kernels=3, flags="-O2")
    text = tables([dict(model="resnet50", batch=1, kiln_ms=2.0, ort_ms=1.0, ratio=2.0, paired=1.75,
                        agree=True, max_abs_err=1e-5, max_rel_err=1e-6, compile=comp),
                   dict(model="tiny_ops", batch=1, agree=False, note="output 0 differs",
                        kiln_ms=0.1, ort_ms=0.2, ratio=0.5, kiln_us_per_op=1.0,
                        ort_us_per_op=2.0, compile=comp),
                   dict(n=512, agree=True, kiln_gflops=10.0, onednn_gflops=20.0,
                        ratio=0.5, compile=comp)])
    for needle in ("resnet50", "MISMATCH output 0 differs", "per op 1.00 us",
                   "<=30s ok", "<=3x ok", "0.50", "1.75"):
        if needle not in text:
            print(f"table lacks {needle!r}:\n{text}")
            return 1
    if paired_ratio([2.0, 6.0, 3.0], [1.0, 4.0, 3.0]) != 1.5:
        print("paired_ratio is not the median of the rounds' ratios")
        return 1
    print("self-check ok")
    return 0


# ----------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work-dir", help="scratch folder (default: BUILD_DIR/bench)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--models", help="comma-separated, from: " +
                    ", ".join([*CASES, *GEMMS]) + " (gemm = all three sizes)")
    ap.add_argument("--quick", action="store_true",
                    help=f"2 rounds of ~0.3 s, models {','.join(QUICK)}")
    ap.add_argument("--self-check", action="store_true")
    args = ap.parse_args()
    if args.self_check:
        return self_check()

    rounds = args.rounds or (2 if args.quick else 5)
    seconds = 0.3 if args.quick else 1.0  # per side and round
    names = args.models.split(",") if args.models else (QUICK if args.quick
                                                        else [*CASES, *GEMMS])
    names = [g for n in names for g in (GEMMS if n == "gemm" else [n])]
    unknown = [n for n in names if n not in CASES and n not in GEMMS]
    if unknown:
        print(f"unknown model(s): {', '.join(unknown)}", file=sys.stderr)
        return 2

    try:
        setup = Setup(args)
    except Failure as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    load = os.getloadavg()[0]
    log(f"Kiln: {setup.build}/bin; ONNX Runtime {setup.ort_version} (npm); "
        f"threads {setup.threads}; {rounds} rounds; load average {load:.1f} on "
        f"{os.cpu_count()} cores" + (" (busy: timings will be noisy; with threads"
                                     " waiting on a busy core, --threads 1 may be steadier)"
                                     if load > 0.5 * os.cpu_count() else ""))
    if not setup.kiln_run_flags:
        log("kiln-run has no --threads flag: threads passed as KILN_NUM_THREADS only")
    log("GEMM rows: Kiln " + ("with " + " ".join(setup.codegen_flags)
                              if setup.codegen_flags else "default pipeline "
                              "(kiln-compile has no --cpu-kernels flag: all its own code)"))

    results, failed = [], False
    for name in names:
        log(f"{name}:")
        try:
            if name in GEMMS:
                row = bench_gemm(setup, name, GEMMS[name], rounds, seconds)
            else:
                row = bench_case(setup, name, CASES[name], rounds, seconds)
        except Failure as e:
            log(f"  FAILED: {e}")
            row = (dict(n=GEMMS[name]) if name in GEMMS else
                   dict(model=name, batch=CASES[name]["batch"]))
            row["error"] = "FAILED: " + str(e).splitlines()[0]
        failed |= bool(row.get("error")) or not row.get("agree", False)
        results.append(row)

    with open(os.path.join(setup.work, "results.json"), "w") as f:
        json.dump(dict(threads=setup.threads, rounds=rounds, ort=setup.ort_version,
                       load_average=load, results=results), f, indent=1)
    log("")
    log(tables(results))
    if failed:
        log("\nbench: some outputs disagree or some runs failed (see above)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The GPU side of scripts/gpu-check.sh: runs the artifacts that
gpu-prepare.sh compiled (OUT/manifest.json) with the runtime-only kiln-run,
checks their numbers, times them against PyTorch eager on the same GPU (at
float32, and at --precision=fp16 / bf16 against PyTorch in the same 16-bit
type, with the 16-bit outputs' error against the float32 artifact's), and
measures a fused elementwise kernel's bandwidth against a device-to-device
copy. Every case is independent: one that fails is reported in the table
and the rest still run.

  gpu_check.py --kiln-run build-gpu/bin/kiln-run --bundle gpu-bundle
               [--iters 20] [--warmup 5]
               [--only numerics,nodes,bench,bandwidth]
"""
import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import types

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def say(msg=""):
    print(msg, flush=True)


DEADLINE = [float("inf")]  # --budget: cases past it are skipped


def left():
    return DEADLINE[0] - time.time()


def run_kiln(kiln_run, args, timeout, env=None):
    t0 = time.time()
    timeout = min(timeout, left() - 5)
    if timeout < 5:
        return None, "skipped: out of time (--budget)"
    try:
        r = subprocess.run([kiln_run] + args, capture_output=True, text=True,
                           timeout=timeout,
                           env=dict(os.environ, **env) if env else None)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"
    out = r.stdout + r.stderr
    if r.returncode != 0:
        return None, (out.strip().splitlines() or ["exit %d" % r.returncode])[-1]
    return out, f"{time.time() - t0:.1f} s"


# -- numerics ----------------------------------------------------------------

def rel_error(got, want):
    """max|got - want| / max|want| (float64 arrays of one shape)."""
    import numpy as np
    scale = max(float(np.max(np.abs(want))), 1e-30)
    return float(np.max(np.abs(got - want))) / scale


def compare_outputs(out, refs):
    """(worst max|diff|/max|ref|, per-output details, all present and
    finite) of OUT/output_<i>.npy against the reference files."""
    import numpy as np
    worst, detail, ok = 0.0, [], True
    for i, ref in enumerate(refs):
        want = np.load(ref).astype(np.float64)
        path = os.path.join(out, f"output_{i}.npy")
        if not os.path.exists(path):
            ok = False
            detail.append(f"output {i} missing")
            continue
        got = np.load(path).astype(np.float64)
        if got.shape != want.shape:
            ok = False
            detail.append(f"output {i}: shape {got.shape} != {want.shape}")
            continue
        if not np.all(np.isfinite(got)):
            ok = False
            detail.append(f"output {i}: not finite")
            continue
        rel = rel_error(got, want)
        worst = max(worst, rel)
        detail.append(f"output {i} {list(got.shape)}: max|diff|/max|ref| "
                      f"= {rel:.2e}")
    return worst, detail, ok


def run_case(a, case, env=None):
    """Runs a numerics case three times (the first run, a warm-up and one
    timed run: the last two replay the CUDA graph the second captured) and
    compares the last run's outputs: (text, worst, details, ok) or
    (None, why, [], False)."""
    with tempfile.TemporaryDirectory() as out:
        args = [os.path.join(a.bundle, case["artifact"]), "--output-dir", out,
                "--bench", "--warmup", "1", "--iters", "1"] + case["run_args"]
        for k, v in case["inputs"].items():
            args += ["--input", f"{k}={os.path.join(a.bundle, v)}"]
        text, info = run_kiln(a.kiln_run, args, 180, env=env)
        if text is None:
            return None, info, [], False
        worst, detail, ok = compare_outputs(
            out, [os.path.join(a.bundle, r) for r in case["refs"]])
        return text, worst, detail, ok


def algorithm_counts(text):
    """KILN_CUDA_REPORT's cuDNN lines, as 'name xN, ...'."""
    counts = {}
    for m in re.finditer(r"^kiln: cuDNN conv \S+ .*?: ([a-z_]+)( \(tensor "
                         r"cores\))?,", text or "", re.M):
        key = m.group(1) + (" (TC)" if m.group(2) else "")
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{k} x{v}" for k, v in sorted(counts.items())) or "none"


def torch_own_error(a, case, device="cuda", dtypes=("float32", "float16")):
    """PyTorch's own error on the case's model (scripts/export_models.py's,
    rebuilt as the export built it) and inputs against the same float32
    reference, in float32 and in the 16-bit type on this GPU: what any
    engine storing that type starts from. None where PyTorch cannot."""
    import numpy as np
    torch, why = load_torch()
    if torch is None:
        return None
    em = export_models_module()
    torch.manual_seed(0)
    model, _, _ = em.MODELS[case["torch_self"]]()
    model.eval()
    inputs = {k: torch.from_numpy(np.load(os.path.join(a.bundle, v)))
              for k, v in case["inputs"].items()}
    want = np.load(os.path.join(a.bundle, case["refs"][0])).astype(np.float64)
    errs = {}
    with torch.no_grad():
        for name in dtypes:
            dtype = getattr(torch, name)
            m = model.to(device, dtype)
            xs = {k: x.to(device, dtype) if x.is_floating_point()
                  else x.to(device) for k, x in inputs.items()}
            # One input is positional (torchvision's is not named "input");
            # several go by name (the BERT's).
            got = m(*xs.values()) if len(xs) == 1 else m(**xs)
            got = got[0] if isinstance(got, tuple) else got
            errs[name] = rel_error(
                got.float().cpu().numpy().astype(np.float64), want)
    del model
    torch.cuda.empty_cache()
    return errs


def numerics(a, manifest):
    try:
        import numpy as np  # noqa: F401
    except ImportError:
        say("numpy is missing: numerics skipped")
        return [("numerics", "SKIP", "no numpy")]
    rows = []
    for case in manifest["numerics"]:
        name = case["name"]
        say(f"--- numerics: {name} (reference: {case['reference']}; the "
            "third run's outputs, a CUDA graph replay)")
        low = case.get("precision") in ("fp16", "bf16")
        text, worst, detail, ok = run_case(
            a, case, env={"KILN_CUDA_REPORT": "1"} if low else None)
        if text is None:
            say(f"FAIL {name}: {worst}")
            rows.append((name, "FAIL", worst))
            continue
        ok = ok and worst <= case["tol"]
        status = "PASS" if ok else "FAIL"
        say(f"{status} {name}: " + "; ".join(detail) +
            f" (tolerance {case['tol']:.0e})")
        extra = ""
        if low:
            say(f"cuDNN algorithms: {algorithm_counts(text)}")
        if case.get("torch_self") and left() > 30:
            try:
                errs = torch_own_error(a, case, dtypes=(
                    "float32", {"fp16": "float16", "bf16": "bfloat16"}[
                        case.get("precision", "fp16")]))
                if errs:
                    own = ", ".join(f"{k} {v:.2e}" for k, v in errs.items())
                    say(f"PyTorch's own error against the same reference: {own}")
                    extra = f"; PyTorch's own: {own}"
            except Exception as e:  # a missing torchvision is one line
                say(f"PyTorch's own error: failed ({e})")
        rows.append((name, status, f"rel err {worst:.2e} vs "
                     f"{case['reference']}{extra}"))
    return rows


def close(got, want, rtol=1e-3, atol=1e-5):
    """None if equal enough (as run_node_tests.py compares), else why."""
    import numpy as np
    if got.shape != want.shape:
        return f"shape {got.shape} != {want.shape}"
    if got.dtype != want.dtype:
        return f"dtype {got.dtype} != {want.dtype}"
    if want.dtype.kind in "fc":
        g, w = got.astype(np.float64), want.astype(np.float64)
        ok = np.isclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
        if not ((np.isnan(g) == np.isnan(w)).all() and ok.all()):
            return f"{int((~ok).sum())} of {g.size} values differ"
        return None
    return None if np.array_equal(got, want) else "values differ"


def node_tests(a, manifest):
    """The ONNX node tests compiled for CUDA, several processes at once."""
    from concurrent.futures import ThreadPoolExecutor
    import numpy as np
    cases = manifest.get("node_tests", [])
    skipped = manifest.get("node_tests_not_compiled", [])
    say(f"{len(cases)} node tests ({len(skipped)} of the sample do not "
        "compile for CUDA; see manifest.json)")

    def one(case):
        with tempfile.TemporaryDirectory() as out:
            args = [os.path.join(a.bundle, case["artifact"]), "--output-dir",
                    out]
            for f in case["inputs"]:
                args += ["--input", os.path.join(a.bundle, f)]
            text, info = run_kiln(a.kiln_run, args, 60)
            if text is None:
                return case["name"], info
            for i, ref in enumerate(case["refs"]):
                path = os.path.join(out, f"output_{i}.npy")
                if not os.path.exists(path):
                    return case["name"], f"output {i} missing"
                why = close(np.load(path), np.load(os.path.join(a.bundle, ref)))
                if why:
                    return case["name"], f"output {i}: {why}"
        return case["name"], None

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, cases))
    failed = [(n, why) for n, why in results if why]
    for n, why in failed:
        say(f"FAIL {n}: {why}")
    passed = len(results) - len(failed)
    say(f"node tests: {passed} passed, {len(failed)} failed")
    return [("onnx node tests", "PASS" if not failed else "FAIL",
             f"{passed}/{len(results)} passed")]


# -- PyTorch eager -------------------------------------------------------------

def load_torch():
    try:
        import torch
    except ImportError as e:
        return None, f"no PyTorch ({e})"
    if not torch.cuda.is_available():
        return None, "PyTorch sees no GPU"
    # Kiln's float32 is strict float32 (no TF32): compare like with like.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    return torch, None


def torch_time(torch, fn, warmup, iters):
    with torch.no_grad():
        for _ in range(warmup):
            fn()
        torch.cuda.synchronize()
        times = []
        for _ in range(iters):
            start = torch.cuda.Event(enable_timing=True)
            end = torch.cuda.Event(enable_timing=True)
            start.record()
            fn()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end))
    return statistics.median(times)


def export_models_module():
    """scripts/export_models.py (for its BERT), even without torchvision."""
    try:
        import torchvision  # noqa: F401
    except ImportError:
        stub = types.ModuleType("torchvision")
        stub.models = types.SimpleNamespace(
            resnet18=None, resnet50=None, mobilenet_v2=None)
        sys.modules["torchvision"] = stub
    spec = importlib.util.spec_from_file_location(
        "export_models", os.path.join(REPO, "scripts", "export_models.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def torch_model(torch, spec, precision="fp32"):
    """PyTorch eager's forward, in float32, or in float16 / bfloat16
    (weights and float inputs) to compare with --precision=fp16 / bf16."""
    dev = torch.device("cuda")
    dtype = {"fp32": torch.float32, "fp16": torch.float16,
             "bf16": torch.bfloat16}[precision]
    torch.manual_seed(0)
    if spec["model"] == "resnet50":
        try:
            import torchvision
            model = torchvision.models.resnet50(weights=None)
        except (ImportError, AttributeError, TypeError) as e:
            raise RuntimeError(f"torchvision unavailable ({e})")
        x = torch.randn(spec["batch"], 3, 224, 224, device=dev, dtype=dtype)
        model = model.to(dev, dtype).eval()
        return lambda: model(x)
    if spec["model"] == "bert":
        em = export_models_module()
        model = em.Bert(12, 768, 12, 30522).to(dev, dtype).eval()
        b, s = spec["batch"], spec["seq"]
        ids = torch.randint(0, 30522, (b, s), device=dev)
        mask = torch.ones(b, s, dtype=torch.int64, device=dev)
        types_ = torch.zeros(b, s, dtype=torch.int64, device=dev)
        return lambda: model(ids, mask, types_)
    raise RuntimeError(f"unknown model {spec['model']}")


# -- benchmarks ------------------------------------------------------------------

def parse_ms(text):
    # The last line; "wall_median_ms=" (with transfers) comes before it.
    m = re.search(r"^median_ms=([0-9.]+)", text or "", re.M)
    return float(m.group(1)) if m else None


def error_vs(a, case, ref):
    """max|out - ref out| / max|ref out| of two bench artifacts run on the
    same seeded random weights and inputs, or why there is none."""
    import numpy as np
    outs = []
    with tempfile.TemporaryDirectory() as tmp:
        for c in (case, ref):
            d = os.path.join(tmp, c["name"])
            text, info = run_kiln(a.kiln_run, [os.path.join(
                a.bundle, c["artifact"]), "--output-dir", d] + c["run_args"],
                240)
            if text is None:
                return None, f"{c['name']}: {info}"
            outs.append([np.load(os.path.join(d, f)).astype(np.float64)
                         for f in sorted(os.listdir(d))])
    worst = 0.0
    for got, want in zip(*outs):
        if not np.all(np.isfinite(got)):
            return None, "outputs not finite"
        worst = max(worst, rel_error(got, want))
    return worst, None


def bench(a, manifest):
    torch, why = load_torch()
    rows = []
    names = {c["name"]: c for c in manifest["bench"]}
    for case in manifest["bench"]:
        name = case["name"]
        say(f"--- bench: {name}")
        args = [os.path.join(a.bundle, case["artifact"]), "--bench",
                "--warmup", str(a.warmup), "--iters", str(a.iters)] + \
            case["run_args"]
        # The graph and no-graph processes share cuDNN's choices (the first
        # searches and keeps them, the second reads them): their times then
        # differ by the graph alone, not by two searches' picks.
        algos_file = os.path.join(tempfile.mkdtemp(prefix="kiln-cudnn-"),
                                  "algos.txt")
        text, info = run_kiln(a.kiln_run, args, 240,
                              env={"KILN_CUDA_REPORT": "1",
                                   "KILN_CUDNN_CACHE": algos_file})
        kiln_ms = parse_ms(text)
        if kiln_ms is None:
            say(f"kiln: FAILED: {info}")
        else:
            say(f"kiln: {kiln_ms:.3f} ms (CUDA events, median of {a.iters}; "
                f"run took {info})")
            algos = algorithm_counts(text)
            if algos != "none":
                # cuDNN's choices, and with one search instead of two.
                say(f"cuDNN algorithms: {algos}")
                t1, _ = run_kiln(a.kiln_run, args, 240, env={
                    "KILN_CUDA_REPORT": "1", "KILN_CUDNN_SEARCHES": "1"})
                if parse_ms(t1) is not None:
                    say(f"kiln, KILN_CUDNN_SEARCHES=1: {parse_ms(t1):.3f} ms; "
                        f"cuDNN algorithms: {algorithm_counts(t1)}")
        # The same with every kernel and library call launched by the
        # artifact, not replayed as one CUDA graph per run.
        nograph_ms = None
        if kiln_ms is not None:
            text, ginfo = run_kiln(a.kiln_run, args, 240,
                                   env={"KILN_CUDA_GRAPH": "0",
                                        "KILN_CUDNN_CACHE": algos_file})
            nograph_ms = parse_ms(text)
            say(f"kiln, KILN_CUDA_GRAPH=0: " + (f"{nograph_ms:.3f} ms"
                if nograph_ms is not None else f"FAILED: {ginfo}"))
        precision = case.get("precision", "fp32")
        torch_ms, note = None, why
        if torch is not None and left() < 30:
            note = "PyTorch skipped: out of time (--budget)"
        elif torch is not None:
            try:
                fn = torch_model(torch, case["torch"], precision)
                torch_ms = torch_time(torch, fn, a.warmup, a.iters)
                say(f"torch eager ({precision}): {torch_ms:.3f} ms")
                del fn
                torch.cuda.empty_cache()
            except Exception as e:  # one model's failure is one row
                note = f"PyTorch failed: {e}"
                say(note)
        err = None
        if kiln_ms is not None and case.get("compare_to") in names:
            err, why_not = error_vs(a, case, names[case["compare_to"]])
            if err is None:
                say(f"error against {case['compare_to']}: {why_not}")
                note = "; ".join(x for x in (note, why_not) if x)
            else:
                ok = err <= case["tol"]
                say(f"max|{precision} - fp32| / max|fp32| = {err:.2e} "
                    f"({'within' if ok else 'OVER'} {case['tol']:.0e})")
                if not ok:
                    note = "; ".join(x for x in (note, f"error over "
                                                 f"{case['tol']:.0e}") if x)
        rows.append((name, precision, kiln_ms, nograph_ms, torch_ms, err,
                     info if kiln_ms is None else note))
    return rows


def bandwidth(a, manifest):
    bw = manifest.get("bandwidth")
    if not bw:
        return []
    say(f"--- bandwidth: {bw['what']}, {bw['elements']} elements, "
        f"{bw['kernels']} kernel(s)")
    rows = []
    gb = bw["bytes"] / 1e9
    args = [os.path.join(a.bundle, bw["artifact"]), "--bench",
            "--warmup", str(a.warmup), "--iters", str(a.iters)]
    text, info = run_kiln(a.kiln_run, args, 240)
    ms = parse_ms(text)
    rows.append(("kiln fused elementwise", ms, gb / (ms / 1e3) if ms else None,
                 None if ms else info))
    torch, why = load_torch()
    if torch is None:
        rows.append(("device-to-device copy", None, None, why))
        return rows
    try:
        x = torch.rand(bw["shape"], device="cuda") * 2 - 1
        y = torch.empty_like(x)
        copy_ms = torch_time(torch, lambda: y.copy_(x), a.warmup, a.iters)
        rows.append(("device-to-device copy (torch)", copy_ms,
                     gb / (copy_ms / 1e3), None))
        eager_ms = torch_time(torch, lambda: torch.relu(x * 0.5 + 0.25),
                              a.warmup, a.iters)
        rows.append(("torch eager relu(0.5x+0.25)", eager_ms,
                     gb / (eager_ms / 1e3), "3 kernels; GB/s counts one "
                     "read and one write like the fused kernel"))
    except Exception as e:
        rows.append(("device-to-device copy (torch)", None, None, str(e)))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--only", default="numerics,nodes,bench,bandwidth")
    ap.add_argument("--budget", type=float, default=float("inf"),
                    help="seconds for everything; cases past it are skipped "
                    "so that the summary is always printed")
    a = ap.parse_args()
    DEADLINE[0] = time.time() + a.budget
    with open(os.path.join(a.bundle, "manifest.json")) as f:
        manifest = json.load(f)
    steps = a.only.split(",")
    num_rows, bench_rows, bw_rows = [], [], []
    for step, fn, into in (("numerics", numerics, num_rows),
                           ("nodes", node_tests, num_rows),
                           ("bench", bench, bench_rows),
                           ("bandwidth", bandwidth, bw_rows)):
        if step not in steps:
            continue
        say(f"\n=== {step} ===")
        try:
            into.extend(fn(a, manifest))
        except Exception as e:  # keep going: the table shows what ran
            say(f"{step} failed: {type(e).__name__}: {e}")
            into.append((step, "ERROR", str(e)))

    say("\n================ summary (artifacts for %s) ================"
        % manifest.get("arch"))
    if num_rows:
        say("\nnumerics (.fp16: --precision=fp16, tolerance 1e-2; .bf16: "
            "--precision=bf16, 2e-2; others float32, 1e-4):")
        for name, status, detail in num_rows:
            say(f"  {status:5} {name:22} {detail}")
    if bench_rows:
        say("\n(torch eager at the same precision; err: max|16-bit - fp32| "
            "/ max|fp32| of Kiln's outputs, same random weights, target "
            "1e-2 fp16, 2e-2 bf16)")
        say("(kiln ms: runs replay one CUDA graph, the default; no-graph "
            "ms: KILN_CUDA_GRAPH=0, each kernel and call launched)")
        say("%-21s %5s %10s %10s %14s %10s %9s  %s" % (
            "model", "prec", "kiln ms", "no-graph", "torch eager ms",
            "kiln/torch", "err", "note"))
        for name, prec, k, ng, t, err, note in bench_rows:
            ks = f"{k:.3f}" if k is not None else "-"
            ngs = f"{ng:.3f}" if ng is not None else "-"
            ts = f"{t:.3f}" if t is not None else "-"
            ratio = f"{k / t:.2f}" if k and t else "-"
            es = f"{err:.1e}" if err is not None else "-"
            say("%-21s %5s %10s %10s %14s %10s %9s  %s" % (
                name, prec, ks, ngs, ts, ratio, es, note or ""))
    if bw_rows:
        say("\n%-32s %10s %10s  %s" % ("bandwidth", "ms", "GB/s", "note"))
        for name, ms, gbs, note in bw_rows:
            say("%-32s %10s %10s  %s" % (
                name, f"{ms:.3f}" if ms else "-",
                f"{gbs:.0f}" if gbs else "-", note or ""))
        copy = [r for r in bw_rows if r[0].startswith("device-to-device")]
        if bw_rows[0][2] and copy and copy[0][2]:
            say(f"fused kernel / copy bandwidth: "
                f"{bw_rows[0][2] / copy[0][2]:.0%}")
    failed = any(r[1] in ("FAIL", "ERROR") for r in num_rows) or \
        any(r[2] is None for r in bench_rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

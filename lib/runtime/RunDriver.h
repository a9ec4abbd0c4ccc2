//===- RunDriver.h - the logic of kiln-run -------------------------*- C++ -*-===//
//
// kiln-run MODEL [--input NAME=FILE | --input FILE]... [--output-dir DIR]
//         [--bench [--warmup N] [--iters N]] [--input-shape NAME=DIMS]...
//         [--seed N] [--params FILE] [--random-params] [-O N]
//         [--force-dynamic] [--target=cpu|cuda|cuda-emulate]
//         [--allow-cpu-fallback] [--emulate-library-calls]
//         [--cpu-kernels=auto|onednn|codegen]
//         [--cpu-conv-algorithm=auto|direct] [--precision=fp32|tf32|fp16|bf16]
//
// Lives in a library so that the tool stays a few lines, and so that the
// runtime-only build can offer it without the compiler: compiling `.onnx`
// models is a hook that the full build provides.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_RUNDRIVER_H
#define KILN_LIB_RUNTIME_RUNDRIVER_H

#include "kiln/Status.h"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace kiln::runtime {

struct ModelCompileRequest {
  std::string modelPath;
  std::string artifactPath;
  int optLevel = 2;
  bool forceDynamic = false;
  std::map<std::string, std::vector<int64_t>> inputShapes;
  std::map<std::string, int64_t> sequenceLengths;
  std::set<std::string> absentOptionals;
  /// The backend: "cpu", "cuda", or "cuda-emulate" (testing).
  std::string target = "cpu";
  /// CPU kernels: "auto", "onednn" or "codegen" (kiln-compile --cpu-kernels).
  std::string cpuKernels = "auto";
  /// CUDA: host fallback for device-computed sizes (kiln-compile
  /// --allow-cpu-fallback).
  bool allowCpuFallback = false;
  /// "auto" or "direct" (kiln-compile --cpu-conv-algorithm).
  std::string cpuConvAlgorithm = "auto";
  /// "fp32", "tf32", "fp16" or "bf16" (kiln-compile --precision).
  std::string precision = "fp32";
  /// cuda-emulate: library calls selected and emulated (kiln-compile
  /// --emulate-library-calls).
  bool emulateLibraryCalls = false;
};

using CompileHook = std::function<Status(const ModelCompileRequest &)>;

/// Runs kiln-run with `args` (without the program name); returns the exit
/// code. `compile` may be empty (runtime-only build).
int runDriverMain(const std::vector<std::string> &args,
                  const CompileHook &compile);

} // namespace kiln::runtime

#endif // KILN_LIB_RUNTIME_RUNDRIVER_H

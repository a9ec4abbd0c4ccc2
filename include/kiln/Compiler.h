//===- Compiler.h - compile a model to an artifact ----------------*- C++ -*-===//
//
// Part of Kiln's public API (libkiln_compiler):
//
//   kiln::CompileOptions options;
//   options.inputShapes["input"] = {1, 3, 224, 224};
//   kiln::Status s = kiln::compileFile("model.onnx", "model.so", options);
//   if (!s) { report(s.message()); }
//
// Options are plain values: nothing is read from the environment or from
// process-wide flags, so several compilations may run side by side.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_H
#define KILN_COMPILER_H

#include "kiln/Status.h"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mlir {
class PassManager;
} // namespace mlir

namespace kiln {

enum class EmitKind {
  SharedLibrary, ///< the artifact: a .so that Session::open loads
  Object,        ///< its object file, to link yourself
  Mlir,          ///< the kiln dialect after the graph pipeline
  LlvmIr,        ///< the LLVM IR of the artifact
  Ptx,           ///< the device code as PTX (--target=cuda)
};

struct CompileOptions {
  /// "cpu" or "cuda" ("cuda-emulate" runs the CUDA kernels' mapping on the
  /// CPU, for tests).
  std::string target = "cpu";
  /// 0 to 3, as -O0..-O3.
  int optLevel = 2;
  /// Let the graph optimiser apply rewrites that change floating-point
  /// results (x * 0 -> 0, x - x -> 0, division as multiplication).
  bool fastMath = false;
  /// The layout of convolution regions at -O2 and up: "nhwc", "nchw", or
  /// empty for the target's choice.
  std::string layout;
  EmitKind emit = EmitKind::SharedLibrary;
  /// Where to write the kernel report after the graph pipeline (each
  /// kiln.fused kernel and the ops in it); "-" is stdout, empty none.
  std::string kernelReportPath;
  /// Where to write the static memory plan after the backend pipeline
  /// (each intermediate buffer's offset and lifetime, the arena size and
  /// its lower bound); "-" is stdout, empty none.
  std::string memoryReportPath;
  /// CPU: give intermediate buffers offsets in one arena that the runtime
  /// allocates once per session (off: each is malloc'ed and freed per run).
  bool memoryPlan = true;
  /// Fixes dimensions of named inputs; -1 keeps a dimension dynamic.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Make every input dimension dynamic (before inputShapes applies): the
  /// artifact then accepts any sizes the model allows. Used to test that
  /// every operator works with shapes known only at run time.
  bool forceDynamic = false;
  /// The length of each sequence input (ONNX sequence, or optional holding
  /// one): a sequence of N tensors is passed as N tensor inputs named
  /// "NAME[0]" ... "NAME[N-1]"; sequence outputs come back the same way.
  std::map<std::string, int64_t> sequenceLengths;
  /// Optional inputs that are empty (the rest hold a value); an empty
  /// optional takes no tensor inputs.
  std::set<std::string> absentOptionals;
  /// The CPU to generate code for: "native" (this machine, with all its
  /// features) or an LLVM CPU name such as "x86-64-v3".
  std::string cpu = "native";
  /// --target=cuda: the GPU architecture ("sm_80", "sm_90") the cubin is
  /// assembled for (the embedded PTX also JIT-compiles for later GPUs).
  std::string gpuArch = "sm_90";
  /// --target=cuda: the CUDA toolkit (ptxas, libdevice); empty uses the
  /// one found when Kiln was built.
  std::string cudaPath;
  /// --target=cuda: run convolutions and matrix products through cuDNN and
  /// cuBLAS (otherwise generated code runs everything).
  bool gpuLibraries = true;
  /// --target=cuda: the arithmetic of the model's float32 tensors. "fp32"
  /// keeps float32 everywhere (cuDNN and cuBLAS without TF32); "tf32" lets
  /// their float32 calls use TF32 tensor cores; "fp16" and "bf16" store
  /// the tensors and weights in that type, run convolutions and products
  /// on tensor cores (float32 accumulation) and the generated kernels in
  /// float32, with float32 inputs and outputs. The CPU target takes only
  /// "fp32".
  std::string precision = "fp32";
  /// --target=cuda: run on the host (with device<->host copies of the
  /// buffers it touches) the work whose values the host needs, such as a
  /// size computed from data (NonZero, a shape given as a computed input)
  /// or a loop's condition; without it such a model is an error naming the
  /// node.
  bool allowCpuFallback = false;
  /// --target=cuda-emulate (testing): select cuDNN/cuBLAS calls as
  /// --target=cuda does and run them as generated code of their
  /// definition, so that the selection is checked numerically without a
  /// GPU (otherwise the emulation generates every kernel).
  bool emulateLibraryCalls = false;
  /// --target=cpu: "auto" runs f32 convolutions and matrix products (and
  /// their fused epilogues) through oneDNN where the cost model finds it
  /// faster, "onednn" wherever oneDNN can run them, "codegen" generates
  /// loops for everything.
  std::string cpuKernels = "auto";
  /// --target=cpu: "auto" runs oneDNN convolutions as Winograd F(2x2, 3x3)
  /// where the cost model finds it faster, "direct" never.
  std::string cpuConvAlgorithm = "auto";
  /// Write the weights to `<output>.params` instead of embedding them.
  bool externalParams = false;
  /// The program that links the artifact; empty uses the one found when
  /// Kiln was built.
  std::string linker;
  /// Called on every MLIR pass manager before it runs, to attach
  /// instrumentation (IR printing, timing) in tools and tests.
  std::function<void(mlir::PassManager &)> configurePassManager;
};

/// Compiles the ONNX model at `modelPath` (binary `.onnx`, or `.onnxtxt` in
/// ONNX's textual syntax) and writes `outputPath`. The Status message lists
/// every problem found, one per line.
Status compileFile(const std::string &modelPath, const std::string &outputPath,
                   const CompileOptions &options);

/// The same for a model held in memory. External-data weights are looked
/// up relative to `baseDirectory`.
Status compileModel(const void *data, size_t size,
                    const std::string &outputPath,
                    const CompileOptions &options,
                    const std::string &baseDirectory = ".");

} // namespace kiln

#endif // KILN_COMPILER_H

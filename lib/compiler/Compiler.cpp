//===- Compiler.cpp - one compilation, from model file to artifact --------===//
//
//   import (ONNX -> kiln) -> graph pipeline -> [--emit=mlir stops here]
//   -> describe inputs/outputs -> backend pipeline -> backend emits artifact
//
//===----------------------------------------------------------------------===//
#include "kiln/Compiler.h"

#include "backends/ArtifactDescription.h"
#include "backends/Backend.h"
#include "backends/cpu/LlvmArtifact.h"
#include "backends/cpu/MemoryPlan.h"
#include "dialects/kiln/ConstantUtils.h"
#include "lib/compiler/Diagnostics.h"
#include "lib/compiler/Registration.h"
#include "lib/frontend/onnx/OnnxImporter.h"
#include "passes/GraphPipeline.h"
#include "passes/KernelReport.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

namespace kiln {

namespace {

std::unique_ptr<Backend> lookupBackend(llvm::StringRef name) {
  if (name == "cpu")
    return createCpuBackend();
  if (name == "cuda")
    return createCudaBackend();
  if (name == "cuda-emulate")
    return createCudaEmulationBackend();
  return nullptr;
}

/// One compilation's context and diagnostics.
class Compilation {
public:
  explicit Compilation(const CompileOptions &options)
      : options_(options), context_(makeRegistry()), diagnostics_(&context_) {
    context_.loadAllAvailableDialects();
    // Messages name the node; dumping the op after each is noise for users.
    context_.printOpOnDiagnostic(false);
  }

  MLIRContext &context() { return context_; }

  Status fail(const std::string &fallback) {
    std::string text = diagnostics_.text();
    return Status::error(text.empty() ? "error: " + fallback + "\n" : text);
  }

  LogicalResult runPasses(ModuleOp module,
                          llvm::function_ref<LogicalResult(OpPassManager &)> build) {
    PassManager pm(&context_);
    if (failed(build(pm)))
      return failure();
    if (options_.configurePassManager)
      options_.configurePassManager(pm);
    return pm.run(module);
  }

  Status compile(ModuleOp module, const std::string &outputPath) {
    if (options_.optLevel < 0 || options_.optLevel > 3)
      return Status::error("error: optimisation level must be 0 to 3\n");
    std::unique_ptr<Backend> backend = lookupBackend(options_.target);
    if (!backend)
      return Status::error("error: unknown target '" + options_.target +
                           "' (available: cpu, cuda)\n");
    if (options_.emit == EmitKind::Ptx && options_.target != "cuda")
      return Status::error("error: --emit=ptx needs --target=cuda\n");
    // Both targets compile their host code for this CPU.
    if (!isKnownHostCpu(options_.cpu))
      return Status::error("error: unknown CPU '" + options_.cpu +
                           "' (expected native or an LLVM CPU name such as "
                           "sapphirerapids, skylake-avx512 or x86-64-v3)\n");
    if (options_.cpuKernels != "auto" && options_.cpuKernels != "onednn" &&
        options_.cpuKernels != "codegen")
      return Status::error("error: unknown CPU kernels '" + options_.cpuKernels +
                           "' (expected auto, onednn or codegen)\n");
    if (options_.cpuConvAlgorithm != "auto" &&
        options_.cpuConvAlgorithm != "direct")
      return Status::error("error: unknown convolution algorithm '" +
                           options_.cpuConvAlgorithm +
                           "' (expected auto or direct)\n");
    const std::string &precision = options_.precision;
    if (precision != "fp32" && precision != "tf32" && precision != "fp16" &&
        precision != "bf16")
      return Status::error("error: unknown precision '" + precision +
                           "' (expected fp32, tf32, fp16 or bf16)\n");
    if (precision != "fp32" && options_.target == "cpu")
      return Status::error("error: --precision=" + precision +
                           " is not supported for --target=cpu (it computes "
                           "in float32 only)\n");
    if (options_.emulateLibraryCalls && options_.target != "cuda-emulate")
      return Status::error("error: --emulate-library-calls is for "
                           "--target=cuda-emulate (it runs the library calls "
                           "that --target=cuda selects as generated code)\n");
    if (options_.emit == EmitKind::Mlir && !options_.memoryReportPath.empty())
      return Status::error("error: --memory-report needs the backend, which "
                           "--emit=mlir stops before\n");
    std::string layout = options_.layout.empty() ? backend->defaultLayout(options_)
                                                 : options_.layout;
    if (layout != "nhwc" && layout != "nchw")
      return Status::error("error: unknown layout '" + layout + "' (expected nhwc or nchw)\n");
    if (layout == "nhwc" && options_.target == "cuda")
      return Status::error("error: --layout=nhwc is not supported for --target=cuda "
                           "(its cuDNN calls and kernels take NCHW)\n");
    if (failed(runPasses(module, [&](OpPassManager &pm) {
          return buildGraphPipeline(pm, {options_.optLevel, options_.fastMath, layout});
        })))
      return fail("the graph pipeline failed");
    // The weights folding replaced are garbage now (and after lowering).
    releaseUnreferencedBlobs(module);
    if (Status s = writeReport(
            options_.kernelReportPath,
            [&](llvm::raw_ostream &os) {
              printKernelReport(module, os, [&](Operation *fused) {
                KernelPlanText plan;
                plan.text = backend->planOf(fused, options_, plan.milliseconds);
                return plan;
              });
            });
        !s)
      return s;
    if (options_.emit == EmitKind::Mlir)
      return writeMlir(module, outputPath);

    runtime::ArtifactMetadata metadata;
    if (failed(describeEntry(module, metadata)))
      return fail("the model's entry function is malformed");
    if (failed(runPasses(module, [&](OpPassManager &pm) {
          return backend->buildPipeline(pm, options_);
        })))
      return fail("lowering for target '" + options_.target + "' failed");
    releaseUnreferencedBlobs(module);
    if (Status s = writeReport(options_.memoryReportPath,
                               [&](llvm::raw_ostream &os) {
                                 printMemoryReport(module, options_.target, os);
                               });
        !s)
      return s;
    if (failed(backend->emit(module, std::move(metadata), options_, outputPath)))
      return fail("writing " + outputPath + " failed");
    return Status::ok();
  }

private:
  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    registerAllDialects(registry);
    registerAllPasses();
    return registry;
  }

  /// Writes a report to `path` ("-": stdout); nothing when `path` is empty.
  static Status writeReport(const std::string &path,
                            llvm::function_ref<void(llvm::raw_ostream &)> print) {
    if (path.empty())
      return Status::ok();
    std::string error;
    auto out = openOutputFile(path, &error);
    if (!out)
      return Status::error("error: cannot write " + path + ": " + error + "\n");
    print(out->os());
    out->keep();
    return Status::ok();
  }

  Status writeMlir(ModuleOp module, const std::string &outputPath) {
    std::string error;
    auto out = openOutputFile(outputPath, &error);
    if (!out)
      return Status::error("error: cannot write " + outputPath + ": " + error +
                           "\n");
    // Weights stay out of the text: resources print as their names.
    OpPrintingFlags flags;
    flags.elideLargeResourceString(64).elideLargeElementsAttrs(64);
    module.print(out->os(), flags);
    out->keep();
    return Status::ok();
  }

  const CompileOptions &options_;
  MLIRContext context_;
  DiagnosticCollector diagnostics_;
};

onnx_frontend::ImportOptions importOptions(const CompileOptions &options) {
  onnx_frontend::ImportOptions o;
  o.inputShapes = options.inputShapes;
  o.forceDynamic = options.forceDynamic;
  o.sequenceLengths = options.sequenceLengths;
  o.absentOptionals = options.absentOptionals;
  return o;
}

} // namespace

Status compileFile(const std::string &modelPath, const std::string &outputPath,
                   const CompileOptions &options) {
  Compilation c(options);
  if (llvm::StringRef(modelPath).ends_with(".mlir")) {
    OwningOpRef<ModuleOp> module =
        parseSourceFile<ModuleOp>(modelPath, &c.context());
    if (!module)
      return c.fail("cannot parse " + modelPath);
    return c.compile(*module, outputPath);
  }
  auto module = onnx_frontend::importOnnxFile(&c.context(), modelPath,
                                              importOptions(options));
  if (failed(module))
    return c.fail("cannot import " + modelPath);
  return c.compile(**module, outputPath);
}

Status compileModel(const void *data, size_t size, const std::string &outputPath,
                    const CompileOptions &options,
                    const std::string &baseDirectory) {
  Compilation c(options);
  auto module = onnx_frontend::importOnnxBuffer(
      &c.context(), data, size, "<memory>", baseDirectory,
      importOptions(options));
  if (failed(module))
    return c.fail("cannot import the model");
  return c.compile(**module, outputPath);
}

} // namespace kiln

//===- CpuBackend.cpp - the host CPU target -------------------------------===//
#include "backends/Backend.h"
#include "backends/cpu/CpuPipeline.h"
#include "backends/cpu/LlvmArtifact.h"

using namespace mlir;

namespace kiln {
namespace {

class CpuBackend : public Backend {
public:
  llvm::StringRef name() const override { return "cpu"; }

  // Measured on ResNet-50, batch 1, 2 cores: with oneDNN, NHWC 78 ms and
  // NCHW 387 ms (oneDNN's fast convolutions take channels-last activations;
  // plain NCHW ones are slower); with generated loops (kiln-cpu-order-loops
  // vectorises over the output's last dimension) NCHW 2.8 s and NHWC
  // 12.3 s, because channels-last makes the inner loop run over output
  // channels, whose weights are strided in ONNX's [M, C, kH, kW].
  std::string defaultLayout(const CompileOptions &options) const override {
    return options.cpuKernels == "onednn" ? "nhwc" : "nchw";
  }

  LogicalResult buildPipeline(OpPassManager &pm,
                              const CompileOptions &options) const override {
    CpuPipelineOptions o;
    o.optLevel = options.optLevel;
    o.libraries = options.cpuKernels == "onednn";
    return buildCpuPipeline(pm, o);
  }

  LogicalResult emit(ModuleOp lowered, runtime::ArtifactMetadata metadata,
                     const CompileOptions &options,
                     const std::string &outputPath) const override {
    metadata.target = "cpu";
    return emitLlvmArtifact(lowered, std::move(metadata), options, outputPath);
  }
};

} // namespace

std::unique_ptr<Backend> createCpuBackend() {
  return std::make_unique<CpuBackend>();
}

} // namespace kiln

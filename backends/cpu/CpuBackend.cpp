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

  // Channels innermost: the convolution's reduction over channels reads
  // contiguous memory (measured equal on today's scalar loops; the layout
  // vectorised kernels want).
  std::string defaultLayout() const override { return "nhwc"; }

  LogicalResult buildPipeline(OpPassManager &pm,
                              const CompileOptions &options) const override {
    CpuPipelineOptions o;
    o.optLevel = options.optLevel;
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

//===- CudaBackend.cpp - the NVIDIA GPU target ----------------------------===//
#include "backends/Backend.h"
#include "backends/cpu/LlvmArtifact.h"
#include "backends/cuda/CudaArtifact.h"
#include "backends/cuda/CudaPipeline.h"
#include "backends/cuda/GpuCostModel.h"

using namespace mlir;

namespace kiln {
namespace {

CudaPipelineOptions pipelineOptions(const CompileOptions &options,
                                    bool emulate) {
  CudaPipelineOptions o;
  o.optLevel = options.optLevel;
  o.arch = options.gpuArch;
  o.cudaPath = cudaToolkitPath(options);
  o.libraries = options.gpuLibraries;
  o.emulate = emulate;
  o.emulateLibraries = options.emulateLibraryCalls;
  o.precision = options.precision;
  o.allowCpuFallback = options.allowCpuFallback;
  return o;
}

class CudaBackend : public Backend {
public:
  llvm::StringRef name() const override { return "cuda"; }

  // The kernel's anchor decides the path (cuDNN, cuBLAS, generated); the
  // time is a roofline bound on the arch's largest part.
  std::string planOf(Operation *fused, const CompileOptions &options,
                     double &milliseconds) const override {
    Operation *anchor = kernelAnchor(fused);
    if (!anchor) {
      milliseconds = -1;
      return "";
    }
    cuda::GpuPlanOptions o;
    o.arch = options.gpuArch;
    o.precision = options.precision;
    o.libraries = options.gpuLibraries;
    cuda::GpuKernelPlan plan = cuda::planGpuKernel(anchor, o);
    milliseconds = plan.milliseconds;
    return plan.text;
  }

  LogicalResult buildPipeline(OpPassManager &pm,
                              const CompileOptions &options) const override {
    return buildCudaPipeline(pm, pipelineOptions(options, false));
  }

  LogicalResult emit(ModuleOp lowered, runtime::ArtifactMetadata metadata,
                     const CompileOptions &options,
                     const std::string &outputPath) const override {
    return emitCudaArtifact(lowered, std::move(metadata), options, outputPath);
  }
};

/// For tests on machines without a GPU: the CUDA mapping run on the CPU.
class CudaEmulationBackend : public Backend {
public:
  llvm::StringRef name() const override { return "cuda-emulate"; }

  LogicalResult buildPipeline(OpPassManager &pm,
                              const CompileOptions &options) const override {
    return buildCudaPipeline(pm, pipelineOptions(options, true));
  }

  LogicalResult emit(ModuleOp lowered, runtime::ArtifactMetadata metadata,
                     const CompileOptions &options,
                     const std::string &outputPath) const override {
    metadata.target = "cpu";
    return emitLlvmArtifact(lowered, std::move(metadata), options, outputPath);
  }
};

} // namespace

std::unique_ptr<Backend> createCudaBackend() {
  return std::make_unique<CudaBackend>();
}

std::unique_ptr<Backend> createCudaEmulationBackend() {
  return std::make_unique<CudaEmulationBackend>();
}

} // namespace kiln

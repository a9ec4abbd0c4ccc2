//===- CudaPipeline.h - kiln to host LLVM + device PTX ----------*- C++ -*-===//
#ifndef KILN_BACKENDS_CUDA_CUDAPIPELINE_H
#define KILN_BACKENDS_CUDA_CUDAPIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace kiln {

struct CudaPipelineOptions {
  int optLevel = 2;
  /// The GPU the PTX targets; PTX ISA 8.0 (CUDA 12.0 drivers and later).
  std::string arch = "sm_90";
  /// The CUDA toolkit whose libdevice is linked into the kernels.
  std::string cudaPath = "/usr/local/cuda";
  /// Convolutions and matrix products through cuDNN and cuBLAS.
  bool libraries = true;
  /// fp32 (float32 throughout, no TF32), tf32 (float32 library calls may
  /// use TF32 tensor cores), fp16 or bf16 (tensors stored in that type,
  /// library calls on tensor cores, kernels computing in float32).
  std::string precision = "fp32";
  int64_t blockSize = 256;
  int64_t minParamBytes = 256;
  /// Testing: run the kernels as host loops (a CPU artifact), to check the
  /// mapping numerically without a GPU. No libraries, unless
  /// `emulateLibraries`: then the library calls are selected as for the
  /// GPU and run as generated code of their definition.
  bool emulate = false;
  bool emulateLibraries = false;
  /// Work whose values the host needs (data-dependent sizes, loop
  /// conditions) runs on the host, with copies, instead of being an error.
  bool allowCpuFallback = false;
};

/// The pass pipeline as text (pasteable into kiln-opt).
std::string cudaPipelineText(const CudaPipelineOptions &options);

mlir::LogicalResult buildCudaPipeline(mlir::OpPassManager &pm,
                                      const CudaPipelineOptions &options);

/// Registers `kiln-cuda-codegen` (and `kiln-cuda-emulate`) for kiln-opt.
void registerCudaPipelines();

} // namespace kiln

#endif // KILN_BACKENDS_CUDA_CUDAPIPELINE_H

//===- CudaLibraries.h - cuDNN and cuBLAS behind the library ABI -*- C++ -*-===//
//
// The bodies of kiln_cuda_conv2d, kiln_cuda_matmul and
// kiln_cuda_matmul_epilogue (CudaAbi.h). cuDNN 9 (its convolution API),
// cuBLAS and cuBLASLt are opened with dlopen the first time a model uses
// them, so the runtime builds and loads without them; handles are created
// once per loaded artifact, and each distinct convolution's descriptors,
// algorithm (chosen by cudnnFind on first use) and workspace size, and
// each distinct epilogue product's cuBLASLt descriptors and algorithm
// (cuBLASLt's heuristic), are cached by the descriptor's contents; cuDNN's
// choices also across processes with KILN_CUDNN_CACHE (CudnnAlgoCache.h).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_CUDA_CUDALIBRARIES_H
#define KILN_LIB_RUNTIME_CUDA_CUDALIBRARIES_H

#include "lib/runtime/cuda/CudaDriver.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kiln::cuda {

struct CudnnApi;
struct CublasApi;
struct CublasLtApi;

class LibraryKernels {
public:
  /// `device` names the GPU (name and architecture) for
  /// KILN_CUDNN_CACHE's keys.
  LibraryKernels(const Driver &driver, CUstream stream, std::string device);
  ~LibraryKernels();

  /// Enqueue on the stream; an error names the library call and why.
  /// `bias` and the residual `z` may be 0 (none).
  Status conv2d(const int64_t *desc, CUdeviceptr x, CUdeviceptr w,
                CUdeviceptr bias, CUdeviceptr z, CUdeviceptr y);
  Status matmul(const int64_t *desc, CUdeviceptr a, CUdeviceptr b,
                CUdeviceptr c);
  /// `bias` may be 0 (no bias).
  Status matmulEpilogue(const int64_t *desc, CUdeviceptr a, CUdeviceptr b,
                        CUdeviceptr bias, CUdeviceptr c);

  struct ConvPlan;
  struct LtPlan;

private:
  Status ensureCudnn();
  Status ensureCublas();
  Status ensureCublasLt();
  Expected<LtPlan *> ltPlan(const int64_t *desc, CUdeviceptr a, CUdeviceptr b,
                            CUdeviceptr bias, CUdeviceptr c);
  Expected<ConvPlan *> convPlan(const int64_t *desc, CUdeviceptr x,
                                CUdeviceptr w, CUdeviceptr y);
  Status ensureWorkspace(size_t bytes);

  const Driver &driver_;
  CUstream stream_;
  std::string device_;
  const CudnnApi *cudnn_ = nullptr;
  const CublasApi *cublas_ = nullptr;
  const CublasLtApi *cublasLt_ = nullptr;
  void *cudnnHandle_ = nullptr;
  void *cublasHandle_ = nullptr;
  void *cublasLtHandle_ = nullptr;
  std::map<std::vector<int64_t>, std::unique_ptr<ConvPlan>> convPlans_;
  std::map<std::vector<int64_t>, std::unique_ptr<LtPlan>> ltPlans_;
  CUdeviceptr workspace_ = 0;
  size_t workspaceBytes_ = 0;
};

} // namespace kiln::cuda

#endif // KILN_LIB_RUNTIME_CUDA_CUDALIBRARIES_H

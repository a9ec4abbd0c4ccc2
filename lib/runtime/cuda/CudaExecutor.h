//===- CudaExecutor.h - one loaded CUDA artifact ------------------*- C++ -*-===//
//
// What a Session holds for a CUDA artifact: the driver context (device 0's
// primary context, shared with cuDNN and cuBLAS), one stream, the kernel
// module (cubin, or the PTX JIT-compiled when the cubin does not fit the
// GPU), the weights on the device (uploaded once), the library handles,
// and the functions the artifact's table points to. A run copies the
// inputs in, calls the artifact (which enqueues everything on the stream),
// copies the outputs out and frees what the run allocated.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_CUDA_CUDAEXECUTOR_H
#define KILN_LIB_RUNTIME_CUDA_CUDAEXECUTOR_H

#include "kiln/Runtime.h"
#include "kiln/Status.h"
#include "kiln/Tensor.h"
#include "lib/runtime/ArtifactFormat.h"

#include <functional>
#include <memory>
#include <vector>

namespace kiln::cuda {

class CudaExecutor {
public:
  /// `library` is the artifact's dlopen handle; `params` its weights in
  /// host memory (copied to the device here).
  static Expected<std::unique_ptr<CudaExecutor>>
  open(void *library, const std::string &path,
       const runtime::ArtifactMetadata &metadata, const char *params,
       size_t paramsBytes);
  ~CudaExecutor();

  /// Calls the artifact's run entry: false if a host-side run-time check
  /// failed (the trap handler unwound).
  using CallFn = std::function<bool(void **args, void *results)>;
  /// `trapMessage` gives the failed host check's message.
  using TrapMessageFn = std::function<std::string()>;

  /// Runs on inputs already checked against the metadata; `outputs` are
  /// the artifact's outputs (their ranks size the result descriptors).
  /// `deviceMs`, when given, receives the time between CUDA events recorded
  /// before the model's first and after its last operation (the input and
  /// output transfers excluded).
  Expected<std::vector<Tensor>> run(const std::vector<Tensor> &inputs,
                                    const std::vector<TensorInfo> &outputs,
                                    const CallFn &call,
                                    const TrapMessageFn &trapMessage,
                                    double *deviceMs);

  /// "NVIDIA H100 80GB HBM3 (sm_90, kernels from the cubin)".
  const std::string &device() const;

  struct Impl;

private:
  explicit CudaExecutor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace kiln::cuda

#endif // KILN_LIB_RUNTIME_CUDA_CUDAEXECUTOR_H

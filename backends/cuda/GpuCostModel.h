//===- GpuCostModel.h - how the CUDA target runs a kernel, how fast -*- C++ -*-===//
//
// For --kernel-report on --target=cuda: the path each kernel takes (cuDNN,
// cuBLAS, attention's two cuBLAS products around a generated softmax, or
// generated kernels) and a roofline estimate of its time on the arch's
// largest part: a fixed cost per launch or library call + max(FLOPs /
// peak rate, bytes / memory bandwidth). The peak rate is the tensor cores'
// for library calls at fp16/bf16 (and TF32 when allowed), the CUDA cores'
// float32 rate otherwise (generated kernels compute in float32). The
// estimate is a lower bound, not a prediction: libraries reach 60-90% of
// these peaks on large products, and a generated kernel that reduces
// rows runs as two or three launches. The same table gives
// kiln-cuda-map-to-gpu its multiprocessor count.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CUDA_GPUCOSTMODEL_H
#define KILN_BACKENDS_CUDA_GPUCOSTMODEL_H

#include "mlir/IR/Operation.h"

#include <optional>
#include <string>

namespace kiln::cuda {

/// Published peak figures of an arch's largest part (A100 SXM 80 GB for
/// sm_80, H100 SXM for sm_90), dense.
struct GpuArchSpec {
  int64_t multiprocessors;
  double fp32Tflops;   ///< CUDA cores
  double tf32Tflops;   ///< tensor cores
  double halfTflops;   ///< tensor cores, fp16 and bf16
  double bandwidthGBs; ///< device memory
};

/// The arch's figures, or nothing for an arch Kiln does not know.
std::optional<GpuArchSpec> gpuArchSpec(llvm::StringRef arch);

struct GpuPlanOptions {
  std::string arch = "sm_90";
  std::string precision = "fp32"; ///< fp32, tf32, fp16, bf16
  bool libraries = true;          ///< --gpu-libraries
};

struct GpuKernelPlan {
  std::string text;       ///< the path, for the report
  double milliseconds;    ///< the roofline estimate; < 0 when unknown
};

/// How the CUDA target runs the kernel whose anchor is `anchor`.
GpuKernelPlan planGpuKernel(mlir::Operation *anchor, const GpuPlanOptions &options);

/// Whether kiln-cuda-select-library-calls sends `op` (a kiln conv,
/// matmul or gemm) to cuDNN or cuBLAS.
bool libraryCanRun(mlir::Operation *op);

/// What cuDNN's fused call runs after a library convolution
/// (y = relu(conv(x) + z + bias)), which kiln-cuda-select-library-calls
/// absorbs into it: an Add of a residual `z` of the result's type, then a
/// ReLU. `last` is the last op absorbed, null when none is.
struct ConvEpilogue {
  mlir::Value residual;
  bool relu = false;
  mlir::Operation *last = nullptr;
};
ConvEpilogue convEpilogue(mlir::Operation *conv);

/// What cuBLASLt runs after a library product (a kiln matmul or gemm that
/// libraryCanRun), which kiln-cuda-select-library-calls absorbs into the
/// call: a bias per output column, then a ReLU or tanh-form GELU. The
/// bias is a Gemm's C when C is a vector of N and beta is 1, else an Add
/// of such a vector; a Gemm whose C is the accumulator absorbs nothing.
/// `last` is the last op absorbed after the product, null when none is.
struct ProductEpilogue {
  mlir::Value bias;
  llvm::StringRef activation; ///< "", "relu" or "gelu_tanh"
  mlir::Operation *last = nullptr;
};
ProductEpilogue productEpilogue(mlir::Operation *product);

/// Whether a library product's batch runs as one GEMM of all its rows
/// (kiln-cuda-host-to-llvm): row blocks of an untransposed A against one
/// shared right matrix ([b, s, k] by [k, n]) are consecutive rows of one
/// matrix, and so are C's.
inline bool batchFoldsIntoRows(int64_t lhsRank, int64_t rhsRank,
                               int64_t resultRank, bool transA) {
  return rhsRank == 2 && lhsRank == resultRank && !transA;
}

} // namespace kiln::cuda

#endif // KILN_BACKENDS_CUDA_GPUCOSTMODEL_H

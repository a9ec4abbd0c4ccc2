//===- GpuCostModel.cpp - how the CUDA target runs a kernel, how fast -----===//
#include "backends/cuda/GpuCostModel.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/OpClasses.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;

namespace kiln::cuda {

std::optional<GpuArchSpec> gpuArchSpec(StringRef arch) {
  // NVIDIA's data sheets: A100 SXM 80 GB; H100 SXM5.
  if (arch == "sm_80")
    return GpuArchSpec{108, 19.5, 156, 312, 2039};
  if (arch == "sm_90")
    return GpuArchSpec{132, 67, 495, 989, 3350};
  return std::nullopt;
}

namespace {

/// Fixed costs: a generated kernel's launch, a library call (descriptor
/// lookup, the library's own launches).
constexpr double kLaunchUs = 2, kLibraryCallUs = 4;

/// Bytes of a value as the target stores it: float tensors at fp16/bf16
/// take 2 bytes per element.
double bytesOf(Type type, bool half) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  unsigned bits = t.getElementTypeBitWidth();
  if (half && t.getElementType().isF32())
    bits = 16;
  return double(t.getNumElements()) * std::max(8u, bits) / 8;
}

/// The path's description; `library` is set where cuDNN or cuBLAS runs
/// the kernel's anchor. `half`: fp16/bf16 storage.
std::string pathOf(Operation *anchor, const GpuPlanOptions &o, bool half,
                   bool &library) {
  library = false;
  if (!o.libraries)
    return "generated kernels (--gpu-libraries=false)";
  std::string text;
  llvm::raw_string_ostream os(text);
  if (isa<AttentionOp>(anchor)) {
    library = true;
    os << "cublas 2 batched gemms (k^T read transposed) + generated softmax";
  } else if (auto conv = dyn_cast<ConvOp>(anchor); conv && libraryCanRun(conv)) {
    library = true;
    ConvEpilogue e = convEpilogue(conv);
    os << "cudnn conv2d nchw groups=" << conv.getGroup()
       << (conv.getBias() ? " +bias" : "") << (e.residual ? " +residual" : "")
       << (e.relu ? " +relu" : "");
  } else if (isa<MatMulOp, GemmOp>(anchor) && libraryCanRun(anchor)) {
    library = true;
    auto a = cast<RankedTensorType>(anchor->getOperand(0).getType());
    auto b = cast<RankedTensorType>(anchor->getOperand(1).getType());
    auto c = cast<RankedTensorType>(anchor->getResult(0).getType());
    auto gemm = dyn_cast<GemmOp>(anchor);
    int64_t batch = 1;
    for (int64_t i = 0; i + 2 < c.getRank(); ++i)
      batch *= c.getDimSize(i);
    if (batchFoldsIntoRows(a.getRank(), b.getRank(), c.getRank(),
                           gemm && gemm.getTransA()))
      batch = 1;
    // An epilogue makes it a cuBLASLt call (bias, activation in the GEMM).
    ProductEpilogue e = productEpilogue(anchor);
    bool lt = e.bias || !e.activation.empty();
    os << (lt ? "cublaslt gemm" : "cublas gemm");
    if (batch > 1)
      os << " strided batch=" << batch;
    if (e.bias)
      os << " +bias";
    if (!e.activation.empty())
      os << " +" << e.activation;
  } else {
    return "generated kernels";
  }
  os << (half ? " (" + o.precision + " tensor cores)"
         : o.precision == "tf32" ? std::string(" (tf32 allowed)")
                                 : std::string(" (float32, no tf32)"));
  return text;
}

} // namespace

GpuKernelPlan planGpuKernel(Operation *anchor, const GpuPlanOptions &o) {
  bool half = o.precision == "fp16" || o.precision == "bf16";
  bool library;
  GpuKernelPlan plan{pathOf(anchor, o, half, library), -1};
  std::optional<GpuArchSpec> spec = gpuArchSpec(o.arch);
  if (!spec)
    return plan;
  double flops = double(estimateFlops(anchor)), bytes = 0;
  for (Value v : anchor->getOperands())
    bytes += bytesOf(v.getType(), half);
  for (Value v : anchor->getResults())
    bytes += bytesOf(v.getType(), half);
  // A residual that cuDNN's fused call reads.
  if (auto conv = dyn_cast<ConvOp>(anchor); library && conv)
    if (Value z = convEpilogue(conv).residual)
      bytes += bytesOf(z.getType(), half);
  double tflops = !library                  ? spec->fp32Tflops
                  : half                    ? spec->halfTflops
                  : o.precision == "tf32"   ? spec->tf32Tflops
                                            : spec->fp32Tflops;
  double computeMs = flops / (tflops * 1e9);
  double memoryMs = bytes / (spec->bandwidthGBs * 1e6);
  plan.milliseconds =
      (library ? kLibraryCallUs : kLaunchUs) / 1e3 + std::max(computeMs, memoryMs);
  llvm::raw_string_ostream os(plan.text);
  os << " bytes=" << llvm::format("%.0f", bytes) << " roofline_ms="
     << llvm::format("%.4f", plan.milliseconds);
  return plan;
}

} // namespace kiln::cuda

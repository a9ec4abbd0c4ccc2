//===- CostModel.cpp - which CPU path runs a kernel, and how fast ---------===//
#include "backends/cpu/CostModel.h"
#include "backends/cpu/PackedGemm.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/OpClasses.h"

#include "mlir/IR/BuiltinTypes.h"

#include <algorithm>

using namespace mlir;

namespace kiln::cpu {

static double bytesOf(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  return double(t.getNumElements()) *
         std::max<unsigned>(8, t.getElementTypeBitWidth()) / 8;
}

KernelEstimate CpuCostModel::estimate(Operation *op, CpuPath path,
                                      bool winograd) const {
  KernelEstimate e{path};
  e.flops = double(estimateFlops(op));
  for (Value v : op->getOperands())
    e.bytes += bytesOf(v.getType());
  for (Value v : op->getResults())
    e.bytes += bytesOf(v.getType());
  bool library = path == CpuPath::Library;
  double gflops = threads * (library                  ? libraryGflopsPerThread
                             : packedGemmApplies(op) ? packedGemmGflopsPerThread
                                                     : codegenGflopsPerThread);
  double computeMs = e.flops / (gflops * 1e6);
  if (library && winograd)
    computeMs /= winogradSpeedup;
  double memoryMs =
      e.bytes / ((e.bytes <= cacheBytes ? cacheBandwidthGBs : bandwidthGBs) * 1e6);
  e.milliseconds = (library ? libraryCallUs : codegenCallUs) / 1e3 +
                   std::max(computeMs, memoryMs);
  return e;
}

KernelEstimate CpuCostModel::choose(Operation *op, bool canRun) const {
  KernelEstimate codegen = estimate(op, CpuPath::Codegen);
  if (!canRun)
    return codegen;
  KernelEstimate library = estimate(op, CpuPath::Library);
  return library.milliseconds < codegen.milliseconds ? library : codegen;
}

bool packedGemmApplies(Operation *op) {
  if (!isa<MatMulOp, GemmOp>(op))
    return false;
  auto lhs = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto rhs = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
  auto out = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!lhs || !rhs || !out || !lhs.hasStaticShape() || !rhs.hasStaticShape() ||
      !out.hasStaticShape() || out.getRank() < 2 ||
      !lhs.getElementType().isF32() || !rhs.getElementType().isF32() ||
      !out.getElementType().isF32())
    return false;
  ArrayRef<int64_t> shape = out.getShape();
  int64_t cols = shape.back(), rows = shape[shape.size() - 2];
  // A 2-D right operand shares one panel: every leading dimension of the
  // output is a row of the product.
  if (rhs.getRank() == 2)
    for (int64_t d : shape.drop_back(2))
      rows *= d;
  int64_t depth = 1;
  if (auto gemm = dyn_cast<GemmOp>(op))
    depth = gemm.getTransA() ? lhs.getDimSize(0) : lhs.getDimSize(1);
  else
    depth = lhs.getShape().back();
  return kPackedGemm.applies(rows, cols, depth);
}

bool CpuCostModel::winogradApplies(Operation *op, bool constantWeights,
                                   bool binaryEpilogue) const {
  auto conv = dyn_cast<ConvOp>(op);
  if (!winograd || !conv || !constantWeights || binaryEpilogue ||
      conv.getGroup() != 1)
    return false;
  auto out = dyn_cast<RankedTensorType>(conv.getType());
  if (!out || !out.hasStaticShape() || out.getRank() != 4 ||
      out.getNumElements() / out.getDimSize(conv.getChannelsLast() ? 3 : 1) <
          winogradMinPixels)
    return false;
  auto w = dyn_cast<RankedTensorType>(conv.getWeight().getType());
  if (!w || !w.hasStaticShape() || w.getRank() != 4 || w.getDimSize(2) != 3 ||
      w.getDimSize(3) != 3 || w.getDimSize(0) % 16 != 0 ||
      w.getDimSize(1) % 16 != 0 || w.getDimSize(0) < winogradMinChannels ||
      w.getDimSize(1) < winogradMinChannels)
    return false;
  auto ones = [](ArrayRef<int64_t> v) {
    return llvm::all_of(v, [](int64_t x) { return x == 1; });
  };
  return ones(conv.getStrides()) && ones(conv.getDilations());
}

const char *pathName(CpuPath path) {
  return path == CpuPath::Library ? "onednn" : "codegen";
}

} // namespace kiln::cpu

//===- CostModel.cpp - which CPU path runs a kernel, and how fast ---------===//
#include "backends/cpu/CostModel.h"
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

KernelEstimate CpuCostModel::estimate(Operation *op, CpuPath path) const {
  KernelEstimate e{path};
  e.flops = double(estimateFlops(op));
  for (Value v : op->getOperands())
    e.bytes += bytesOf(v.getType());
  for (Value v : op->getResults())
    e.bytes += bytesOf(v.getType());
  bool library = path == CpuPath::Library;
  double gflops = threads * (library ? libraryGflopsPerThread
                                     : codegenGflopsPerThread);
  double computeMs = e.flops / (gflops * 1e6);
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

const char *pathName(CpuPath path) {
  return path == CpuPath::Library ? "onednn" : "codegen";
}

} // namespace kiln::cpu

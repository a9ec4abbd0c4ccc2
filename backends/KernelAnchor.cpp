//===- KernelAnchor.cpp - the op that names a fused kernel ----------------===//
#include "backends/Backend.h"
#include "dialects/kiln/KilnDialect.h"

namespace kiln {

mlir::Operation *kernelAnchor(mlir::Operation *fused) {
  auto kernel = llvm::dyn_cast<FusedOp>(fused);
  if (!kernel)
    return nullptr;
  for (mlir::Operation &op : kernel.getBody().front().without_terminator())
    if (op.getName().stripDialect() == kernel.getAnchor())
      return &op;
  return nullptr;
}

} // namespace kiln

//===- FuseKernelElementwise.cpp - one loop per elementwise chain ---------===//
//
// After lowering, each elementwise kiln op is its own linalg.generic and
// would write its result to memory. This pass fuses producer generics into
// their consumers (MLIR's elementwise fusion), but only where the graph's
// fusion pass put both in the same kernel and every user of the producer
// is in that kernel: the graph decides, the lowering follows. Ops without
// a kernel (lowered at -O0/-O1, or by hand in kiln-opt) are never fused.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/KernelLocation.h"
#include "backends/linalg/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_FUSEKERNELELEMENTWISE
#include "backends/linalg/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

bool sameKernel(OpOperand *fused) {
  Operation *producer = fused->get().getDefiningOp();
  if (!producer)
    return false;
  std::optional<int64_t> id = kernelOf(producer->getLoc());
  if (!id)
    return false;
  return llvm::all_of(producer->getUsers(),
                      [&](Operation *user) { return kernelOf(user->getLoc()) == id; });
}

struct FuseKernelElementwisePass
    : impl::FuseKernelElementwiseBase<FuseKernelElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, sameKernel);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln

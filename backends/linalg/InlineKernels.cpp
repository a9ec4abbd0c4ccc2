//===- InlineKernels.cpp - dissolve kiln.fused regions for lowering -------===//
//
// The kernel lowering that all backends share: a kiln.fused op's body is
// moved in front of it and its results replaced by the yielded values.
// Each moved op keeps its kernel number in its location, so the steps
// after lowering (kiln-fuse-kernel-elementwise) can rebuild the kernel
// from the linalg ops. A backend that lowers whole kernels itself handles
// kiln.fused before this pass runs.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/KernelLocation.h"
#include "backends/linalg/Passes.h"
#include "dialects/kiln/KilnDialect.h"

namespace kiln {
#define GEN_PASS_DEF_INLINEKERNELS
#include "backends/linalg/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

void inlineKernel(FusedOp fused) {
  int64_t id = fused.getKernel();
  Block &body = fused.getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  for (auto [arg, input] : llvm::zip(body.getArguments(), fused.getInputs()))
    arg.replaceAllUsesWith(input);
  for (auto [result, value] : llvm::zip(fused.getResults(), yield.getOperands()))
    result.replaceAllUsesWith(value);
  yield->erase();
  for (Operation &op : body)
    op.setLoc(withKernel(op.getLoc(), id));
  fused->getBlock()->getOperations().splice(fused->getIterator(), body.getOperations());
  fused->erase();
}

struct InlineKernelsPass : impl::InlineKernelsBase<InlineKernelsPass> {
  void runOnOperation() override {
    SmallVector<FusedOp> kernels;
    getOperation().walk([&](FusedOp op) { kernels.push_back(op); });
    for (FusedOp op : kernels)
      inlineKernel(op);
  }
};

} // namespace
} // namespace kiln

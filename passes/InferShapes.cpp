//===- InferShapes.cpp - refine result types from type inference ----------===//
#include "dialects/kiln/KilnDialect.h"
#include "passes/Passes.h"
#include "passes/TypeRefinement.h"

namespace kiln {
#define GEN_PASS_DEF_INFERSHAPES
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct InferShapesPass : impl::InferShapesBase<InferShapesPass> {
  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](Operation *op) {
      if (!isa<KilnDialect>(op->getDialect()))
        return WalkResult::advance();
      return failed(refineResultTypes(op)) ? WalkResult::interrupt()
                                           : WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    updateFunctionResultTypes(getOperation());
  }
};

} // namespace
} // namespace kiln

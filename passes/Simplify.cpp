//===- Simplify.cpp - the algebraic simplification pass -------------------===//
#include "passes/Passes.h"
#include "passes/TypeRefinement.h"
#include "passes/simplify/RuleUtils.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_SIMPLIFY
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct SimplifyPass : impl::SimplifyBase<SimplifyPass> {
  using SimplifyBase::SimplifyBase;

  LogicalResult initialize(MLIRContext *ctx) override {
    RewritePatternSet set(ctx);
    simplify::RuleOptions options;
    options.fastMath = fastMath;
    simplify::populateArithmeticRules(set, options);
    simplify::populateDataMovementRules(set);
    simplify::populateContractionRules(set);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }

  void runOnOperation() override {
    // Not converging within the driver's iteration limit leaves a correct
    // (if less simplified) graph: not an error.
    (void)applyPatternsGreedily(getOperation(), patterns);
    updateFunctionResultTypes(getOperation());
  }

  FrozenRewritePatternSet patterns;
};

} // namespace
} // namespace kiln

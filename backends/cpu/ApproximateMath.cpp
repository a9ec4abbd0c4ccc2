//===- ApproximateMath.cpp - vectorisable exp, tanh, erf, log -------------===//
//
// LLVM lowers math.exp (and the libm functions for tanh, erf, log) to calls,
// one per element, which stop the loop vectoriser: softmax, GELU, sigmoid
// and layer norm then run a scalar call per element. MLIR's polynomial
// approximations are plain arithmetic with f32 accuracy (a few ulp, with
// the special values handled), so the loops around them vectorise.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_CPUAPPROXIMATEMATH
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::cpu {
namespace {

struct ApproximateMathPass
    : kiln::impl::CpuApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) {
          return llvm::is_contained(
              ArrayRef<StringRef>{"math.exp", "math.expm1", "math.tanh",
                                  "math.erf", "math.log", "math.log1p",
                                  "math.log2"},
              name);
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln::cpu

//===- GeneralizeTransposes.cpp - linalg.transpose as linalg.generic ------===//
//
// See Passes.td. A pass of its own (rather than MLIR's
// linalg-generalize-named-ops) because generalizing every named op would
// also let elementwise fusion move producers into the reduction loops of
// generated matrix products, recomputing them once per output column.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_GENERALIZETRANSPOSES
#include "backends/linalg/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct GeneralizeTransposesPass
    : impl::GeneralizeTransposesBase<GeneralizeTransposesPass> {
  void runOnOperation() override {
    SmallVector<linalg::TransposeOp> transposes;
    getOperation().walk([&](linalg::TransposeOp op) { transposes.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::TransposeOp op : transposes) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::generalizeNamedOp(rewriter, op))) {
        op.emitError("kiln-generalize-transposes: cannot rewrite as linalg.generic");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
} // namespace kiln

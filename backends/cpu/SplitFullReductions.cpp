//===- SplitFullReductions.cpp - whole-tensor reductions on threads -------===//
//
// See Passes.td (kiln-cpu-split-full-reductions). DynamicQuantizeLinear's
// min and max of its input are the common case: on 8x64x56x56 each read
// the 6.4 MB on one thread.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"
#include "dialects/kiln/KilnDialect.h"
#include "passes/simplify/RuleUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_SPLITFULLREDUCTIONS
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::cpu {
namespace {

/// Rows for `n` elements: the largest divisor up to 256 leaving rows of at
/// least 1024 elements; 0 for none.
int64_t rowsFor(int64_t n) {
  for (int64_t p = 256; p >= 2; --p)
    if (n % p == 0 && n / p >= 1024)
      return p;
  return 0;
}

template <typename ReduceOp>
struct SplitFullReduction : OpRewritePattern<ReduceOp> {
  SplitFullReduction(MLIRContext *ctx, int64_t minElements)
      : OpRewritePattern<ReduceOp>(ctx), minElements(minElements) {}
  int64_t minElements;

  LogicalResult matchAndRewrite(ReduceOp op,
                                PatternRewriter &r) const override {
    auto in = dyn_cast<RankedTensorType>(op.getInput().getType());
    auto out = dyn_cast<RankedTensorType>(op.getType());
    if (!in || !out || !in.hasStaticShape() || !out.hasStaticShape() ||
        op.getDynamicAxes() || out.getNumElements() != 1 ||
        in.getNumElements() < minElements)
      return r.notifyMatchFailure(op, "not a static reduction of a large "
                                      "tensor to one value");
    // An integer mean truncates: the mean of the rows' means is not the
    // mean.
    if (isa<ReduceMeanOp>(op.getOperation()) &&
        !isa<FloatType>(in.getElementType()))
      return r.notifyMatchFailure(op, "an integer mean");
    // Every dimension larger than 1 must be reduced (one output element
    // is not enough: [N, 1] reduced over 1 keeps N).
    for (int64_t d = 0; d < in.getRank(); ++d)
      if (in.getDimSize(d) != 1 && !llvm::is_contained(op.getAxes(), d))
        return r.notifyMatchFailure(op, "a dimension is kept");
    int64_t n = in.getNumElements(), p = rowsFor(n);
    if (!p)
      return r.notifyMatchFailure(op, "no row count divides the elements");
    Location loc = op.getLoc();
    Value rows = simplify::reshapeTo(r, loc, op.getInput(), {p, n / p});
    Value partial = ReduceOp::create(r, loc, rows, Value(),
                                     ArrayRef<int64_t>{1}, true);
    Value total = ReduceOp::create(r, loc, partial, Value(),
                                   ArrayRef<int64_t>{0, 1}, true);
    simplify::replaceKeepingType(
        r, op, simplify::reshapeTo(r, loc, total, out.getShape()));
    return success();
  }
};

struct SplitFullReductionsPass
    : kiln::impl::SplitFullReductionsBase<SplitFullReductionsPass> {
  using SplitFullReductionsBase::SplitFullReductionsBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<SplitFullReduction<ReduceMinOp>, SplitFullReduction<ReduceMaxOp>,
                 SplitFullReduction<ReduceSumOp>, SplitFullReduction<ReduceMeanOp>>(
        ctx, minElements);
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln::cpu

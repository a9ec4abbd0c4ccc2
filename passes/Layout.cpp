//===- Layout.cpp - channels-last layout for convolution regions ----------===//
//
// A CPU convolution reads its input's channels innermost far better in
// NHWC than in ONNX's NCHW: the channel loop is contiguous (oneDNN's int8
// kernels take nothing else without reorders). kiln-layout turns every
// float or integer convolution into its channels-last form with a
// transpose on each side,
//
//   conv(x) -> to_first(conv_cl(to_last(x))),
//
// and then sinks transposes towards the region's end: through elementwise
// ops (constants and other operands are transposed to match; constants
// fold), reductions (axes renumbered) and concats (axis renumbered). Two
// transposes that meet compose, and cancel when they are inverse: between
// two convolutions of one region no transpose is left, only at its borders
// (the graph inputs, ops without a channels-last form, and the graph
// outputs). Max and average pooling have one (`channels_last`), so the
// transposes sink through them too.
//
//===----------------------------------------------------------------------===//
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/OpClasses.h"
#include "passes/Passes.h"
#include "passes/TypeRefinement.h"
#include "passes/simplify/RuleUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_LAYOUT
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Marks the transposes this pass puts after a channels-last op, the ones
/// that sink. Removed when the pass ends.
constexpr llvm::StringLiteral kSinking = "kiln.layout_sinking";

/// The permutation from channels-last back to channels-first, [0, r-1,
/// 1..r-2]: the only transposes that sink. (Sinking the conversions made to
/// match them as well would undo the sinking, forever.)
bool isToChannelsFirst(ArrayRef<int64_t> perm) {
  int64_t r = perm.size();
  if (r < 3 || perm[0] != 0 || perm[1] != r - 1)
    return false;
  for (int64_t i = 2; i < r; ++i)
    if (perm[i] != i - 1)
      return false;
  return true;
}

/// The operand's transpose if it is a sinking one. With one spatial
/// dimension, to-first and to-last are the same permutation ([0, 2, 1]):
/// only the transposes this pass marked as sinking sink, not the
/// conversions made to match them.
TransposeOp sinkingTranspose(Value v) {
  auto t = v.getDefiningOp<TransposeOp>();
  if (!t || !isToChannelsFirst(t.getPerm()))
    return TransposeOp();
  bool selfInverse = t.getPerm().size() == 3;
  return !selfInverse || t->hasAttr(kSinking) ? t : TransposeOp();
}

Value transpose(PatternRewriter &r, Location loc, Value v, ArrayRef<int64_t> perm) {
  if (isIdentityPermutation(perm))
    return v;
  return TransposeOp::create(r, loc, v, perm);
}

/// `transpose`, marked as one that sinks further (kSinking).
Value sinking(PatternRewriter &r, Location loc, Value v, ArrayRef<int64_t> perm) {
  Value t = transpose(r, loc, v, perm);
  if (Operation *op = t.getDefiningOp<TransposeOp>(); op && t != v)
    op->setAttr(kSinking, r.getUnitAttr());
  return t;
}

/// Gives `op` the result types its type inference computes for its
/// (changed) operands and attributes.
LogicalResult reinferTypes(Operation *op) {
  SmallVector<Type> types;
  if (failed(inferResultTypes(op, types)))
    return failure();
  for (auto [result, type] : llvm::zip(op->getResults(), types))
    result.setType(type);
  return success();
}

/// conv(x) -> to_first(conv_cl(to_last(x))) for float and integer
/// convolutions with at least one spatial dimension.
struct ConvToChannelsLast : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op, PatternRewriter &r) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (op.getChannelsLast() || type.getRank() < 3 ||
        !isa<FloatType, IntegerType>(type.getElementType()))
      return failure();
    int64_t rank = type.getRank();
    SmallVector<int64_t> toLast = {0}, toFirst = {0, rank - 1};
    for (int64_t i = 2; i < rank; ++i)
      toLast.push_back(i);
    toLast.push_back(1);
    for (int64_t i = 1; i < rank - 1; ++i)
      toFirst.push_back(i);
    Value x = transpose(r, op.getLoc(), op.getInput(), toLast);
    auto conv = cast<ConvOp>(r.clone(*op));
    conv.getInputMutable().assign(x);
    conv.setChannelsLast(true);
    if (failed(reinferTypes(conv))) {
      r.eraseOp(conv);
      return failure();
    }
    r.replaceOp(op, sinking(r, op.getLoc(), conv.getResult(), toFirst));
    return success();
  }
};

/// transpose(transpose(x, p), q) -> transpose(x, p[q]), or x.
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &r) const override {
    Value composed = simplify::composeTransposes(r, op);
    if (!composed)
      return failure();
    simplify::replaceKeepingType(r, op, composed);
    return success();
  }
};

/// A transpose of `v` by `perm` that already exists before `op` (a value
/// the region converted at its border, such as a residual input).
Value existingTranspose(Value v, ArrayRef<int64_t> perm, Operation *op) {
  for (Operation *user : v.getUsers())
    if (auto t = dyn_cast<TransposeOp>(user))
      if (t->getBlock() == op->getBlock() && t->isBeforeInBlock(op) &&
          llvm::equal(t.getPerm(), perm))
        return t.getResult();
  return nullptr;
}

/// e(transpose(a, p), b...) -> transpose(e(a, b'...), p) where b' is b in
/// a's layout: the input of a transpose with the same permutation, a
/// rank-0 value as it is, a constant (rank-extended if it broadcasts with
/// fewer dimensions) transposed by the inverse permutation (folded later),
/// or an existing inverse transpose of b. Any other operand stops the
/// sinking: a new transpose of a computed value would only move the
/// border.
struct SinkThroughElementwise : RewritePattern {
  SinkThroughElementwise(MLIRContext *ctx) : RewritePattern(MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &r) const override {
    if (!isElementwise(op) || op->getNumResults() != 1)
      return failure();
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type)
      return failure();
    std::optional<SmallVector<int64_t>> perm;
    for (Value v : op->getOperands())
      if (auto t = sinkingTranspose(v)) {
        if (!perm)
          perm = SmallVector<int64_t>(t.getPerm());
        else if (!llvm::equal(*perm, t.getPerm()))
          return failure();
      }
    if (!perm || int64_t(perm->size()) != type.getRank())
      return failure();
    SmallVector<int64_t> inv = invertPermutationVector(*perm);
    SmallVector<Value> operands;
    for (Value v : op->getOperands()) {
      auto vt = cast<RankedTensorType>(v.getType());
      if (auto t = sinkingTranspose(v)) {
        operands.push_back(t.getInput());
      } else if (vt.getRank() == 0) {
        operands.push_back(v);
      } else if (v.getDefiningOp<ConstantOp>() && vt.hasStaticShape()) {
        operands.push_back(v);
      } else if (Value existing = existingTranspose(v, inv, op)) {
        operands.push_back(existing);
      } else {
        return failure();
      }
    }
    // Constants: extend to the full rank, then into a's layout (folded
    // by kiln-fold-constants).
    for (unsigned i = 0; i < operands.size(); ++i) {
      Value &v = operands[i];
      if (v != op->getOperand(i) || cast<RankedTensorType>(v.getType()).getRank() == 0)
        continue;
      auto vt = cast<RankedTensorType>(v.getType());
      if (vt.getRank() < type.getRank()) {
        SmallVector<int64_t> shape(type.getRank() - vt.getRank(), 1);
        llvm::append_range(shape, vt.getShape());
        v = simplify::reshapeTo(r, op->getLoc(), v, shape);
      }
      v = transpose(r, op->getLoc(), v, inv);
    }
    Operation *moved = r.clone(*op);
    moved->setOperands(operands);
    if (failed(reinferTypes(moved))) {
      r.eraseOp(moved);
      return failure();
    }
    r.replaceOp(op, sinking(r, op->getLoc(), moved->getResult(0), *perm));
    return success();
  }
};

/// reduce(transpose(a, p), axes) -> reduce(a, p[axes]) followed by the
/// transpose of what remains.
template <typename ReduceOp>
struct SinkThroughReduction : OpRewritePattern<ReduceOp> {
  using OpRewritePattern<ReduceOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ReduceOp op, PatternRewriter &r) const override {
    TransposeOp t = sinkingTranspose(op.getInput());
    if (!t || op.getDynamicAxes())
      return failure();
    ArrayRef<int64_t> perm = t.getPerm();
    int64_t rank = perm.size();
    SmallVector<int64_t> axes;
    llvm::SmallDenseSet<int64_t> reduced;
    for (int64_t a : op.getAxes()) {
      int64_t axis = a < 0 ? a + rank : a;
      if (axis < 0 || axis >= rank)
        return failure();
      axes.push_back(perm[axis]);
      reduced.insert(axis);
    }
    if (op.getAxes().empty())
      return failure(); // Reduces everything (or nothing): leave it.
    llvm::sort(axes);
    auto moved = cast<ReduceOp>(r.clone(*op));
    moved.getInputMutable().assign(t.getInput());
    moved.setAxes(axes);
    if (failed(reinferTypes(moved))) {
      r.eraseOp(moved);
      return failure();
    }
    SmallVector<int64_t> rest;
    if (op.getKeepdims()) {
      rest.assign(perm.begin(), perm.end());
    } else {
      // The kept dimensions of a, in a's order, renumbered.
      SmallVector<int64_t> kept;
      for (int64_t i = 0; i < rank; ++i)
        if (!reduced.contains(i))
          kept.push_back(perm[i]);
      SmallVector<int64_t> sorted(kept);
      llvm::sort(sorted);
      for (int64_t d : kept)
        rest.push_back(llvm::find(sorted, d) - sorted.begin());
    }
    r.replaceOp(op, sinking(r, op.getLoc(), moved.getResult(), rest));
    return success();
  }
};

/// pool(transpose(a, to_first)) -> transpose(pool_cl(a), to_first): pooling
/// has a channels-last form too, so it is no border of the region.
template <typename PoolOp>
struct SinkThroughPool : OpRewritePattern<PoolOp> {
  using OpRewritePattern<PoolOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOp op, PatternRewriter &r) const override {
    TransposeOp t = sinkingTranspose(op.getInput());
    if (!t || op.getChannelsLast())
      return failure();
    auto pool = cast<PoolOp>(r.clone(*op));
    pool.getInputMutable().assign(t.getInput());
    pool.setChannelsLast(true);
    if (failed(reinferTypes(pool))) {
      r.eraseOp(pool);
      return failure();
    }
    r.replaceOp(op, sinking(r, op.getLoc(), pool.getResult(), t.getPerm()));
    return success();
  }
};

/// concat(transpose(a_i, p)..., axis) -> transpose(concat(a_i..., p[axis]), p).
struct SinkThroughConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op, PatternRewriter &r) const override {
    std::optional<SmallVector<int64_t>> perm;
    SmallVector<Value> inputs;
    for (Value v : op.getInputs()) {
      TransposeOp t = sinkingTranspose(v);
      if (!t || (perm && !llvm::equal(*perm, t.getPerm())))
        return failure();
      perm = SmallVector<int64_t>(t.getPerm());
      inputs.push_back(t.getInput());
    }
    int64_t rank = perm->size();
    int64_t axis = op.getAxis() < 0 ? op.getAxis() + rank : op.getAxis();
    if (axis < 0 || axis >= rank)
      return failure();
    auto concat = ConcatOp::create(r, op.getLoc(), inputs, (*perm)[axis]);
    r.replaceOp(op, sinking(r, op.getLoc(), concat.getResult(), *perm));
    return success();
  }
};

struct LayoutPass : impl::LayoutBase<LayoutPass> {
  using LayoutBase::LayoutBase;
  void runOnOperation() override {
    if (layout == "nchw")
      return;
    if (layout != "nhwc") {
      getOperation().emitError("kiln-layout: unknown layout '")
          << layout << "' (expected nhwc or nchw)";
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<ConvToChannelsLast, ComposeTransposes, SinkThroughElementwise,
                 SinkThroughReduction<ReduceSumOp>, SinkThroughReduction<ReduceMeanOp>,
                 SinkThroughReduction<ReduceMaxOp>, SinkThroughReduction<ReduceMinOp>,
                 SinkThroughReduction<ReduceProdOp>, SinkThroughConcat,
                 SinkThroughPool<MaxPoolOp>, SinkThroughPool<AveragePoolOp>>(ctx);
    // The rewrites only move transposes down the graph, so they end; the
    // bound on rewrites keeps a mistake in that argument from hanging the
    // compiler (the graph stays correct wherever the rewriting stops).
    int64_t ops = 0;
    getOperation()->walk([&](Operation *) { ++ops; });
    GreedyRewriteConfig config;
    config.setMaxNumRewrites(64 * ops + 1024);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      getOperation().emitWarning("kiln-layout: rewriting did not converge");
    getOperation()->walk([](TransposeOp t) { t->removeAttr(kSinking); });
  }
};

} // namespace
} // namespace kiln

//===- DecomposeComposites.cpp - composite kiln ops to primitive ones -----===//
//
// The reference lowering of the ops the graph recognises (layer_norm, silu,
// attention): the primitive kiln ops that define them, which the linalg
// conversion then lowers. A backend with a better kernel for one of them
// handles it before this pass runs.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/Passes.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_DECOMPOSECOMPOSITES
#include "backends/linalg/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

Value i64Vector(OpBuilder &b, Location loc, ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(
      {int64_t(values.size())}, IntegerType::get(b.getContext(), 64, IntegerType::Signed));
  SmallVector<APInt> ints;
  for (int64_t v : values)
    ints.push_back(APInt(64, v, true));
  return ConstantOp::create(b, loc, cast<ElementsAttr>(DenseElementsAttr::get(type, ints)));
}

Value scalar(OpBuilder &b, Location loc, Type element, double x) {
  auto type = RankedTensorType::get({}, element);
  APFloat v(x);
  bool lost;
  v.convert(cast<FloatType>(element).getFloatSemantics(),
            APFloat::rmNearestTiesToEven, &lost);
  return ConstantOp::create(b, loc, cast<ElementsAttr>(DenseElementsAttr::get(type, v)));
}

struct DecomposeLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op, PatternRewriter &r) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> axes;
    for (int64_t a = op.getAxis(); a < type.getRank(); ++a)
      axes.push_back(a);
    auto axesAttr = r.getDenseI64ArrayAttr(axes);
    Value mean = ReduceMeanOp::create(r, loc, x, Value(), axesAttr, r.getBoolAttr(true));
    Value d = SubOp::create(r, loc, x, mean);
    Value sq = MulOp::create(r, loc, d, d);
    Value var = ReduceMeanOp::create(r, loc, sq, Value(), axesAttr, r.getBoolAttr(true));
    Value eps = scalar(r, loc, type.getElementType(), op.getEpsilon().convertToDouble());
    Value sd = SqrtOp::create(r, loc, AddOp::create(r, loc, var, eps));
    Value y = DivOp::create(r, loc, d, sd);
    if (op.getScale())
      y = MulOp::create(r, loc, y, op.getScale());
    if (op.getBias())
      y = AddOp::create(r, loc, y, op.getBias());
    r.replaceOp(op, y);
    return success();
  }
};

struct DecomposeSilu : OpRewritePattern<SiluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SiluOp op, PatternRewriter &r) const override {
    Value s = SigmoidOp::create(r, op.getLoc(), op.getInput());
    r.replaceOpWithNewOp<MulOp>(op, op.getInput(), s);
    return success();
  }
};

/// attention -> per-head reshapes and transposes, two batched matmuls and
/// a softmax, as the op's definition reads.
struct DecomposeAttention : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op, PatternRewriter &r) const override {
    Location loc = op.getLoc();
    int64_t h = op.getNumHeads();
    auto split = [&](Value v, ArrayRef<int64_t> perm) -> Value {
      Value heads = ReshapeOp::create(r, loc, v, i64Vector(r, loc, {0, 0, h, -1}));
      return TransposeOp::create(r, loc, heads, perm);
    };
    Value q = split(op.getQ(), {0, 2, 1, 3});
    // k^T as k's heads, then their last two dimensions swapped: a library
    // product folds the second transpose into its operand (no copy).
    Value kt = TransposeOp::create(r, loc, split(op.getK(), {0, 2, 1, 3}),
                                   ArrayRef<int64_t>{0, 1, 3, 2});
    Value v = split(op.getV(), {0, 2, 1, 3});
    auto element = cast<RankedTensorType>(op.getType()).getElementType();
    Value scores = MatMulOp::create(r, loc, q, kt);
    scores = MulOp::create(r, loc, scores,
                           scalar(r, loc, element, op.getScale().convertToDouble()));
    if (op.getMask())
      scores = AddOp::create(r, loc, scores, op.getMask());
    Value p = SoftmaxOp::create(r, loc, scores, r.getI64IntegerAttr(3));
    Value o = MatMulOp::create(r, loc, p, v);
    o = TransposeOp::create(r, loc, o, ArrayRef<int64_t>{0, 2, 1, 3});
    Value merged = ReshapeOp::create(r, loc, o, i64Vector(r, loc, {0, 0, -1}));
    merged.setType(op.getType());
    r.replaceOp(op, merged);
    return success();
  }
};

struct DecomposeCompositesPass
    : impl::DecomposeCompositesBase<DecomposeCompositesPass> {
  using DecomposeCompositesBase::DecomposeCompositesBase;

  void runOnOperation() override {
    for (const std::string &name : ops)
      if (name != "layer_norm" && name != "silu" && name != "attention") {
        getOperation().emitError()
            << "kiln-decompose-composites: unknown composite '" << name
            << "' (expected layer_norm, silu or attention)";
        return signalPassFailure();
      }
    auto wanted = [&](StringRef name) {
      return ops.empty() || llvm::is_contained(ops, name);
    };
    RewritePatternSet patterns(&getContext());
    if (wanted("layer_norm"))
      patterns.add<DecomposeLayerNorm>(&getContext());
    if (wanted("silu"))
      patterns.add<DecomposeSilu>(&getContext());
    if (wanted("attention"))
      patterns.add<DecomposeAttention>(&getContext());
    GreedyRewriteConfig config;
    config.setUseTopDownTraversal(true).enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace
} // namespace kiln

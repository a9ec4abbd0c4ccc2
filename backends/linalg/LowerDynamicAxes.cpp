//===- LowerDynamicAxes.cpp - reductions and (un)squeezes with run-time axes ===//
//
// When a model passes axes as a graph input, which dimensions an op touches
// is only known at run time; the result's rank is still known (from the
// number of axes). These lowerings decide per dimension at run time:
// reductions reduce dimension d or not (scf.if), and reshapes compute the
// result's sizes from the axes, then reshape.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {

SmallVector<Value> readDynamicAxes(OpBuilder &b, Location loc, Operation *op,
                                   Value axes, int64_t rank) {
  int64_t k = cast<RankedTensorType>(axes.getType()).getDimSize(0);
  SmallVector<Value> values;
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value r = arith::ConstantIndexOp::create(b, loc, rank);
  for (int64_t i = 0; i < k; ++i) {
    Value a = tensor::ExtractOp::create(
        b, loc, axes, ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
    a = arith::IndexCastOp::create(b, loc, b.getIndexType(), a);
    Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a, zero);
    a = arith::SelectOp::create(b, loc, neg, arith::AddIOp::create(b, loc, a, r),
                                a);
    Value ok = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, a, zero),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a, r));
    runtimeCheck(b, loc, op, ok, "axis out of range");
    values.push_back(a);
  }
  return values;
}

namespace {

/// For each of `rank` positions: is it one of `axes`? Also checks that the
/// axes name distinct positions.
SmallVector<Value> markedPositions(OpBuilder &b, Location loc, Operation *op,
                                   ArrayRef<Value> axes, int64_t rank) {
  SmallVector<Value> marked;
  Value count = arith::ConstantIndexOp::create(b, loc, 0);
  for (int64_t d = 0; d < rank; ++d) {
    Value m = arith::ConstantIntOp::create(b, loc, 0, 1);
    for (Value a : axes)
      m = arith::OrIOp::create(
          b, loc, m,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a,
                                arith::ConstantIndexOp::create(b, loc, d)));
    marked.push_back(m);
    count = arith::AddIOp::create(
        b, loc, count,
        arith::IndexCastOp::create(
            b, loc, b.getIndexType(),
            arith::ExtUIOp::create(b, loc, b.getI64Type(), m)));
  }
  Value distinct = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq, count,
      arith::ConstantIndexOp::create(b, loc, axes.size()));
  runtimeCheck(b, loc, op, distinct, "axes repeat an axis");
  return marked;
}

/// The sizes of the dimensions not marked, in order (`outRank` of them).
SmallVector<OpFoldResult> keptSizes(OpBuilder &b, Location loc,
                                    ArrayRef<OpFoldResult> dims,
                                    ArrayRef<Value> marked, int64_t outRank) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> out(outRank, zero);
  Value ordinal = zero; // kept dimensions before d
  for (size_t d = 0; d < dims.size(); ++d) {
    Value size = indexValue(b, loc, dims[d]);
    Value kept = arith::XOrIOp::create(
        b, loc, marked[d], arith::ConstantIntOp::create(b, loc, 1, 1));
    for (int64_t j = 0; j < outRank; ++j) {
      Value here = arith::AndIOp::create(
          b, loc, kept,
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, ordinal,
                                arith::ConstantIndexOp::create(b, loc, j)));
      out[j] = arith::SelectOp::create(b, loc, here, size, out[j]);
    }
    ordinal = arith::SelectOp::create(
        b, loc, kept, arith::AddIOp::create(b, loc, ordinal, one), ordinal);
  }
  return SmallVector<OpFoldResult>(out.begin(), out.end());
}

RankedTensorType allDynamic(Type t) {
  auto r = cast<RankedTensorType>(t);
  return RankedTensorType::get(SmallVector<int64_t>(r.getRank(), ShapedType::kDynamic),
                               r.getElementType());
}

template <typename OpTy>
struct DynamicReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getDynamicAxes())
      return rewriter.notifyMatchFailure(op, "static axes");
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    ReductionSpec spec = reductionSpec(b, loc, op);
    SmallVector<Value> axes =
        readDynamicAxes(b, loc, op, adaptor.getDynamicAxes(), rank);
    SmallVector<Value> marked = markedPositions(b, loc, op, axes, rank);
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    RankedTensorType dynType = allDynamic(x.getType());
    Value cur = castTo(b, loc, x, dynType);
    Value count = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t d = 0; d < rank; ++d) {
      auto ifOp = scf::IfOp::create(
          b, loc, marked[d],
          [&](OpBuilder &tb, Location l) {
            Value red = buildReduction(tb, l, cur, {d}, spec.init, spec.combine);
            SmallVector<OpFoldResult> kept = getDims(tb, l, cur);
            kept[d] = tb.getIndexAttr(1);
            Value back = reshapeTo(tb, l, red, kept, unitDimGroups(rank, {d}));
            scf::YieldOp::create(tb, l, castTo(tb, l, back, dynType));
          },
          [&](OpBuilder &eb, Location l) { scf::YieldOp::create(eb, l, cur); });
      cur = ifOp.getResult(0);
      count = arith::MulIOp::create(
          b, loc, count,
          arith::SelectOp::create(b, loc, marked[d],
                                  indexValue(b, loc, dims[d]),
                                  arith::ConstantIndexOp::create(b, loc, 1)));
    }
    if (spec.isMean)
      cur = divideByCount(b, loc, cur, count, spec.kind);
    if (!op.getKeepdims()) {
      int64_t outRank = rank - int64_t(axes.size());
      cur = reshapeTo(b, loc, cur, keptSizes(b, loc, dims, marked, outRank));
    }
    rewriter.replaceOp(op, castTo(b, loc, cur, toSignless(op.getType())));
    return success();
  }
};

struct DynamicSqueezeLowering : OpConversionPattern<SqueezeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getDynamicAxes())
      return rewriter.notifyMatchFailure(op, "static axes");
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    SmallVector<Value> axes =
        readDynamicAxes(b, loc, op, adaptor.getDynamicAxes(), rank);
    SmallVector<Value> marked = markedPositions(b, loc, op, axes, rank);
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t d = 0; d < rank; ++d) {
      Value isOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          indexValue(b, loc, dims[d]), one);
      Value ok = arith::OrIOp::create(
          b, loc, isOne,
          arith::XOrIOp::create(b, loc, marked[d],
                                arith::ConstantIntOp::create(b, loc, 1, 1)));
      runtimeCheck(b, loc, op, ok, "squeezed dimension is not 1");
    }
    int64_t outRank = rank - int64_t(axes.size());
    Value r = reshapeTo(b, loc, x, keptSizes(b, loc, dims, marked, outRank));
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct DynamicUnsqueezeLowering : OpConversionPattern<UnsqueezeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnsqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getDynamicAxes())
      return rewriter.notifyMatchFailure(op, "static axes");
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    int64_t outRank = op.getType().getRank();
    SmallVector<Value> axes =
        readDynamicAxes(b, loc, op, adaptor.getDynamicAxes(), outRank);
    SmallVector<Value> inserted = markedPositions(b, loc, op, axes, outRank);
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    SmallVector<OpFoldResult> out;
    Value before = zero; // inserted positions before p
    for (int64_t p = 0; p < outRank; ++p) {
      Value source = arith::SubIOp::create(
          b, loc, arith::ConstantIndexOp::create(b, loc, p), before);
      Value size = one;
      for (int64_t d = 0; d < rank; ++d)
        size = arith::SelectOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, source,
                                  arith::ConstantIndexOp::create(b, loc, d)),
            indexValue(b, loc, dims[d]), size);
      out.push_back(
          arith::SelectOp::create(b, loc, inserted[p], one, size).getResult());
      before = arith::SelectOp::create(
          b, loc, inserted[p], arith::AddIOp::create(b, loc, before, one),
          before);
    }
    Value r = reshapeTo(b, loc, x, out);
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

} // namespace

void populateDynamicAxesLowering(TypeConverter &converter,
                                 RewritePatternSet &patterns) {
  patterns.add<DynamicReduceLowering<ReduceSumOp>,
               DynamicReduceLowering<ReduceMeanOp>,
               DynamicReduceLowering<ReduceMaxOp>,
               DynamicReduceLowering<ReduceMinOp>,
               DynamicReduceLowering<ReduceProdOp>, DynamicSqueezeLowering,
               DynamicUnsqueezeLowering>(converter, patterns.getContext());
}

} // namespace kiln::lowering

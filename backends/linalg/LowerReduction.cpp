//===- LowerReduction.cpp - reduce_* to linalg ----------------------------===//
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {

ReductionSpec reductionSpec(OpBuilder &b, Location loc, Operation *op) {
  auto type = cast<RankedTensorType>(op->getOperand(0).getType());
  Type kiln = type.getElementType();
  Type t = toSignless(kiln);
  ElementKind k = kindOf(kiln);
  ReductionSpec spec;
  spec.kind = k;
  if (isa<ReduceSumOp, ReduceMeanOp>(op)) {
    spec.init = scalarConstant(b, loc, t, 0);
    spec.combine = [k](OpBuilder &gb, Location gl, Value v, Value acc) {
      return addScalars(gb, gl, k, v, acc);
    };
  } else if (isa<ReduceProdOp>(op)) {
    spec.init = scalarConstant(b, loc, t, 1);
    spec.combine = [k](OpBuilder &gb, Location gl, Value v, Value acc) {
      return mulScalars(gb, gl, k, v, acc);
    };
  } else if (isa<ReduceMaxOp>(op)) {
    spec.init = lowestValue(b, loc, t, k);
    spec.combine = [k](OpBuilder &gb, Location gl, Value v, Value acc) {
      return maxScalars(gb, gl, k, v, acc);
    };
  } else {
    spec.init = highestValue(b, loc, t, k);
    spec.combine = [k](OpBuilder &gb, Location gl, Value v, Value acc) {
      return minScalars(gb, gl, k, v, acc);
    };
  }
  spec.isMean = isa<ReduceMeanOp>(op);
  return spec;
}

Value divideByCount(OpBuilder &b, Location loc, Value r, Value count,
                    const ElementKind &k) {
  auto rt = cast<RankedTensorType>(r.getType());
  Type t = rt.getElementType();
  Value c = indexToElement(b, loc, count, t, k);
  SmallVector<OpFoldResult> dims = getDims(b, loc, r);
  Value init = emptyTensor(b, loc, dims, t);
  int64_t rank = rt.getRank();
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{r}, ValueRange{init},
             ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank),
                                 b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &gb, Location gl, ValueRange a) {
               Value q;
               if (k.isFloat)
                 q = arith::DivFOp::create(gb, gl, a[0], c);
               else if (k.isUnsigned)
                 q = arith::DivUIOp::create(gb, gl, a[0], c);
               else
                 q = arith::DivSIOp::create(gb, gl, a[0], c);
               linalg::YieldOp::create(gb, gl, q);
             })
      .getResult(0);
}

namespace {

enum class ReduceKind { Sum, Mean, Max, Min, Prod };

template <typename OpTy, ReduceKind kind>
struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getDynamicAxes())
      return rewriter.notifyMatchFailure(op, "axes known at run time");
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    Type kilnElement = type.getElementType();
    Type t = toSignless(kilnElement);
    ElementKind k = kindOf(kilnElement);
    ArrayRef<int64_t> axes = op.getAxes();
    if (axes.empty()) {
      rewriter.replaceOp(op, x);
      return success();
    }
    Value init;
    CombineFn combine;
    auto add = [&](OpBuilder &gb, Location gl, Value v, Value acc) {
      return addScalars(gb, gl, k, v, acc);
    };
    auto mul = [&](OpBuilder &gb, Location gl, Value v, Value acc) {
      return mulScalars(gb, gl, k, v, acc);
    };
    auto max = [&](OpBuilder &gb, Location gl, Value v, Value acc) {
      return maxScalars(gb, gl, k, v, acc);
    };
    auto min = [&](OpBuilder &gb, Location gl, Value v, Value acc) {
      return minScalars(gb, gl, k, v, acc);
    };
    switch (kind) {
    case ReduceKind::Sum:
    case ReduceKind::Mean:
      init = scalarConstant(b, loc, t, 0);
      combine = add;
      break;
    case ReduceKind::Prod:
      init = scalarConstant(b, loc, t, 1);
      combine = mul;
      break;
    case ReduceKind::Max:
      init = lowestValue(b, loc, t, k);
      combine = max;
      break;
    case ReduceKind::Min:
      init = highestValue(b, loc, t, k);
      combine = min;
      break;
    }
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    Value r = buildReduction(b, loc, x, axes, init, combine);
    if (kind == ReduceKind::Mean) {
      Value count = arith::ConstantIndexOp::create(b, loc, 1);
      for (int64_t a : axes)
        count = arith::MulIOp::create(b, loc, count, indexValue(b, loc, dims[a]));
      r = divideByCount(b, loc, r, count, k);
    }
    if (op.getKeepdims()) {
      SmallVector<OpFoldResult> kept;
      for (int64_t i = 0; i < int64_t(dims.size()); ++i)
        kept.push_back(llvm::is_contained(axes, i) ? b.getIndexAttr(1)
                                                   : dims[i]);
      r = reshapeTo(b, loc, r, kept, unitDimGroups(dims.size(), axes));
    }
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(type)));
    return success();
  }
};

} // namespace

void populateReductionLowering(TypeConverter &converter,
                               RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp, ReduceKind::Sum>,
               ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
               ReduceLowering<ReduceMaxOp, ReduceKind::Max>,
               ReduceLowering<ReduceMinOp, ReduceKind::Min>,
               ReduceLowering<ReduceProdOp, ReduceKind::Prod>>(
      converter, patterns.getContext());
}

} // namespace kiln::lowering

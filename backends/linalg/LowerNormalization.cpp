//===- LowerNormalization.cpp - batch norm and softmax to linalg ----------===//
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank();
    // Per-channel vectors read as [C, 1, ..., 1] so they broadcast along
    // dimension 1.
    SmallVector<Value> operands = {adaptor.getInput()};
    for (Value v : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                    adaptor.getVariance()}) {
      SmallVector<OpFoldResult> dims = getDims(b, loc, v);
      dims.append(rank - 2, b.getIndexAttr(1));
      SmallVector<ReassociationIndices> groups(1);
      for (int64_t i = 0; i < rank - 1; ++i)
        groups[0].push_back(i);
      operands.push_back(rank > 2 ? reshapeTo(b, loc, v, dims, groups) : v);
    }
    double eps = op.getEpsilon().convertToDouble();
    Value r = buildElementwise(
        b, loc, op, operands, type.getShape(), type.getElementType(),
        [&](OpBuilder &gb, Location gl, ValueRange a) {
          Type t = a[0].getType();
          Value var = arith::AddFOp::create(gb, gl, a[4],
                                            scalarConstant(gb, gl, t, eps));
          Value inv = arith::DivFOp::create(gb, gl, a[1],
                                            math::SqrtOp::create(gb, gl, var));
          Value centered = arith::SubFOp::create(gb, gl, a[0], a[3]);
          Value scaled = arith::MulFOp::create(gb, gl, centered, inv);
          return (Value)arith::AddFOp::create(gb, gl, scaled, a[2]);
        });
    rewriter.replaceOp(op, castTo(b, loc, r, type));
    return success();
  }
};

/// softmax(x) = exp(x - max) / sum(exp(x - max)); log_softmax(x) =
/// x - max - log(sum(exp(x - max))). The max keeps exp from overflowing.
template <typename OpTy, bool isLog>
struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    Type t = type.getElementType();
    ElementKind kind = kindOf(t);
    int64_t rank = type.getRank(), axis = op.getAxis();
    MLIRContext *ctx = b.getContext();
    Value max = buildReduction(b, loc, x, {axis}, lowestValue(b, loc, t, kind),
                               [&](OpBuilder &gb, Location gl, Value v,
                                   Value acc) {
                                 return maxScalars(gb, gl, kind, v, acc);
                               });
    AffineMap id = b.getMultiDimIdentityMap(rank);
    AffineMap reduced = dropDimsMap(ctx, rank, {axis});
    SmallVector<utils::IteratorType> par(rank, utils::IteratorType::parallel);
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    // e = exp(x - max) and its sum in one pass.
    SmallVector<utils::IteratorType> iters = par;
    iters[axis] = utils::IteratorType::reduction;
    Value zero = scalarConstant(b, loc, t, 0);
    SmallVector<OpFoldResult> sumDims(dims);
    sumDims.erase(sumDims.begin() + axis);
    Value sumInit = filledTensor(b, loc, sumDims, zero);
    Value sum = linalg::GenericOp::create(
                    b, loc, TypeRange{sumInit.getType()}, ValueRange{x, max},
                    ValueRange{sumInit}, ArrayRef<AffineMap>{id, reduced, reduced},
                    iters,
                    [&](OpBuilder &gb, Location gl, ValueRange a) {
                      Value e = math::ExpOp::create(
                          gb, gl, arith::SubFOp::create(gb, gl, a[0], a[1]));
                      linalg::YieldOp::create(
                          gb, gl, arith::AddFOp::create(gb, gl, e, a[2]).getResult());
                    })
                    .getResult(0);
    Value init = emptyTensor(b, loc, dims, t);
    Value out =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{x, max, sum},
            ValueRange{init}, ArrayRef<AffineMap>{id, reduced, reduced, id},
            par,
            [&](OpBuilder &gb, Location gl, ValueRange a) {
              Value shifted = arith::SubFOp::create(gb, gl, a[0], a[1]);
              Value r;
              if (isLog)
                r = arith::SubFOp::create(gb, gl, shifted,
                                          math::LogOp::create(gb, gl, a[2]));
              else
                r = arith::DivFOp::create(
                    gb, gl, math::ExpOp::create(gb, gl, shifted), a[2]);
              linalg::YieldOp::create(gb, gl, r);
            })
            .getResult(0);
    rewriter.replaceOp(op, castTo(b, loc, out, type));
    return success();
  }
};

/// Hardmax: 1 at the first maximum along the axis, 0 elsewhere.
struct HardmaxLowering : OpConversionPattern<HardmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(HardmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(op.getType());
    Type t = type.getElementType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    SmallVector<OpFoldResult> reducedDims(dims);
    reducedDims.erase(reducedDims.begin() + axis);
    Value bestInit = filledTensor(b, loc, reducedDims,
                                  lowestValue(b, loc, t, kindOf(t)));
    Value indexInit = filledTensor(b, loc, reducedDims,
                                   arith::ConstantIndexOp::create(b, loc, -1));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters[axis] = utils::IteratorType::reduction;
    AffineMap reduced = dropDimsMap(ctx, rank, {axis});
    auto arg = linalg::GenericOp::create(
        b, loc, TypeRange{bestInit.getType(), indexInit.getType()},
        ValueRange{x}, ValueRange{bestInit, indexInit},
        ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank), reduced, reduced},
        iters, [&](OpBuilder &gb, Location gl, ValueRange a) {
          Value better = arith::CmpFOp::create(gb, gl, arith::CmpFPredicate::OGT,
                                               a[0], a[1]);
          Value none = arith::CmpIOp::create(
              gb, gl, arith::CmpIPredicate::slt, a[2],
              arith::ConstantIndexOp::create(gb, gl, 0));
          Value take = arith::OrIOp::create(gb, gl, better, none);
          Value j = linalg::IndexOp::create(gb, gl, axis);
          linalg::YieldOp::create(
              gb, gl,
              ValueRange{arith::SelectOp::create(gb, gl, take, a[0], a[1]),
                         arith::SelectOp::create(gb, gl, take, j, a[2])});
        });
    Value index = arg.getResult(1);
    Value init = emptyTensor(b, loc, dims, t);
    Value out =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{index},
            ValueRange{init},
            ArrayRef<AffineMap>{reduced, b.getMultiDimIdentityMap(rank)},
            SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
            [&](OpBuilder &gb, Location gl, ValueRange a) {
              Value j = linalg::IndexOp::create(gb, gl, axis);
              Value hit = arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::eq,
                                                j, a[0]);
              linalg::YieldOp::create(
                  gb, gl,
                  arith::SelectOp::create(gb, gl, hit, scalarConstant(gb, gl, t, 1),
                                          scalarConstant(gb, gl, t, 0))
                      .getResult());
            })
            .getResult(0);
    rewriter.replaceOp(op, castTo(b, loc, out, type));
    return success();
  }
};

} // namespace

void populateNormalizationLowering(TypeConverter &converter,
                                   RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>, HardmaxLowering>(
      converter, patterns.getContext());
}

} // namespace kiln::lowering

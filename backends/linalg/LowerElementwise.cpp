//===- LowerElementwise.cpp - unary, binary, clip and cast to linalg ------===//
//
// Every elementwise op becomes one linalg.generic over the broadcast shape;
// this file only says what each op computes on scalars.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

/// Scalar semantics of each elementwise op, on signless values; `k` is the
/// kind of the op's kiln element type.
struct Scalar {
  OpBuilder &b;
  Location loc;
  ElementKind k;

  Value zero(Type t) { return scalarConstant(b, loc, t, 0); }
  Value one(Type t) { return scalarConstant(b, loc, t, 1); }

  Value compute(ReluOp, ValueRange a) {
    return maxScalars(b, loc, k, a[0], zero(a[0].getType()));
  }
  Value compute(SigmoidOp, ValueRange a) {
    Value neg = arith::NegFOp::create(b, loc, a[0]);
    Value e = math::ExpOp::create(b, loc, neg);
    Value d = arith::AddFOp::create(b, loc, one(e.getType()), e);
    return arith::DivFOp::create(b, loc, one(e.getType()), d);
  }
  Value compute(TanhOp, ValueRange a) { return math::TanhOp::create(b, loc, a[0]); }
  Value compute(ExpOp, ValueRange a) { return math::ExpOp::create(b, loc, a[0]); }
  Value compute(LogOp, ValueRange a) { return math::LogOp::create(b, loc, a[0]); }
  Value compute(SqrtOp, ValueRange a) { return math::SqrtOp::create(b, loc, a[0]); }
  Value compute(ErfOp, ValueRange a) { return math::ErfOp::create(b, loc, a[0]); }
  Value compute(NegOp, ValueRange a) {
    if (k.isFloat)
      return arith::NegFOp::create(b, loc, a[0]);
    return arith::SubIOp::create(b, loc, zero(a[0].getType()), a[0]);
  }
  Value compute(AbsOp, ValueRange a) {
    if (k.isFloat)
      return math::AbsFOp::create(b, loc, a[0]);
    if (k.isUnsigned)
      return a[0];
    return math::AbsIOp::create(b, loc, a[0]);
  }
  Value compute(AddOp, ValueRange a) { return addScalars(b, loc, k, a[0], a[1]); }
  Value compute(SubOp, ValueRange a) {
    if (k.isFloat)
      return arith::SubFOp::create(b, loc, a[0], a[1]);
    return arith::SubIOp::create(b, loc, a[0], a[1]);
  }
  Value compute(MulOp, ValueRange a) { return mulScalars(b, loc, k, a[0], a[1]); }
  Value compute(DivOp, ValueRange a) {
    if (k.isFloat)
      return arith::DivFOp::create(b, loc, a[0], a[1]);
    if (k.isUnsigned)
      return arith::DivUIOp::create(b, loc, a[0], a[1]);
    return arith::DivSIOp::create(b, loc, a[0], a[1]);
  }
  Value compute(MinOp, ValueRange a) { return minScalars(b, loc, k, a[0], a[1]); }
  Value compute(MaxOp, ValueRange a) { return maxScalars(b, loc, k, a[0], a[1]); }
};

/// Lowers a unary or binary elementwise op through `Scalar::compute`.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    Type kilnElement =
        cast<RankedTensorType>(op->getOperand(0).getType()).getElementType();
    Location loc = op.getLoc();
    Value r = buildElementwise(
        rewriter, loc, op, adaptor.getOperands(), type.getShape(),
        toSignless(type.getElementType()),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Scalar s{b, l, kindOf(kilnElement)};
          return s.compute(op, args);
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, r, toSignless(type)));
    return success();
  }
};

/// A TypedAttr bound of kiln element type as a signless arith constant.
static Value boundConstant(OpBuilder &b, Location loc, TypedAttr bound) {
  Type t = toSignless(bound.getType());
  if (auto i = dyn_cast<IntegerAttr>(bound))
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, i.getValue()));
  return arith::ConstantOp::create(b, loc, bound);
}

struct ClipLowering : OpConversionPattern<ClipOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ClipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    ElementKind k = kindOf(type.getElementType());
    Location loc = op.getLoc();
    Value r = buildElementwise(
        rewriter, loc, op, adaptor.getInput(), type.getShape(),
        toSignless(type.getElementType()),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value x = a[0];
          if (auto lo = op.getMinAttr())
            x = maxScalars(b, l, k, x, boundConstant(b, l, lo));
          if (auto hi = op.getMaxAttr())
            x = minScalars(b, l, k, x, boundConstant(b, l, hi));
          return x;
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, r, toSignless(type)));
    return success();
  }
};

struct LeakyReluLowering : OpConversionPattern<LeakyReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LeakyReluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Location loc = op.getLoc();
    double alpha = op.getAlpha().convertToDouble();
    Value r = buildElementwise(
        rewriter, loc, op, adaptor.getInput(), type.getShape(),
        type.getElementType(), [&](OpBuilder &b, Location l, ValueRange a) {
          Type t = a[0].getType();
          Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                            a[0], scalarConstant(b, l, t, 0));
          Value scaled = arith::MulFOp::create(
              b, l, a[0], scalarConstant(b, l, t, alpha));
          return arith::SelectOp::create(b, l, neg, scaled, a[0]);
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, r, type));
    return success();
  }
};

struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Type from = op.getInput().getType().getElementType();
    Type to = type.getElementType();
    Location loc = op.getLoc();
    Value r = buildElementwise(
        rewriter, loc, op, adaptor.getInput(), type.getShape(),
        toSignless(to), [&](OpBuilder &b, Location l, ValueRange a) {
          return castScalar(b, l, a[0], from, to);
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, r, toSignless(type)));
    return success();
  }
};

/// Pow: float bases use powf with the exponent converted to the base type;
/// integer bases compute in f64 (exact for the integers a power can hold)
/// and convert back, which also covers float exponents of integer bases.
struct PowLowering : OpConversionPattern<PowOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PowOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Type base = op.getLhs().getType().getElementType();
    Type exp = op.getRhs().getType().getElementType();
    Location loc = op.getLoc();
    Value r = buildElementwise(
        rewriter, loc, op, adaptor.getOperands(), type.getShape(),
        toSignless(base), [&](OpBuilder &b, Location l, ValueRange a) {
          if (kindOf(base).isFloat) {
            Value e = castScalar(b, l, a[1], exp, base);
            return (Value)math::PowFOp::create(b, l, a[0], e);
          }
          Type f64 = b.getF64Type();
          Value x = castScalar(b, l, a[0], base, f64);
          Value e = castScalar(b, l, a[1], exp, f64);
          Value p = math::PowFOp::create(b, l, x, e);
          return castScalar(b, l, p, f64, base);
        });
    rewriter.replaceOp(op, castTo(rewriter, loc, r, toSignless(type)));
    return success();
  }
};

} // namespace

void populateElementwiseLowering(TypeConverter &converter,
                                 RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ElementwiseLowering<ReluOp>, ElementwiseLowering<SigmoidOp>,
               ElementwiseLowering<TanhOp>, ElementwiseLowering<ExpOp>,
               ElementwiseLowering<LogOp>, ElementwiseLowering<SqrtOp>,
               ElementwiseLowering<ErfOp>, ElementwiseLowering<NegOp>,
               ElementwiseLowering<AbsOp>, ElementwiseLowering<AddOp>,
               ElementwiseLowering<SubOp>, ElementwiseLowering<MulOp>,
               ElementwiseLowering<DivOp>, ElementwiseLowering<MinOp>,
               ElementwiseLowering<MaxOp>, ClipLowering, LeakyReluLowering,
               CastLowering, PowLowering>(converter, ctx);
}

} // namespace kiln::lowering

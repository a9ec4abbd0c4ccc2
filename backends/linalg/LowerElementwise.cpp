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

#include <cmath>

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
  /// Integer division and remainder never trap: x86 raises SIGFPE for a
  /// zero divisor and for INT_MIN / -1, and the data, not the model, decides
  /// whether that happens. A zero divisor gives 0 (numpy's answer); -1 is
  /// computed as a negation (wrapping, as numpy does). Only the divisor
  /// selects are added, and they vectorise.
  Value isIntConst(Value v, int64_t value) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v,
                                 c(v.getType(), double(value)));
  }
  /// The divisor with its trapping values replaced by 1.
  Value safeDivisor(Value d) {
    Value bad = isIntConst(d, 0);
    if (!k.isUnsigned)
      bad = arith::OrIOp::create(b, loc, bad, isIntConst(d, -1));
    return select(bad, c(d.getType(), 1), d);
  }
  Value compute(DivOp, ValueRange a) {
    if (k.isFloat)
      return arith::DivFOp::create(b, loc, a[0], a[1]);
    Value zero = c(a[0].getType(), 0);
    Value d = safeDivisor(a[1]);
    Value q = k.isUnsigned ? Value(arith::DivUIOp::create(b, loc, a[0], d))
                           : Value(arith::DivSIOp::create(b, loc, a[0], d));
    if (!k.isUnsigned)
      q = select(isIntConst(a[1], -1),
                 arith::SubIOp::create(b, loc, zero, a[0]), q);
    return select(isIntConst(a[1], 0), zero, q);
  }
  Value compute(MinOp, ValueRange a) { return minScalars(b, loc, k, a[0], a[1]); }
  Value compute(MaxOp, ValueRange a) { return maxScalars(b, loc, k, a[0], a[1]); }

  Value c(Type t, double v) { return scalarConstant(b, loc, t, v); }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  Value fcmp(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value fmul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value fadd(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value fsub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value fdiv(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value exp(Value x) { return math::ExpOp::create(b, loc, x); }
  /// x < 0 (or x <= 0) for the kind.
  Value isNegative(Value x, bool orZero = false) {
    if (k.isFloat)
      return fcmp(orZero ? arith::CmpFPredicate::OLE : arith::CmpFPredicate::OLT,
                  x, c(x.getType(), 0));
    return arith::CmpIOp::create(
        b, loc, orZero ? arith::CmpIPredicate::sle : arith::CmpIPredicate::slt,
        x, c(x.getType(), 0));
  }

  Value compute(CeilOp, ValueRange a) { return math::CeilOp::create(b, loc, a[0]); }
  Value compute(FloorOp, ValueRange a) { return math::FloorOp::create(b, loc, a[0]); }
  Value compute(RoundOp, ValueRange a) { return math::RoundEvenOp::create(b, loc, a[0]); }
  Value compute(SinOp, ValueRange a) { return math::SinOp::create(b, loc, a[0]); }
  Value compute(CosOp, ValueRange a) { return math::CosOp::create(b, loc, a[0]); }
  Value compute(TanOp, ValueRange a) { return math::TanOp::create(b, loc, a[0]); }
  Value compute(AsinOp, ValueRange a) { return math::AsinOp::create(b, loc, a[0]); }
  Value compute(AcosOp, ValueRange a) { return math::AcosOp::create(b, loc, a[0]); }
  Value compute(AtanOp, ValueRange a) { return math::AtanOp::create(b, loc, a[0]); }
  Value compute(SinhOp, ValueRange a) { return math::SinhOp::create(b, loc, a[0]); }
  Value compute(CoshOp, ValueRange a) { return math::CoshOp::create(b, loc, a[0]); }
  Value compute(AsinhOp, ValueRange a) { return math::AsinhOp::create(b, loc, a[0]); }
  Value compute(AcoshOp, ValueRange a) { return math::AcoshOp::create(b, loc, a[0]); }
  Value compute(AtanhOp, ValueRange a) { return math::AtanhOp::create(b, loc, a[0]); }
  Value compute(ReciprocalOp, ValueRange a) {
    return fdiv(c(a[0].getType(), 1), a[0]);
  }
  Value compute(SoftplusOp, ValueRange a) {
    Value e = exp(a[0]);
    return math::LogOp::create(b, loc, fadd(e, c(e.getType(), 1)));
  }
  Value compute(SoftsignOp, ValueRange a) {
    Value d = fadd(c(a[0].getType(), 1), math::AbsFOp::create(b, loc, a[0]));
    return fdiv(a[0], d);
  }
  Value hardSigmoid(Value x, double alpha, double beta) {
    Type t = x.getType();
    Value y = fadd(fmul(x, c(t, alpha)), c(t, beta));
    return arith::MinimumFOp::create(
        b, loc, arith::MaximumFOp::create(b, loc, y, c(t, 0)), c(t, 1));
  }
  Value compute(HardSwishOp, ValueRange a) {
    return fmul(a[0], hardSigmoid(a[0], 1.0 / 6.0, 0.5));
  }
  Value compute(MishOp, ValueRange a) {
    Value sp = compute(SoftplusOp(), a);
    return fmul(a[0], math::TanhOp::create(b, loc, sp));
  }
  Value compute(SignOp, ValueRange a) {
    Type t = a[0].getType();
    Value zero = c(t, 0);
    if (k.isFloat) {
      Value pos = fcmp(arith::CmpFPredicate::OGT, a[0], zero);
      Value neg = fcmp(arith::CmpFPredicate::OLT, a[0], zero);
      return select(pos, c(t, 1), select(neg, c(t, -1), a[0]));
    }
    Value pos = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, a[0],
                                      zero);
    if (k.isUnsigned)
      return select(pos, c(t, 1), zero);
    Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a[0],
                                      zero);
    return select(neg, c(t, -1), select(pos, c(t, 1), zero));
  }
  Value compute(NotOp, ValueRange a) {
    return arith::XOrIOp::create(b, loc, a[0], c(a[0].getType(), 1));
  }
  Value compute(BitwiseNotOp, ValueRange a) {
    return arith::XOrIOp::create(b, loc, a[0], c(a[0].getType(), -1));
  }
  Value compute(EluOp op, ValueRange a) {
    Type t = a[0].getType();
    Value negative = fmul(c(t, op.getAlpha().convertToDouble()),
                          fsub(exp(a[0]), c(t, 1)));
    return select(isNegative(a[0]), negative, a[0]);
  }
  Value compute(SeluOp op, ValueRange a) {
    Type t = a[0].getType();
    Value negative = fmul(c(t, op.getAlpha().convertToDouble()),
                          fsub(exp(a[0]), c(t, 1)));
    return fmul(c(t, op.getGamma().convertToDouble()),
                select(isNegative(a[0], true), negative, a[0]));
  }
  Value compute(CeluOp op, ValueRange a) {
    Type t = a[0].getType();
    double alpha = op.getAlpha().convertToDouble();
    Value e = fmul(c(t, alpha), fsub(exp(fdiv(a[0], c(t, alpha))), c(t, 1)));
    return fadd(arith::MaximumFOp::create(b, loc, a[0], c(t, 0)),
                arith::MinimumFOp::create(b, loc, e, c(t, 0)));
  }
  Value compute(HardSigmoidOp op, ValueRange a) {
    return hardSigmoid(a[0], op.getAlpha().convertToDouble(),
                       op.getBeta().convertToDouble());
  }
  Value compute(ThresholdedReluOp op, ValueRange a) {
    Type t = a[0].getType();
    Value above = fcmp(arith::CmpFPredicate::OGT, a[0],
                       c(t, op.getAlpha().convertToDouble()));
    return select(above, a[0], c(t, 0));
  }
  Value compute(ShrinkOp op, ValueRange a) {
    Type t = a[0].getType();
    double lambd = op.getLambd().convertToDouble();
    double bias = op.getBias().convertToDouble();
    Value x = a[0];
    if (!k.isFloat) {
      // Integers compare and shift exactly in their own type.
      auto pred = k.isUnsigned ? arith::CmpIPredicate::ult
                               : arith::CmpIPredicate::slt;
      auto gpred = k.isUnsigned ? arith::CmpIPredicate::ugt
                                : arith::CmpIPredicate::sgt;
      Value below = arith::CmpIOp::create(b, loc, pred, x, c(t, -lambd));
      Value above = arith::CmpIOp::create(b, loc, gpred, x, c(t, lambd));
      Value plus = arith::AddIOp::create(b, loc, x, c(t, bias));
      Value minus = arith::SubIOp::create(b, loc, x, c(t, bias));
      return select(below, plus, select(above, minus, c(t, 0)));
    }
    Value below = fcmp(arith::CmpFPredicate::OLT, x, c(t, -lambd));
    Value above = fcmp(arith::CmpFPredicate::OGT, x, c(t, lambd));
    return select(below, fadd(x, c(t, bias)),
                  select(above, fsub(x, c(t, bias)), c(t, 0)));
  }
  Value compute(GeluOp op, ValueRange a) {
    Type t = a[0].getType();
    Value x = a[0];
    Value inner;
    if (op.getTanhApproximation()) {
      Value cube = fmul(fmul(x, x), x);
      Value u = fmul(c(t, std::sqrt(2.0 / M_PI)),
                     fadd(x, fmul(c(t, 0.044715), cube)));
      inner = math::TanhOp::create(b, loc, u);
    } else {
      inner = math::ErfOp::create(b, loc, fmul(x, c(t, M_SQRT1_2)));
    }
    return fmul(fmul(c(t, 0.5), x), fadd(c(t, 1), inner));
  }

  Value compute(ModOp op, ValueRange a) {
    if (k.isFloat)
      return arith::RemFOp::create(b, loc, a[0], a[1]);
    // A zero divisor gives 0, and x % -1 is 0: the safe divisor 1 gives
    // both without the trap (see safeDivisor).
    Value zero = c(a[0].getType(), 0);
    Value safe = safeDivisor(a[1]);
    if (k.isUnsigned)
      return arith::RemUIOp::create(b, loc, a[0], safe);
    Value r = arith::RemSIOp::create(b, loc, a[0], safe);
    if (op.getFmod())
      return r;
    // Python's %: a nonzero remainder takes the divisor's sign.
    Value nonzero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r,
                                          zero);
    Value rNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r,
                                       zero);
    Value dNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a[1],
                                       zero);
    Value differ = arith::XOrIOp::create(b, loc, rNeg, dNeg);
    Value fix = arith::AndIOp::create(b, loc, nonzero, differ);
    return select(fix, arith::AddIOp::create(b, loc, r, a[1]), r);
  }
  Value compute(PReluOp, ValueRange a) {
    Value scaled = mulScalars(b, loc, k, a[0], a[1]);
    return select(isNegative(a[0]), scaled, a[0]);
  }
  Value compute(AndOp, ValueRange a) { return arith::AndIOp::create(b, loc, a[0], a[1]); }
  Value compute(OrOp, ValueRange a) { return arith::OrIOp::create(b, loc, a[0], a[1]); }
  Value compute(XorOp, ValueRange a) { return arith::XOrIOp::create(b, loc, a[0], a[1]); }
  Value compute(BitwiseAndOp, ValueRange a) { return arith::AndIOp::create(b, loc, a[0], a[1]); }
  Value compute(BitwiseOrOp, ValueRange a) { return arith::OrIOp::create(b, loc, a[0], a[1]); }
  Value compute(BitwiseXorOp, ValueRange a) { return arith::XOrIOp::create(b, loc, a[0], a[1]); }
  Value compute(BitShiftOp op, ValueRange a) {
    // Shifting by the width or more gives 0 in ONNX (numpy); LLVM says
    // poison, so clamp explicitly.
    Type t = a[0].getType();
    Value tooFar = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                         a[1], c(t, k.width));
    Value shifted = op.getRight()
                        ? (Value)arith::ShRUIOp::create(b, loc, a[0], a[1])
                        : (Value)arith::ShLIOp::create(b, loc, a[0], a[1]);
    return select(tooFar, c(t, 0), shifted);
  }
  Value compare(arith::CmpFPredicate f, arith::CmpIPredicate s,
                arith::CmpIPredicate u, ValueRange a) {
    if (k.isFloat)
      return fcmp(f, a[0], a[1]);
    return arith::CmpIOp::create(b, loc, k.isUnsigned ? u : s, a[0], a[1]);
  }
  Value compute(EqualOp, ValueRange a) {
    return compare(arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq,
                   arith::CmpIPredicate::eq, a);
  }
  Value compute(LessOp, ValueRange a) {
    return compare(arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt,
                   arith::CmpIPredicate::ult, a);
  }
  Value compute(LessEqualOp, ValueRange a) {
    return compare(arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle,
                   arith::CmpIPredicate::ule, a);
  }
  Value compute(GreaterOp, ValueRange a) {
    return compare(arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt,
                   arith::CmpIPredicate::ugt, a);
  }
  Value compute(GreaterEqualOp, ValueRange a) {
    return compare(arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge,
                   arith::CmpIPredicate::uge, a);
  }
  Value compute(WhereOp, ValueRange a) { return select(a[0], a[1], a[2]); }
  Value compute(IsNaNOp, ValueRange a) {
    return fcmp(arith::CmpFPredicate::UNO, a[0], a[0]);
  }
  Value compute(IsInfOp op, ValueRange a) {
    Type t = a[0].getType();
    const llvm::fltSemantics &sem = cast<FloatType>(t).getFloatSemantics();
    Value posInf = arith::ConstantOp::create(
        b, loc, b.getFloatAttr(t, APFloat::getInf(sem, false)));
    Value negInf = arith::ConstantOp::create(
        b, loc, b.getFloatAttr(t, APFloat::getInf(sem, true)));
    Value r = c(b.getI1Type(), 0);
    if (op.getDetectPositive())
      r = arith::OrIOp::create(b, loc, r,
                               fcmp(arith::CmpFPredicate::OEQ, a[0], posInf));
    if (op.getDetectNegative())
      r = arith::OrIOp::create(b, loc, r,
                               fcmp(arith::CmpFPredicate::OEQ, a[0], negInf));
    return r;
  }
};

/// Lowers a unary or binary elementwise op through `Scalar::compute`.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    // The arithmetic follows the data operands' type (for `where`, the
    // values', not the condition's).
    Value data = op->getOperand(isa<WhereOp>(op.getOperation()) ? 1 : 0);
    Type kilnElement = cast<RankedTensorType>(data.getType()).getElementType();
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

/// A float as bfloat16 by keeping the high 16 bits of its f32 value
/// (kiln.cast's truncate_bf16); NaN becomes the quiet NaN 0x7fc0, since
/// dropping the low bits of a NaN could leave infinity.
Value truncateToBf16(OpBuilder &b, Location loc, Value v, Type from) {
  Value f32 = castScalar(b, loc, v, from, b.getF32Type());
  Value bits = arith::BitcastOp::create(b, loc, b.getI32Type(), f32);
  Value high = arith::TruncIOp::create(
      b, loc, b.getI16Type(),
      arith::ShRUIOp::create(b, loc, bits,
                             arith::ConstantIntOp::create(b, loc, 16, 32)));
  Value nan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, f32, f32);
  Value quiet = arith::ConstantIntOp::create(b, loc, 0x7fc0, 16);
  return arith::BitcastOp::create(b, loc, b.getBF16Type(),
                                  arith::SelectOp::create(b, loc, nan, quiet, high));
}

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
          if (op.getTruncateBf16())
            return truncateToBf16(b, l, a[0], from);
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
  patterns.add<
      ElementwiseLowering<CeilOp>, ElementwiseLowering<FloorOp>,
      ElementwiseLowering<RoundOp>, ElementwiseLowering<SinOp>,
      ElementwiseLowering<CosOp>, ElementwiseLowering<TanOp>,
      ElementwiseLowering<AsinOp>, ElementwiseLowering<AcosOp>,
      ElementwiseLowering<AtanOp>, ElementwiseLowering<SinhOp>,
      ElementwiseLowering<CoshOp>, ElementwiseLowering<AsinhOp>,
      ElementwiseLowering<AcoshOp>, ElementwiseLowering<AtanhOp>,
      ElementwiseLowering<ReciprocalOp>, ElementwiseLowering<SoftplusOp>,
      ElementwiseLowering<SoftsignOp>, ElementwiseLowering<HardSwishOp>,
      ElementwiseLowering<MishOp>, ElementwiseLowering<SignOp>,
      ElementwiseLowering<NotOp>, ElementwiseLowering<BitwiseNotOp>,
      ElementwiseLowering<EluOp>, ElementwiseLowering<SeluOp>,
      ElementwiseLowering<CeluOp>, ElementwiseLowering<HardSigmoidOp>,
      ElementwiseLowering<ThresholdedReluOp>, ElementwiseLowering<ShrinkOp>,
      ElementwiseLowering<GeluOp>, ElementwiseLowering<ModOp>,
      ElementwiseLowering<PReluOp>, ElementwiseLowering<AndOp>,
      ElementwiseLowering<OrOp>, ElementwiseLowering<XorOp>,
      ElementwiseLowering<BitwiseAndOp>, ElementwiseLowering<BitwiseOrOp>,
      ElementwiseLowering<BitwiseXorOp>, ElementwiseLowering<BitShiftOp>,
      ElementwiseLowering<EqualOp>, ElementwiseLowering<LessOp>,
      ElementwiseLowering<LessEqualOp>, ElementwiseLowering<GreaterOp>,
      ElementwiseLowering<GreaterEqualOp>, ElementwiseLowering<WhereOp>,
      ElementwiseLowering<IsNaNOp>, ElementwiseLowering<IsInfOp>>(converter,
                                                                  ctx);
}

} // namespace kiln::lowering

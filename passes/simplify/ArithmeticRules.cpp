//===- ArithmeticRules.cpp - algebraic rules on elementwise ops -----------===//
//
// Each rule says in one line why it is right. Unless marked fast-math, a
// rule gives bit-identical results (or differs only in re-association or
// the sign of a zero result); fast-math rules are only added when the
// user asks (--fast-math).
//
//===----------------------------------------------------------------------===//
#include "dialects/kiln/ConstantUtils.h"
#include "passes/Folding.h"
#include "passes/simplify/Rule.h"
#include "passes/simplify/RuleUtils.h"

#include <cmath>

using namespace mlir;

namespace kiln::simplify {
namespace {

bool isZero(Value v) {
  std::optional<double> s = splatValue(v);
  return s && *s == 0.0;
}

bool sameType(Value a, Value b) { return a.getType() == b.getType(); }

bool isConstant(Value v) { return bool(getConstantValue(v)); }

bool hasOneUse(Value v) { return v.hasOneUse(); }

/// Element type of a tensor value.
Type elementOf(Value v) { return cast<RankedTensorType>(v.getType()).getElementType(); }

/// For a commutative binary op: calls fn(x, other) with each operand
/// order; succeeds at the first that does.
template <typename OpTy, typename F>
LogicalResult eitherOrder(OpTy op, F fn) {
  if (succeeded(fn(op.getLhs(), op.getRhs())))
    return success();
  return fn(op.getRhs(), op.getLhs());
}

/// True if every value of `from` converts to `to` exactly (so a cast
/// through `to` loses nothing).
bool representsExactly(Type from, Type to) {
  if (from == to)
    return true;
  if (from.isInteger(1))
    return true; // 0 and 1 exist in every type.
  auto ff = dyn_cast<FloatType>(from), ft = dyn_cast<FloatType>(to);
  if (ff && ft)
    return ft.getFPMantissaWidth() >= ff.getFPMantissaWidth() &&
           ft.getWidth() > ff.getWidth() && !(ff.isBF16() && ft.isF16());
  auto fi = dyn_cast<IntegerType>(from), ti = dyn_cast<IntegerType>(to);
  if (fi && ti && !ti.isSignless()) {
    if (fi.isUnsigned() == ti.isUnsigned())
      return ti.getWidth() >= fi.getWidth();
    return fi.isUnsigned() && ti.getWidth() > fi.getWidth();
  }
  if (fi && ft) // Integers up to the float's significand width.
    return int(fi.getWidth()) - (fi.isUnsigned() ? 0 : 1) <=
           int(ft.getFPMantissaWidth());
  return false;
}

/// A splat constant of `type` (static) holding x.
Value splatConstant(PatternRewriter &r, Location loc, RankedTensorType type,
                    double x) {
  Value s = scalarConstant(r, loc, type.getElementType(), x);
  auto attr = cast<DenseElementsAttr>(getConstantValue(s));
  r.eraseOp(s.getDefiningOp());
  return ConstantOp::create(r, loc, cast<ElementsAttr>(attr.resizeSplat(type)));
}

/// A splat constant of the op's result type, if static.
FailureOr<Value> splatOfResult(PatternRewriter &r, Operation *op, double x) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (!type.hasStaticShape())
    return failure();
  return splatConstant(r, op->getLoc(), type, x);
}

/// Evaluates the new op on constants now; if that is impossible, removes
/// it again and returns null (so a pattern can fail without leaving IR).
Value evaluatedOrErased(PatternRewriter &r, Operation *op) {
  Value v = foldNow(r, op);
  if (isConstant(v))
    return v;
  r.eraseOp(v.getDefiningOp());
  return nullptr;
}

void addIdentityRules(RewritePatternSet &p) {
  // x + 0 -> x: equal, except -0 + +0 = +0 (which compares equal to -0).
  addRule<AddOp>(p, "add-zero", [](AddOp op, PatternRewriter &r) {
    return eitherOrder(op, [&](Value x, Value c) -> LogicalResult {
      if (!sameType(x, op) || !isZero(c))
        return failure();
      r.replaceOp(op, x);
      return success();
    });
  });
  // x - 0 -> x: subtracting zero never changes a value (up to -0 - -0).
  addRule<SubOp>(p, "sub-zero", [](SubOp op, PatternRewriter &r) {
    if (!sameType(op.getLhs(), op) || !isZero(op.getRhs()))
      return failure();
    r.replaceOp(op, op.getLhs());
    return success();
  });
  // x * 1 -> x: exact in IEEE and in integers.
  addRule<MulOp>(p, "mul-one", [](MulOp op, PatternRewriter &r) {
    return eitherOrder(op, [&](Value x, Value c) -> LogicalResult {
      if (!sameType(x, op) || !isSplatOf(c, 1.0))
        return failure();
      r.replaceOp(op, x);
      return success();
    });
  });
  // x / 1 -> x: exact.
  addRule<DivOp>(p, "div-one", [](DivOp op, PatternRewriter &r) {
    if (!sameType(op.getLhs(), op) || !isSplatOf(op.getRhs(), 1.0))
      return failure();
    r.replaceOp(op, op.getLhs());
    return success();
  });
  // x ^ 1 -> x: exact.
  addRule<PowOp>(p, "pow-one", [](PowOp op, PatternRewriter &r) {
    if (!sameType(op.getLhs(), op) || !isSplatOf(op.getRhs(), 1.0))
      return failure();
    r.replaceOp(op, op.getLhs());
    return success();
  });
  // clip without bounds -> x: it clamps nothing.
  addRule<ClipOp>(p, "clip-unbounded", [](ClipOp op, PatternRewriter &r) {
    if (op.getMinAttr() || op.getMaxAttr())
      return failure();
    r.replaceOp(op, op.getInput());
    return success();
  });
  // where(all true, a, b) -> a and where(all false, a, b) -> b.
  addRule<WhereOp>(p, "where-constant-condition", [](WhereOp op, PatternRewriter &r) {
    std::optional<double> c = splatValue(op.getCondition());
    if (!c)
      return failure();
    Value pick = *c != 0 ? op.getLhs() : op.getRhs();
    if (!sameType(pick, op))
      return failure();
    r.replaceOp(op, pick);
    return success();
  });
  // max(x, x), min(x, x), and(x, x), or(x, x) -> x: idempotent.
  auto idempotent = [](auto op, PatternRewriter &r) -> LogicalResult {
    if (op.getLhs() != op.getRhs() || !sameType(op.getLhs(), op))
      return failure();
    r.replaceOp(op, op.getLhs());
    return success();
  };
  addRule<MaxOp>(p, "idempotent-max", idempotent);
  addRule<MinOp>(p, "idempotent-min", idempotent);
  addRule<AndOp>(p, "idempotent-and", idempotent);
  addRule<OrOp>(p, "idempotent-or", idempotent);
}

void addStrengthRules(RewritePatternSet &p) {
  // x * -1 -> -x: exact (negation only flips the sign bit).
  addRule<MulOp>(p, "mul-minus-one", [](MulOp op, PatternRewriter &r) {
    return eitherOrder(op, [&](Value x, Value c) -> LogicalResult {
      if (!sameType(x, op) || !isSplatOf(c, -1.0))
        return failure();
      auto e = elementOf(x);
      if (auto i = dyn_cast<IntegerType>(e); i && i.isUnsigned())
        return failure();
      r.replaceOpWithNewOp<NegOp>(op, x);
      return success();
    });
  });
  // x / 2^k -> x * 2^-k: both are the correctly rounded x * 2^-k.
  addRule<DivOp>(p, "div-power-of-two", [](DivOp op, PatternRewriter &r) {
    if (!isFloatTensor(op.getLhs()))
      return failure();
    std::optional<double> c = splatValue(op.getRhs());
    if (!c || *c == 0 || !std::isfinite(*c))
      return failure();
    int exp;
    double mantissa = std::frexp(*c, &exp);
    if (std::fabs(mantissa) != 0.5 || exp - 1 > 126 || exp - 1 < -126)
      return failure();
    // Same shape as the divisor, so the broadcast is unchanged.
    Value inv = splatConstant(r, op.getLoc(),
                              cast<RankedTensorType>(op.getRhs().getType()), 1.0 / *c);
    replaceKeepingType(r, op, MulOp::create(r, op.getLoc(), op.getLhs(), inv));
    return success();
  });
  // x ^ 2 -> x * x: the product is correctly rounded, pow's need not be.
  addRule<PowOp>(p, "pow-two", [](PowOp op, PatternRewriter &r) {
    if (!sameType(op.getLhs(), op) || !isSplatOf(op.getRhs(), 2.0))
      return failure();
    r.replaceOpWithNewOp<MulOp>(op, op.getLhs(), op.getLhs());
    return success();
  });
  // x ^ 0.5 -> sqrt(x): equal for x >= 0 and NaN for x < 0 (except -0, -inf).
  addRule<PowOp>(p, "pow-half", [](PowOp op, PatternRewriter &r) {
    if (!sameType(op.getLhs(), op) || !isFloatTensor(op.getLhs()) ||
        !isSplatOf(op.getRhs(), 0.5))
      return failure();
    r.replaceOpWithNewOp<SqrtOp>(op, op.getLhs());
    return success();
  });
  // x ^ -1 -> 1 / x: pow(x, -1) is the correctly rounded reciprocal.
  addRule<PowOp>(p, "pow-minus-one", [](PowOp op, PatternRewriter &r) {
    if (!sameType(op.getLhs(), op) || !isFloatTensor(op.getLhs()) ||
        !isSplatOf(op.getRhs(), -1.0))
      return failure();
    r.replaceOpWithNewOp<ReciprocalOp>(op, op.getLhs());
    return success();
  });
}

void addSignRules(RewritePatternSet &p) {
  // -(-x) -> x: two sign flips.
  addRule<NegOp>(p, "neg-neg", [](NegOp op, PatternRewriter &r) {
    auto inner = op.getInput().getDefiningOp<NegOp>();
    if (!inner)
      return failure();
    r.replaceOp(op, inner.getInput());
    return success();
  });
  // a + (-b) -> a - b: IEEE defines subtraction as adding the negation.
  addRule<AddOp>(p, "add-neg", [](AddOp op, PatternRewriter &r) {
    return eitherOrder(op, [&](Value a, Value nb) -> LogicalResult {
      auto neg = nb.getDefiningOp<NegOp>();
      if (!neg)
        return failure();
      replaceKeepingType(r, op, SubOp::create(r, op.getLoc(), a, neg.getInput()));
      return success();
    });
  });
  // a - (-b) -> a + b: same identity.
  addRule<SubOp>(p, "sub-neg", [](SubOp op, PatternRewriter &r) {
    auto neg = op.getRhs().getDefiningOp<NegOp>();
    if (!neg)
      return failure();
    replaceKeepingType(r, op, AddOp::create(r, op.getLoc(), op.getLhs(), neg.getInput()));
    return success();
  });
  // (-a) * (-b) -> a * b: the signs cancel exactly.
  addRule<MulOp>(p, "neg-times-neg", [](MulOp op, PatternRewriter &r) {
    auto a = op.getLhs().getDefiningOp<NegOp>(), b = op.getRhs().getDefiningOp<NegOp>();
    if (!a || !b)
      return failure();
    replaceKeepingType(r, op, MulOp::create(r, op.getLoc(), a.getInput(), b.getInput()));
    return success();
  });
  // relu(relu(x)) -> relu(x): idempotent.
  addRule<ReluOp>(p, "relu-relu", [](ReluOp op, PatternRewriter &r) {
    if (!op.getInput().getDefiningOp<ReluOp>())
      return failure();
    r.replaceOp(op, op.getInput());
    return success();
  });
  // |(|x|)| -> |x| and |-x| -> |x|: the sign is dropped anyway.
  addRule<AbsOp>(p, "abs-abs", [](AbsOp op, PatternRewriter &r) {
    if (!op.getInput().getDefiningOp<AbsOp>())
      return failure();
    r.replaceOp(op, op.getInput());
    return success();
  });
  addRule<AbsOp>(p, "abs-neg", [](AbsOp op, PatternRewriter &r) {
    auto neg = op.getInput().getDefiningOp<NegOp>();
    if (!neg)
      return failure();
    r.replaceOpWithNewOp<AbsOp>(op, neg.getInput());
    return success();
  });
  // relu(clip(x, lo >= 0, hi)) -> clip(x, lo, hi): already non-negative.
  addRule<ReluOp>(p, "relu-of-clip", [](ReluOp op, PatternRewriter &r) {
    auto clip = op.getInput().getDefiningOp<ClipOp>();
    auto lo = clip ? dyn_cast_or_null<FloatAttr>(clip.getMinAttr()) : FloatAttr();
    if (!lo || lo.getValueAsDouble() < 0)
      return failure();
    r.replaceOp(op, clip.getResult());
    return success();
  });
  // clip(relu(x), lo >= 0, hi) -> clip(x, lo, hi): max(max(x, 0), lo) = max(x, lo).
  addRule<ClipOp>(p, "clip-of-relu", [](ClipOp op, PatternRewriter &r) {
    auto relu = op.getInput().getDefiningOp<ReluOp>();
    auto lo = dyn_cast_or_null<FloatAttr>(op.getMinAttr());
    if (!relu || !lo || lo.getValueAsDouble() < 0)
      return failure();
    r.modifyOpInPlace(op, [&] { op.getInputMutable().assign(relu.getInput()); });
    return success();
  });
}

void addReassociationRules(RewritePatternSet &p) {
  // x - c -> x + (-c): IEEE subtraction is addition of the negation; the
  // add form lets constant chains re-associate.
  addRule<SubOp>(p, "sub-constant", [](SubOp op, PatternRewriter &r) {
    Value c = op.getRhs();
    if (!isConstant(c) || isConstant(op.getLhs()))
      return failure();
    if (auto i = dyn_cast<IntegerType>(elementOf(c)); i && i.isUnsigned())
      return failure();
    Value neg = evaluatedOrErased(r, NegOp::create(r, op.getLoc(), c));
    if (!neg)
      return failure();
    replaceKeepingType(r, op, AddOp::create(r, op.getLoc(), op.getLhs(), neg));
    return success();
  });
  // (x * c1) * c2 -> x * (c1 * c2) and (x + c1) + c2 -> x + (c1 + c2):
  // re-association of constants.
  auto reassociate = [](auto op, PatternRewriter &r) -> LogicalResult {
    using OpTy = decltype(op);
    return eitherOrder(op, [&](Value inner, Value c2) -> LogicalResult {
      auto in = inner.getDefiningOp<OpTy>();
      if (!in || !hasOneUse(inner) || !isConstant(c2))
        return failure();
      return eitherOrder(in, [&](Value x, Value c1) -> LogicalResult {
        if (!isConstant(c1) || isConstant(x))
          return failure();
        Value c = evaluatedOrErased(r, OpTy::create(r, op.getLoc(), c1, c2));
        if (!c)
          return failure();
        replaceKeepingType(r, op, OpTy::create(r, op.getLoc(), x, c));
        return success();
      });
    });
  };
  addRule<MulOp>(p, "mul-constant-reassociation", reassociate);
  addRule<AddOp>(p, "add-constant-reassociation", reassociate);
  // a * b + a * c -> a * (b + c): one multiplication fewer (factorisation).
  addRule<AddOp>(p, "factorise", [](AddOp op, PatternRewriter &r) {
    auto m1 = op.getLhs().getDefiningOp<MulOp>(), m2 = op.getRhs().getDefiningOp<MulOp>();
    if (!m1 || !m2 || m1 == m2 || !hasOneUse(m1) || !hasOneUse(m2))
      return failure();
    for (auto [a1, b] : {std::pair(m1.getLhs(), m1.getRhs()), {m1.getRhs(), m1.getLhs()}})
      for (auto [a2, c] : {std::pair(m2.getLhs(), m2.getRhs()), {m2.getRhs(), m2.getLhs()}})
        if (a1 == a2) {
          Value sum = AddOp::create(r, op.getLoc(), b, c);
          sum = foldNow(r, sum.getDefiningOp());
          replaceKeepingType(r, op, MulOp::create(r, op.getLoc(), a1, sum));
          return success();
        }
    return failure();
  });
}

void addCastRules(RewritePatternSet &p) {
  // cast(cast(x, T1), T2) -> cast(x, T2) when T1 holds every value of x's
  // type exactly: the intermediate step loses nothing.
  addRule<CastOp>(p, "cast-chain", [](CastOp op, PatternRewriter &r) {
    auto inner = op.getInput().getDefiningOp<CastOp>();
    if (!inner || !representsExactly(elementOf(inner.getInput()), inner.getTo()))
      return failure();
    if (elementOf(inner.getInput()) == op.getTo()) {
      r.replaceOp(op, inner.getInput());
      return success();
    }
    auto merged = r.replaceOpWithNewOp<CastOp>(op, inner.getInput(), op.getTo());
    // The inner cast was exact, so the outer one's rounding still applies.
    merged.setTruncateBf16(op.getTruncateBf16());
    return success();
  });
}

void addFastMathRules(RewritePatternSet &p) {
  // fast-math: x * 0 -> 0 (wrong for x = inf or NaN, and for the sign of 0).
  addRule<MulOp>(p, "fast-mul-zero", [](MulOp op, PatternRewriter &r) {
    if (!isZero(op.getLhs()) && !isZero(op.getRhs()))
      return failure();
    auto z = splatOfResult(r, op, 0.0);
    if (failed(z))
      return failure();
    r.replaceOp(op, *z);
    return success();
  });
  // fast-math: x - x -> 0 (wrong for inf and NaN).
  addRule<SubOp>(p, "fast-sub-self", [](SubOp op, PatternRewriter &r) {
    if (op.getLhs() != op.getRhs())
      return failure();
    auto z = splatOfResult(r, op, 0.0);
    if (failed(z))
      return failure();
    r.replaceOp(op, *z);
    return success();
  });
  // fast-math: x / c -> x * (1 / c) for any constant c (1/c is rounded).
  addRule<DivOp>(p, "fast-div-constant", [](DivOp op, PatternRewriter &r) {
    if (!isFloatTensor(op.getLhs()) || !isConstant(op.getRhs()) ||
        isConstant(op.getLhs()))
      return failure();
    Value inv = evaluatedOrErased(r, ReciprocalOp::create(r, op.getLoc(), op.getRhs()));
    if (!inv)
      return failure();
    replaceKeepingType(r, op, MulOp::create(r, op.getLoc(), op.getLhs(), inv));
    return success();
  });
}

} // namespace

void populateArithmeticRules(RewritePatternSet &patterns, const RuleOptions &options) {
  addIdentityRules(patterns);
  addStrengthRules(patterns);
  addSignRules(patterns);
  addReassociationRules(patterns);
  addCastRules(patterns);
  if (options.fastMath)
    addFastMathRules(patterns);
}

} // namespace kiln::simplify

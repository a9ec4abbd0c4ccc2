//===- SelectIntegerProducts.cpp - int8 products through oneDNN -----------===//
//
// The importer writes MatMulInteger, QLinearMatMul, ConvInteger and
// QLinearConv as si32 products of widened 8-bit values minus their zero
// points: kiln.matmul(cast(A) - za, cast(B) - zb), kiln.conv(cast(X) - zx,
// W'), where constant folding may have turned a weight and its zero point
// into one si32 constant. Generated code runs those as 32-bit loops; oneDNN
// runs u8 x s8 -> s32 on the host's int8 units (VNNI, AMX), ~60x faster
// here. These patterns put each such product into the integer form of
// kiln_lib.matmul / kiln_lib.conv2d (KilnLibOps.td) and do the zero points'
// arithmetic around it, exactly (si32 wraps as the products do):
//
//   (A' - za')(B' - zb') = A'B' - zb' * rowsum(A') - za' * colsum(B' - zb')
//
// where A' = A as u8 (an s8 A plus 128, za' = za + 128), B' = B as s8 (a
// u8 B minus 128; a constant's columns shifted into s8 range, the shift in
// zb'). A constant B gets B', zb' and its column sums at compile time;
// za' and zb' may be per row and per column. Convolutions take the input's
// zero point in oneDNN (it pads with it, as ONNX does), and need a filter
// whose values fit s8 (symmetric weights: the usual quantisation, and any
// u8 filter whose zero point is 128); others stay in generated code. A
// convolution whose result the graph requantizes to 8 bits (QLinearConv,
// QDQ) takes that requantization into the library call too
// (matchRequantization). A product's rows and batch, a convolution's batch,
// height and width may be known only at run time (LibraryCallSizes.h sizes
// the output); weights, zero points and channels may not.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/SelectIntegerProducts.h"
#include "backends/cpu/LibraryCallSizes.h"
#include "backends/cpu/Passes.h"
#include "backends/library/IR/KilnLibDialect.h"
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "passes/Folding.h"
#include "passes/simplify/RuleUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace kiln::cpu {
namespace {

Type intType(MLIRContext *ctx, unsigned width, bool isSigned) {
  return IntegerType::get(ctx, width, isSigned ? IntegerType::Signed
                                               : IntegerType::Unsigned);
}

Type elementOf(Value v) { return cast<ShapedType>(v.getType()).getElementType(); }

RankedTensorType staticTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() ? t : RankedTensorType();
}

/// Products' factors may have sizes known only at run time (a batch or a
/// sequence axis); weights and zero points may not.
RankedTensorType rankedTensor(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

bool hasElement(Value v, unsigned width) {
  auto t = rankedTensor(v);
  auto e = t ? dyn_cast<IntegerType>(t.getElementType()) : IntegerType();
  return e && e.getWidth() == width && !e.isSignless();
}

/// `v`, looking through kernel boundaries: a kiln.fused body's argument is
/// the kernel's operand, a kernel's result the value its body yields. (The
/// pass runs after kernels are inlined; the kernel report asks
/// integerLibraryCanRun about ops inside kernels.)
Value seen(Value v) {
  while (v) {
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      auto fused = dyn_cast_or_null<FusedOp>(arg.getOwner()->getParentOp());
      if (!fused)
        return v;
      v = fused.getInputs()[arg.getArgNumber()];
    } else if (auto fused = v.getDefiningOp<FusedOp>()) {
      v = fused.getBody().front().getTerminator()->getOperand(
          cast<OpResult>(v).getResultNumber());
    } else {
      return v;
    }
  }
  return v;
}

/// `v` as a constant where it is an op on constants (zero points: they are
/// small), else `v`.
Value folded(PatternRewriter &r, Value v) {
  Operation *op = v.getDefiningOp();
  return op && op->getNumResults() == 1 ? foldNow(r, op) : v;
}

/// One factor of an integer product as the importer wrote it: `wide` =
/// cast(raw) (si32 of an 8-bit `raw`), the operand `wide - zero` (no zero:
/// the operand is `wide`). The simplifier writes a constant's subtraction
/// as the addition of its negation: then `zero` is that addend, `negated`.
struct Factor {
  Value raw, wide, zero;
  bool negated = false;
  bool isSigned() const {
    return cast<IntegerType>(rankedTensor(raw).getElementType()).isSigned();
  }
  /// The zero point's values, if it is a constant (none: nullopt).
  std::optional<SmallVector<int64_t>> zeroValues() const {
    auto values = getConstantIntValues(zero);
    if (values && negated)
      for (int64_t &x : *values)
        x = -x;
    return values;
  }
  /// The zero point as a value (null for none).
  Value zeroValue(PatternRewriter &r, Location loc) const {
    if (!zero || !negated)
      return zero;
    return folded(r, NegOp::create(r, loc, zero));
  }
};

/// `v` as a Factor, if it is one whose zero point does not vary along the
/// dimension `fromEnd` places from the end (the contracted one; 0: no
/// such condition).
std::optional<Factor> factorOf(Value v, int64_t fromEnd) {
  v = seen(v);
  if (!hasElement(v, 32))
    return std::nullopt;
  Factor f;
  f.wide = v;
  auto isWide = [](Value x) {
    auto c = x.getDefiningOp<CastOp>();
    return c && hasElement(seen(c.getInput()), 8);
  };
  if (auto sub = v.getDefiningOp<SubOp>()) {
    f.wide = seen(sub.getLhs());
    f.zero = seen(sub.getRhs());
  } else if (auto add = v.getDefiningOp<AddOp>()) {
    Value lhs = seen(add.getLhs()), rhs = seen(add.getRhs());
    f.wide = isWide(lhs) ? lhs : rhs;
    f.zero = isWide(lhs) ? rhs : lhs;
    f.negated = true;
  }
  if (f.zero) {
    auto z = staticTensor(f.zero);
    if (!z || !hasElement(f.zero, 32) ||
        z.getRank() > rankedTensor(v).getRank() ||
        (fromEnd > 0 && z.getRank() >= fromEnd &&
         z.getDimSize(z.getRank() - fromEnd) != 1))
      return std::nullopt;
  }
  if (!isWide(f.wide) || !hasElement(f.wide, 32))
    return std::nullopt;
  f.raw = seen(f.wide.getDefiningOp<CastOp>().getInput());
  return f;
}

Value constantOf(PatternRewriter &r, Location loc, ArrayRef<int64_t> shape,
                 Type element, ArrayRef<int32_t> values) {
  auto type = RankedTensorType::get(shape, element);
  return ConstantOp::create(r, loc, type, DenseElementsAttr::get(type, values));
}

Value scalarI32(PatternRewriter &r, Location loc, int32_t x) {
  return constantOf(r, loc, {}, intType(r.getContext(), 32, true), {x});
}

/// `wide + delta` as an 8-bit tensor of the given signedness (the values
/// are known to fit).
Value shiftedTo8Bits(PatternRewriter &r, Location loc, Value wide,
                     int32_t delta, bool toSigned) {
  Value sum = AddOp::create(r, loc, wide, scalarI32(r, loc, delta));
  return CastOp::create(r, loc, sum, intType(r.getContext(), 8, toSigned));
}

/// `zero + delta`, or `delta` without a zero point.
Value shiftedZero(PatternRewriter &r, Location loc, Value zero, int32_t delta) {
  Value d = scalarI32(r, loc, delta);
  return zero ? folded(r, AddOp::create(r, loc, zero, d)) : d;
}

/// A left factor as u8 with its zero point (null for none).
std::pair<Value, Value> unsignedLhs(PatternRewriter &r, Location loc,
                                    const Factor &f) {
  Value zero = f.zeroValue(r, loc);
  if (!f.isSigned())
    return {f.raw, zero};
  return {shiftedTo8Bits(r, loc, f.wide, 128, false),
          shiftedZero(r, loc, zero, 128)};
}

/// The values of a constant right operand [K, N], if it has one: a folded
/// si32 constant, or an 8-bit constant minus a constant zero point that is
/// one value or one per column.
std::optional<SmallVector<int64_t>> constantRhsValues(Value v, int64_t k,
                                                      int64_t n) {
  if (auto values = getConstantIntValues(seen(v)))
    return values;
  auto f = factorOf(v, 2);
  if (!f)
    return std::nullopt;
  auto values = getConstantIntValues(f->raw);
  if (!values)
    return std::nullopt;
  if (!f->zero)
    return values;
  auto zero = f->zeroValues();
  if (!zero || (zero->size() != 1 && int64_t(zero->size()) != n))
    return std::nullopt;
  for (int64_t i = 0; i < k * n; ++i)
    (*values)[i] -= (*zero)[zero->size() == 1 ? 0 : i % n];
  return values;
}

/// How a right operand [..., K, N] becomes s8: a constant matrix (`values`
/// with the zero point subtracted, read when it is built) or an 8-bit
/// factor given at run time.
struct RightPlan {
  bool constant = false;
  std::optional<SmallVector<int64_t>> values; ///< read only when folded
  std::optional<Factor> factor;
};

/// Whether every column of the [K, N] `values` spans at most 256 values
/// (fits s8 after a shift).
bool columnsFitS8(ArrayRef<int64_t> values, int64_t k, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int64_t i = 0; i < k; ++i) {
      lo = std::min(lo, values[i * n + j]);
      hi = std::max(hi, values[i * n + j]);
    }
    if (hi - lo > 255)
      return false;
  }
  return true;
}

/// The plan, without reading a weight's bytes where the form guarantees
/// the fit: the kernel report asks about every product several times.
std::optional<RightPlan> planRight(Value v) {
  RankedTensorType t = staticTensor(v);
  if (!t)
    return std::nullopt;
  int64_t rank = t.getRank(), k = t.getDimSize(rank - 2),
          n = t.getDimSize(rank - 1);
  RightPlan plan;
  // A folded si32 constant (small: exact folding stops at 2^16 elements)
  // is checked column by column.
  if (rank == 2 && (plan.values = getConstantIntValues(seen(v)))) {
    plan.constant = true;
    if (!columnsFitS8(*plan.values, k, n))
      return std::nullopt;
    return plan;
  }
  plan.factor = factorOf(v, 2);
  if (!plan.factor)
    return std::nullopt;
  // A constant 8-bit matrix minus a constant zero point (one, or one per
  // column): each column spans at most 256 values by construction.
  auto zeroCount = [&] {
    return plan.factor->zero ? staticTensor(plan.factor->zero).getNumElements()
                             : 1;
  };
  plan.constant = rank == 2 && getConstantValue(plan.factor->raw) &&
                  (!plan.factor->zero || getConstantValue(plan.factor->zero)) &&
                  (zeroCount() == 1 || zeroCount() == n);
  return plan;
}

/// An s8 kiln.constant of `values` in `shape`.
Value s8Constant(PatternRewriter &r, Location loc, ArrayRef<int64_t> shape,
                 ArrayRef<int64_t> values) {
  SmallVector<int8_t> bytes(values.begin(), values.end());
  auto type = RankedTensorType::get(shape, intType(r.getContext(), 8, true));
  return ConstantOp::create(
      r, loc, type,
      DenseElementsAttr::getFromRawBuffer(
          type, ArrayRef<char>(reinterpret_cast<char *>(bytes.data()),
                               bytes.size())));
}

/// B' (s8), zb' (null for none) and colsum(B' - zb') of a right operand.
struct RightFactor {
  Value s8, zero, columnSums;
};

RightFactor buildRight(PatternRewriter &r, Location loc, Value v,
                       RightPlan &plan) {
  MLIRContext *ctx = r.getContext();
  Type si32 = intType(ctx, 32, true);
  RankedTensorType t = staticTensor(v);
  int64_t rank = t.getRank(), k = t.getDimSize(rank - 2),
          n = t.getDimSize(rank - 1);
  RightFactor rf;
  if (plan.constant && !plan.values)
    plan.values = constantRhsValues(v, k, n); // none: an unreadable blob
  if (plan.values) {
    // A constant matrix: everything at compile time, each column shifted
    // into s8 range when it is not there already.
    SmallVector<int64_t> &values = *plan.values;
    SmallVector<int32_t> shift(n, 0), sums(n, 0);
    for (int64_t j = 0; j < n; ++j) {
      int64_t lo = INT64_MAX, hi = INT64_MIN, sum = 0;
      for (int64_t i = 0; i < k; ++i) {
        int64_t x = values[i * n + j];
        lo = std::min(lo, x);
        hi = std::max(hi, x);
        sum += x;
      }
      if (lo < -128 || hi > 127)
        shift[j] = int32_t(-128 - lo);
      sums[j] = int32_t(sum);
    }
    for (int64_t i = 0; i < k * n; ++i)
      values[i] += shift[i % n];
    rf.s8 = s8Constant(r, loc, {k, n}, values);
    if (llvm::any_of(shift, [](int32_t s) { return s != 0; }))
      rf.zero = constantOf(r, loc, {1, n}, si32, shift);
    rf.columnSums = constantOf(r, loc, {1, n}, si32, sums);
    return rf;
  }
  const Factor &f = *plan.factor;
  rf.s8 = f.raw;
  rf.zero = f.zeroValue(r, loc);
  if (!f.isSigned()) {
    rf.s8 = shiftedTo8Bits(r, loc, f.wide, -128, true);
    rf.zero = shiftedZero(r, loc, rf.zero, -128);
  }
  rf.columnSums = ReduceSumOp::create(r, loc, v, Value(),
                                      ArrayRef<int64_t>{rank - 2}, true);
  return rf;
}

/// Whether an operand's leading dimensions broadcast to the result's and its
/// rank is 2 or the result's (kiln_lib.matmul's forms).
bool fitsLibraryMatmul(RankedTensorType operand, RankedTensorType result) {
  if (operand.getRank() != 2 && operand.getRank() != result.getRank())
    return false;
  for (int64_t i = 0; operand.getRank() == result.getRank() && i + 2 < result.getRank(); ++i)
    if (operand.getDimSize(i) != 1 &&
        operand.getDimSize(i) != result.getDimSize(i))
      return false;
  return true;
}

/// The checks of IntegerMatMulToLibrary, and its plan for the right
/// operand.
std::optional<RightPlan> planMatMul(MatMulOp op) {
  RankedTensorType c = rankedTensor(op.getResult());
  RankedTensorType a = rankedTensor(op.getLhs()), b = staticTensor(op.getRhs());
  if (!c || !hasElement(op.getResult(), 32) || c.getRank() < 2 || !a || !b ||
      !fitsLibraryMatmul(a, c) || !fitsLibraryMatmul(b, c) ||
      !factorOf(op.getLhs(), 1))
    return std::nullopt;
  return planRight(op.getRhs());
}

struct IntegerMatMulToLibrary : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &r) const override {
    std::optional<RightPlan> plan = planMatMul(op);
    if (!plan)
      return r.notifyMatchFailure(
          op, "not an si32 product of 8-bit factors minus zero points");
    Location loc = op.getLoc();
    RankedTensorType c = rankedTensor(op.getResult());
    Factor lhs = *factorOf(op.getLhs(), 1);
    RightFactor rhs = buildRight(r, loc, op.getRhs(), *plan);
    auto [a, za] = unsignedLhs(r, loc, lhs);
    Value result =
        lib::MatmulOp::create(
            r, loc, c, a, rhs.s8, ValueRange(), productInit(r, loc, op, c, a, rhs.s8),
            /*trans_a=*/UnitAttr(), /*trans_b=*/UnitAttr(),
            r.getF32FloatAttr(1.0f), /*accumulate=*/UnitAttr(),
            getConstantValue(rhs.s8) ? r.getUnitAttr() : UnitAttr(),
            r.getStrArrayAttr({}), r.getDenseF32ArrayAttr({}))
            ->getResult(0);
    if (rhs.zero) {
      Value wide = a == lhs.raw
                       ? lhs.wide
                       : CastOp::create(r, loc, a,
                                        intType(r.getContext(), 32, true))
                             .getResult();
      int64_t rank = rankedTensor(a).getRank();
      Value rows = ReduceSumOp::create(r, loc, wide, Value(),
                                       ArrayRef<int64_t>{rank - 1}, true);
      result = SubOp::create(r, loc, result,
                             folded(r, MulOp::create(r, loc, rows, rhs.zero)));
    }
    if (za)
      result = SubOp::create(
          r, loc, result, folded(r, MulOp::create(r, loc, za, rhs.columnSums)));
    simplify::replaceKeepingType(r, op, result);
    return success();
  }
};

/// The filter of an integer convolution as s8: an s8 tensor given at run
/// time (no zero point), or the values of a constant one (zero point
/// subtracted) when they all fit s8; neither where it is not one.
struct FilterPlan {
  Value runtime;
  std::optional<SmallVector<int64_t>> values;
};

std::optional<FilterPlan> planFilter(Value w) {
  RankedTensorType t = staticTensor(w);
  if (!t)
    return std::nullopt;
  FilterPlan plan;
  plan.values = getConstantIntValues(seen(w));
  auto f = factorOf(w, 0);
  if (!plan.values && f) {
    if (!f->zero && f->isSigned() && !getConstantValue(f->raw)) {
      plan.runtime = f->raw;
      return plan;
    }
    plan.values = getConstantIntValues(f->raw);
    if (plan.values && f->zero) {
      // One zero point, or one per output channel ([K, 1, 1, 1]).
      auto zero = f->zeroValues();
      int64_t k = t.getDimSize(0), per = t.getNumElements() / k;
      if (!zero || (zero->size() != 1 && int64_t(zero->size()) != k))
        return std::nullopt;
      for (int64_t i = 0; i < t.getNumElements(); ++i)
        (*plan.values)[i] -= (*zero)[zero->size() == 1 ? 0 : i / per];
    }
  }
  if (!plan.values || llvm::any_of(*plan.values, [](int64_t x) {
        return x < -128 || x > 127;
      }))
    return std::nullopt;
  return plan;
}

/// A convolution's input as a factor: `conv.input` or, at the border of a
/// channels-last region (kiln-layout), a transpose of one (its permutation
/// in `perm`), whose 8-bit values are transposed instead.
std::optional<Factor> inputFactor(ConvOp op, ArrayRef<int64_t> &perm) {
  Value in = seen(op.getInput());
  perm = {};
  if (auto t = in.getDefiningOp<TransposeOp>()) {
    perm = t.getPerm();
    in = t.getInput();
  }
  return factorOf(in, 0);
}

/// The checks of IntegerConvToLibrary, and its plan for the filter.
std::optional<FilterPlan> planConv(ConvOp op) {
  // Batch, height and width may be known only at run time, not channels.
  RankedTensorType type = rankedTensor(op.getResult());
  RankedTensorType in = rankedTensor(op.getInput());
  int64_t channels = op.getChannelsLast() ? 3 : 1;
  if (!type || !hasElement(op.getResult(), 32) || type.getRank() != 4 ||
      !in || in.getRank() != 4 || in.isDynamicDim(channels) ||
      type.isDynamicDim(channels) || op.getPads().size() != 4 ||
      !libraryPadding(op))
    return std::nullopt;
  ArrayRef<int64_t> perm;
  auto x = inputFactor(op, perm);
  if (!x || (x->zero && staticTensor(x->zero).getNumElements() != 1))
    return std::nullopt;
  return planFilter(op.getWeight());
}

/// A constant's values, when it broadcasts against a rank-`rank` tensor
/// and varies at most along `axis` (length `k`): k values.
std::optional<SmallVector<double>> perChannel(Value c, int64_t rank,
                                              int64_t axis, int64_t k) {
  c = seen(c);
  std::optional<int64_t> length = simplify::perAxisLength(c, rank, axis);
  ElementsAttr attr = getConstantValue(c);
  if (!length || (*length != 1 && *length != k) || !attr)
    return std::nullopt;
  // Folded constants of more than a few hundred bytes are dense_resource
  // blobs (per-channel scales from 128 channels up).
  std::optional<SmallVector<double>> values = getNumericValues(attr);
  if (!values || values->empty())
    return std::nullopt;
  values->resize(k, values->front()); // a splat's one value for each
  return values;
}

/// What follows an integer convolution's accumulator when the graph
/// requantizes it (QLinearConv's requantize, or Conv between
/// DequantizeLinear and QuantizeLinear after QdqProducts.cpp), each op the
/// only user of the one before:
///
///   [+ bias_i32] -> f32 -> * S[k] -> [+ B[k]] -> [relu] -> [/ ys]
///   -> round -> [+ zp] -> clip(type range) -> u8 / s8
///
/// as oneDNN's requantizing convolution: scales S[k] / ys, a bias in
/// accumulator units (bias_i32 + B[k] / S[k]), relu, zero point zp. The
/// result differs from the float ops only by their rounding.
struct Requantization {
  SmallVector<float> scales, bias;
  int64_t zeroPoint = 0;
  bool relu = false, isSigned = false;
  SmallVector<Operation *> chain; ///< the ops replaced, first to last
};

std::optional<Requantization> matchRequantization(ConvOp conv, int64_t k) {
  auto type = cast<RankedTensorType>(conv.getType());
  int64_t rank = type.getRank(), axis = conv.getChannelsLast() ? rank - 1 : 1;
  Requantization q;
  Value v = conv.getResult();
  auto next = [&]() -> Operation * {
    if (!v.hasOneUse())
      return nullptr;
    Operation *user = *v.user_begin();
    if (user->getNumResults() != 1 ||
        cast<RankedTensorType>(user->getResult(0).getType()).getShape() !=
            type.getShape())
      return nullptr;
    return user;
  };
  auto take = [&](Operation *op) {
    q.chain.push_back(op);
    v = op->getResult(0);
  };
  /// The other operand of a binary `op` whose one operand is `v`.
  auto other = [&](Operation *op) {
    return op->getOperand(0) == v ? op->getOperand(1) : op->getOperand(0);
  };
  /// An optional `+ constant per channel` at `op`: its values into
  /// `into` and the next op; false for an addend of another form.
  Operation *op = nullptr;
  auto optionalBias = [&](SmallVector<double> &into) {
    auto add = dyn_cast_or_null<AddOp>(op);
    if (!add)
      return true;
    auto b = perChannel(other(add), rank, axis, k);
    if (!b)
      return false;
    into = *b;
    take(add);
    op = next();
    return true;
  };
  SmallVector<double> biasInt(k, 0), biasFloat(k, 0), scale(k, 1);
  op = next();
  if (!optionalBias(biasInt))
    return std::nullopt;
  auto toFloat = dyn_cast_or_null<CastOp>(op);
  if (!toFloat || !elementOf(toFloat.getResult()).isF32())
    return std::nullopt;
  take(toFloat);
  auto mul = dyn_cast_or_null<MulOp>(next());
  std::optional<SmallVector<double>> s;
  if (!mul || !(s = perChannel(other(mul), rank, axis, k)) ||
      llvm::is_contained(*s, 0.0))
    return std::nullopt;
  scale = *s;
  take(mul);
  op = next();
  if (!optionalBias(biasFloat))
    return std::nullopt;
  if (auto relu = dyn_cast_or_null<ReluOp>(op)) {
    q.relu = true;
    take(relu);
    op = next();
  }
  if (auto div = dyn_cast_or_null<DivOp>(op)) {
    auto ys = perChannel(div.getRhs(), rank, axis, 1);
    if (div.getLhs() != v || !ys || (*ys)[0] <= 0 ||
        simplify::perAxisLength(seen(div.getRhs()), rank, axis) != 1)
      return std::nullopt;
    // In f32, as QuantizeLinear divides (and onnxruntime's fused
    // QLinearConv computes its scale).
    for (double &x : scale)
      x = double(float(x) / float((*ys)[0]));
    take(div);
    op = next();
  }
  auto round = dyn_cast_or_null<RoundOp>(op);
  if (!round)
    return std::nullopt;
  take(round);
  op = next();
  if (auto add = dyn_cast_or_null<AddOp>(op)) {
    auto zp = perChannel(other(add), rank, axis, 1);
    if (!zp || simplify::perAxisLength(seen(other(add)), rank, axis) != 1 ||
        (*zp)[0] != std::round((*zp)[0]))
      return std::nullopt;
    q.zeroPoint = int64_t((*zp)[0]);
    take(add);
    op = next();
  }
  auto clip = dyn_cast_or_null<ClipOp>(op);
  if (!clip || !clip.getMin() || !clip.getMax())
    return std::nullopt;
  take(clip);
  auto to8 = dyn_cast_or_null<CastOp>(next());
  auto e = to8 ? dyn_cast<IntegerType>(elementOf(to8.getResult()))
               : IntegerType();
  if (!e || e.getWidth() != 8)
    return std::nullopt;
  q.isSigned = e.isSigned();
  double lo = q.isSigned ? -128 : 0, hi = q.isSigned ? 127 : 255;
  auto bound = [](Attribute a) {
    auto f = dyn_cast<FloatAttr>(a);
    return f ? f.getValueAsDouble() : std::nan("");
  };
  if (bound(*clip.getMin()) != lo || bound(*clip.getMax()) != hi ||
      q.zeroPoint < lo || q.zeroPoint > hi)
    return std::nullopt;
  take(to8);
  for (int64_t i = 0; i < k; ++i) {
    q.scales.push_back(float(scale[i]));
    // A dequantized int32 bias (bias_q * S) comes back as bias_q.
    double b = biasFloat[i] / (*s)[i];
    if (std::abs(b - std::round(b)) <= 1e-4 * std::max(1.0, std::abs(b)))
      b = std::round(b);
    q.bias.push_back(float(biasInt[i] + b));
  }
  if (llvm::all_of(q.bias, [](float b) { return b == 0.f; }))
    q.bias.clear();
  if (llvm::all_equal(q.scales))
    q.scales.resize(1);
  return q;
}

struct IntegerConvToLibrary : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op, PatternRewriter &r) const override {
    std::optional<FilterPlan> plan = planConv(op);
    if (!plan)
      return r.notifyMatchFailure(
          op, "not an si32 2-D convolution of an 8-bit input minus one zero "
              "point by a filter that fits s8");
    Location loc = op.getLoc();
    RankedTensorType type = rankedTensor(op.getResult());
    Value w = plan->runtime
                  ? plan->runtime
                  : s8Constant(r, loc, staticTensor(op.getWeight()).getShape(),
                               *plan->values);
    ArrayRef<int64_t> perm;
    auto [input, zero] = unsignedLhs(r, loc, *inputFactor(op, perm));
    if (!perm.empty())
      input = TransposeOp::create(r, loc, input, perm);
    if (zero)
      zero = folded(r, simplify::reshapeTo(r, loc, zero, {1}));
    int64_t k = staticTensor(op.getWeight()).getDimSize(0);
    std::optional<Requantization> q;
    if (!op.getBias())
      q = matchRequantization(op, k);
    auto [pads, autoPad] = *libraryPadding(op);
    auto make = [&](RankedTensorType out, Value bias) {
      auto conv = lib::Conv2dOp::create(
          r, loc, out, input, w, bias, zero, ValueRange(),
          convInit(r, loc, out, op, input), r.getDenseI64ArrayAttr(pads),
          r.getDenseI64ArrayAttr(op.getStrides()),
          r.getDenseI64ArrayAttr(op.getDilations()),
          r.getI64IntegerAttr(op.getGroup()),
          op.getChannelsLast() ? r.getUnitAttr() : UnitAttr(),
          plan->runtime ? UnitAttr() : r.getUnitAttr(),
          r.getStrArrayAttr({}), r.getDenseF32ArrayAttr({}));
      conv.setAutoPad(autoPad);
      return conv;
    };
    if (q) {
      // The requantizing convolution replaces the whole chain.
      Operation *last = q->chain.back();
      Value bias;
      if (!q->bias.empty()) {
        auto bt = RankedTensorType::get({k}, r.getF32Type());
        bias = ConstantOp::create(
            r, loc, bt, DenseElementsAttr::get(bt, ArrayRef<float>(q->bias)));
      }
      r.setInsertionPoint(last);
      auto conv = make(cast<RankedTensorType>(last->getResult(0).getType()), bias);
      conv.setOutputScales(q->scales);
      conv.setOutputZeroPoint(q->zeroPoint);
      conv.setOutputSigned(q->isSigned);
      if (q->relu)
        conv.setPostOpsAttr(r.getStrArrayAttr({"relu"}));
      r.replaceOp(last, conv->getResult(0));
      for (Operation *dead : llvm::reverse(ArrayRef(q->chain).drop_back()))
        r.eraseOp(dead);
      r.eraseOp(op);
      return success();
    }
    Value result = make(type, Value())->getResult(0);
    if (Value bias = op.getBias()) {
      int64_t k = type.getDimSize(op.getChannelsLast() ? 3 : 1);
      SmallVector<int64_t> shape = op.getChannelsLast()
                                       ? SmallVector<int64_t>{1, 1, 1, k}
                                       : SmallVector<int64_t>{1, k, 1, 1};
      result = AddOp::create(r, loc, result,
                             simplify::reshapeTo(r, loc, bias, shape));
    }
    simplify::replaceKeepingType(r, op, result);
    return success();
  }
};

} // namespace

void populateIntegerProductPatterns(RewritePatternSet &patterns) {
  patterns.add<IntegerMatMulToLibrary, IntegerConvToLibrary>(
      patterns.getContext());
}

bool integerLibraryCanRun(Operation *op) {
  if (auto mm = dyn_cast<MatMulOp>(op))
    return planMatMul(mm).has_value();
  if (auto conv = dyn_cast<ConvOp>(op))
    return planConv(conv).has_value();
  return false;
}

} // namespace kiln::cpu

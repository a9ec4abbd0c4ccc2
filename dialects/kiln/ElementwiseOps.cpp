//===- ElementwiseOps.cpp - type rules of elementwise ops -----------------===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln {

/// Broadcast result type for a binary op; `resultElement` null keeps the
/// lhs element type. `sameElement` requires both operands to agree.
static LogicalResult inferBroadcast(std::optional<Location> loc, Type lhs,
                                    Type rhs, bool sameElement,
                                    SmallVectorImpl<Type> &results) {
  auto a = cast<RankedTensorType>(lhs);
  auto b = cast<RankedTensorType>(rhs);
  if (sameElement && a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "operand element types differ: ",
                             a.getElementType(), " vs ", b.getElementType());
  std::string error;
  auto shape = broadcastShapes(a.getShape(), b.getShape(), &error);
  if (!shape)
    return emitOptionalError(loc, error);
  results.push_back(RankedTensorType::get(*shape, a.getElementType()));
  return success();
}

#define KILN_BINARY_INFER(Op)                                                  \
  LogicalResult Op::inferReturnTypes(MLIRContext *, std::optional<Location> l, \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &results) {         \
    return inferBroadcast(l, adaptor.getLhs().getType(),                       \
                          adaptor.getRhs().getType(), true, results);          \
  }
KILN_BINARY_INFER(AddOp)
KILN_BINARY_INFER(SubOp)
KILN_BINARY_INFER(MulOp)
KILN_BINARY_INFER(DivOp)
KILN_BINARY_INFER(MinOp)
KILN_BINARY_INFER(MaxOp)
KILN_BINARY_INFER(ModOp)
KILN_BINARY_INFER(PReluOp)
KILN_BINARY_INFER(AndOp)
KILN_BINARY_INFER(OrOp)
KILN_BINARY_INFER(XorOp)
KILN_BINARY_INFER(BitwiseAndOp)
KILN_BINARY_INFER(BitwiseOrOp)
KILN_BINARY_INFER(BitwiseXorOp)
KILN_BINARY_INFER(BitShiftOp)
#undef KILN_BINARY_INFER

/// Comparisons: the broadcast shape, of booleans.
#define KILN_COMPARE_INFER(Op)                                                 \
  LogicalResult Op::inferReturnTypes(MLIRContext *ctx,                         \
                                     std::optional<Location> l,                \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &results) {         \
    if (failed(inferBroadcast(l, adaptor.getLhs().getType(),                   \
                              adaptor.getRhs().getType(), true, results)))     \
      return failure();                                                        \
    results[0] = cast<RankedTensorType>(results[0]).clone(                     \
        IntegerType::get(ctx, 1));                                             \
    return success();                                                          \
  }
KILN_COMPARE_INFER(EqualOp)
KILN_COMPARE_INFER(LessOp)
KILN_COMPARE_INFER(LessEqualOp)
KILN_COMPARE_INFER(GreaterOp)
KILN_COMPARE_INFER(GreaterEqualOp)
#undef KILN_COMPARE_INFER

LogicalResult WhereOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> l,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  SmallVector<Type> values;
  if (failed(inferBroadcast(l, adaptor.getLhs().getType(),
                            adaptor.getRhs().getType(), true, values)))
    return failure();
  auto cond = cast<RankedTensorType>(adaptor.getCondition().getType());
  auto v = cast<RankedTensorType>(values[0]);
  std::string error;
  auto shape = broadcastShapes(cond.getShape(), v.getShape(), &error);
  if (!shape)
    return emitOptionalError(l, "condition: ", error);
  results.push_back(v.clone(*shape));
  return success();
}

template <typename Adaptor>
static LogicalResult inferPredicate(MLIRContext *ctx, Adaptor adaptor,
                                    SmallVectorImpl<Type> &results) {
  results.push_back(cast<RankedTensorType>(adaptor.getInput().getType())
                        .clone(IntegerType::get(ctx, 1)));
  return success();
}
LogicalResult IsNaNOp::inferReturnTypes(MLIRContext *ctx,
                                        std::optional<Location>, Adaptor a,
                                        SmallVectorImpl<Type> &results) {
  return inferPredicate(ctx, a, results);
}
LogicalResult IsInfOp::inferReturnTypes(MLIRContext *ctx,
                                        std::optional<Location>, Adaptor a,
                                        SmallVectorImpl<Type> &results) {
  return inferPredicate(ctx, a, results);
}

LogicalResult PowOp::inferReturnTypes(MLIRContext *, std::optional<Location> l,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  return inferBroadcast(l, adaptor.getLhs().getType(),
                        adaptor.getRhs().getType(), false, results);
}

//===----------------------------------------------------------------------===//
// Folders: the neutral-element identities that never change a value.
//===----------------------------------------------------------------------===//

/// True if `v` is a constant splat equal to `value` (0 or 1) for any numeric
/// element type.
static bool isSplatOf(Value v, int64_t value) {
  ElementsAttr attr = getConstantValue(v);
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return false;
  Type t = dense.getElementType();
  if (isa<FloatType>(t))
    return dense.getSplatValue<APFloat>().isExactlyValue(double(value));
  if (isa<IntegerType>(t))
    return dense.getSplatValue<APInt>().getSExtValue() == value;
  return false;
}

/// x op neutral -> x, when the result type is x's type (no broadcast).
static OpFoldResult foldNeutral(Value lhs, Value rhs, Type resultType,
                                int64_t neutral) {
  // x + 0 is not x for x = -0.0; the fold keeps that out for floats.
  if (lhs.getType() == resultType && isSplatOf(rhs, neutral))
    return lhs;
  if (rhs.getType() == resultType && isSplatOf(lhs, neutral))
    return rhs;
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor) {
  if (isa<FloatType>(getType().getElementType()))
    return {}; // -0.0 + 0.0 = 0.0: see the algebraic simplifier's rules.
  return foldNeutral(getLhs(), getRhs(), getType(), 0);
}

OpFoldResult MulOp::fold(FoldAdaptor) {
  return foldNeutral(getLhs(), getRhs(), getType(), 1);
}

//===----------------------------------------------------------------------===//
// Clip and Cast
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  Type element = getType().getElementType();
  for (auto [name, bound] : {std::pair<StringRef, std::optional<TypedAttr>>{
                                 "min", getMinAttr()},
                             {"max", getMaxAttr()}}) {
    if (bound && *bound && bound->getType() != element)
      return emitOpError() << "'" << name << "' has type " << bound->getType()
                           << ", expected the element type " << element;
  }
  return success();
}

LogicalResult CastOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
  results.push_back(inputType.clone(adaptor.getTo()));
  return success();
}

LogicalResult CastOp::verify() {
  if (getType().getElementType() != getTo())
    return emitOpError() << "result element type " << getType().getElementType()
                         << " differs from 'to' " << getTo();
  if (getTruncateBf16() &&
      (!getTo().isBF16() || !isa<FloatType>(getInput().getType().getElementType())))
    return emitOpError() << "truncate_bf16 needs a float input and a bf16 result";
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

} // namespace kiln

//===- LibraryEpilogue.cpp - elementwise ops a oneDNN call absorbs --------===//
#include "backends/cpu/LibraryEpilogue.h"
#include "dialects/kiln/KilnDialect.h"

#include <cmath>

using namespace mlir;

namespace kiln::cpu {
namespace {

/// The unary step that `op` is, with its constants, if oneDNN has it.
std::optional<std::tuple<StringRef, float, float>> unaryStep(Operation *op) {
  if (isa<ReluOp>(op))
    return std::make_tuple(StringRef("relu"), 0.f, 0.f);
  if (auto g = dyn_cast<GeluOp>(op))
    return std::make_tuple(
        StringRef(g.getTanhApproximation() ? "gelu_tanh" : "gelu_erf"), 0.f,
        0.f);
  if (isa<SigmoidOp>(op))
    return std::make_tuple(StringRef("sigmoid"), 0.f, 0.f);
  if (isa<TanhOp>(op))
    return std::make_tuple(StringRef("tanh"), 0.f, 0.f);
  if (isa<SiluOp>(op))
    return std::make_tuple(StringRef("swish"), 1.f, 0.f);
  if (isa<HardSwishOp>(op))
    return std::make_tuple(StringRef("hardswish"), 0.f, 0.f);
  if (isa<AbsOp>(op))
    return std::make_tuple(StringRef("abs"), 0.f, 0.f);
  if (isa<ExpOp>(op))
    return std::make_tuple(StringRef("exp"), 0.f, 0.f);
  if (isa<SqrtOp>(op))
    return std::make_tuple(StringRef("sqrt"), 0.f, 0.f);
  if (auto l = dyn_cast<LeakyReluOp>(op))
    return std::make_tuple(StringRef("leaky_relu"),
                           l.getAlpha().convertToFloat(), 0.f);
  if (auto e = dyn_cast<EluOp>(op))
    return std::make_tuple(StringRef("elu"), e.getAlpha().convertToFloat(),
                           0.f);
  if (auto c = dyn_cast<ClipOp>(op)) {
    auto bound = [](std::optional<Attribute> a, float none) {
      auto f = a ? dyn_cast<FloatAttr>(*a) : FloatAttr();
      return f ? float(f.getValueAsDouble()) : none;
    };
    return std::make_tuple(StringRef("clip"),
                           bound(c.getMin(), -INFINITY),
                           bound(c.getMax(), INFINITY));
  }
  return std::nullopt;
}

/// The binary step that `op` is, given that `v` is its operand from the
/// chain: (name, the other operand). Sub and div only with `v` on the left.
std::optional<std::pair<StringRef, Value>> binaryStep(Operation *op, Value v) {
  auto pick = [&](Value lhs, Value rhs, StringRef name,
                  bool commutative) -> std::optional<std::pair<StringRef, Value>> {
    if (lhs == v && rhs != v)
      return std::make_pair(name, rhs);
    if (commutative && rhs == v && lhs != v)
      return std::make_pair(name, lhs);
    return std::nullopt;
  };
  if (auto o = dyn_cast<AddOp>(op))
    return pick(o.getLhs(), o.getRhs(), "add", true);
  if (auto o = dyn_cast<MulOp>(op))
    return pick(o.getLhs(), o.getRhs(), "mul", true);
  if (auto o = dyn_cast<MaxOp>(op))
    return pick(o.getLhs(), o.getRhs(), "max", true);
  if (auto o = dyn_cast<MinOp>(op))
    return pick(o.getLhs(), o.getRhs(), "min", true);
  if (auto o = dyn_cast<SubOp>(op))
    return pick(o.getLhs(), o.getRhs(), "sub", false);
  if (auto o = dyn_cast<DivOp>(op))
    return pick(o.getLhs(), o.getRhs(), "div", false);
  return std::nullopt;
}

} // namespace

bool isStaticF32(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.hasStaticShape() && t.getElementType().isF32();
}

bool isF32Ranked(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.getElementType().isF32();
}

bool broadcastsTo(RankedTensorType operand, RankedTensorType out) {
  if (operand.getRank() > out.getRank())
    return false;
  int64_t shift = out.getRank() - operand.getRank();
  for (int64_t i = 0; i < operand.getRank(); ++i)
    if (operand.getDimSize(i) != 1 &&
        operand.getDimSize(i) != out.getDimSize(shift + i))
      return false;
  return true;
}

Epilogue collectEpilogue(Value v) {
  Epilogue e;
  auto out = cast<RankedTensorType>(v.getType());
  while (v.hasOneUse()) {
    Operation *user = *v.user_begin();
    if (user->getNumResults() != 1 || user->getResult(0).getType() != out)
      break;
    if (auto u = unaryStep(user)) {
      e.ops.push_back(std::get<0>(*u));
      e.args.append({std::get<1>(*u), std::get<2>(*u)});
    } else if (auto b = binaryStep(user, v)) {
      auto t = dyn_cast<RankedTensorType>(b->second.getType());
      // Sizes known only at run time go in the call's descriptor then; a
      // dynamic one only against the output's dynamic one (equal at run
      // time: the op's operands broadcast; or 1, which oneDNN broadcasts).
      if (!t || !isF32Ranked(t) || !broadcastsTo(t, out) ||
          (!t.hasStaticShape() && t.getRank() != out.getRank()))
        break;
      e.ops.push_back(b->first);
      e.args.append({0.f, 0.f});
      e.operands.push_back(b->second);
    } else {
      break;
    }
    e.last = user;
    v = user->getResult(0);
  }
  return e;
}

} // namespace kiln::cpu

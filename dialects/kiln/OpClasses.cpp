//===- OpClasses.cpp - kinds of kiln ops that passes reason about ---------===//
#include "dialects/kiln/OpClasses.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"

using namespace mlir;

namespace kiln {

bool isElementwise(Operation *op) {
  return isa<
      // Unary.
      ReluOp, SigmoidOp, TanhOp, ExpOp, LogOp, SqrtOp, ErfOp, NegOp, AbsOp,
      CeilOp, FloorOp, RoundOp, SinOp, CosOp, TanOp, AsinOp, AcosOp, AtanOp,
      SinhOp, CoshOp, AsinhOp, AcoshOp, AtanhOp, ReciprocalOp, SoftplusOp,
      SoftsignOp, HardSwishOp, MishOp, SignOp, NotOp, BitwiseNotOp, EluOp,
      SeluOp, CeluOp, HardSigmoidOp, ThresholdedReluOp, ShrinkOp, GeluOp,
      SiluOp, IsNaNOp, IsInfOp, LeakyReluOp, ClipOp, CastOp,
      // Binary, broadcasting.
      AddOp, SubOp, MulOp, DivOp, MinOp, MaxOp, ModOp, PReluOp, AndOp, OrOp,
      XorOp, BitwiseAndOp, BitwiseOrOp, BitwiseXorOp, BitShiftOp, EqualOp,
      LessOp, LessEqualOp, GreaterOp, GreaterEqualOp, WhereOp, PowOp>(op);
}

bool isView(Operation *op) {
  return isa<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(op);
}

static int64_t elements(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.hasStaticShape() ? t.getNumElements() : 0;
}

static int64_t dim(Value v, int64_t i) {
  auto t = cast<RankedTensorType>(v.getType());
  if (i < 0)
    i += t.getRank();
  return i >= 0 && i < t.getRank() && !t.isDynamicDim(i) ? t.getDimSize(i) : 0;
}

int64_t estimateFlops(Operation *op) {
  if (op->getNumResults() == 0)
    return 0;
  Value out = op->getResult(0);
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    auto lhs = cast<RankedTensorType>(mm.getLhs().getType());
    return 2 * elements(out) * dim(mm.getLhs(), lhs.getRank() - 1);
  }
  if (auto g = dyn_cast<GemmOp>(op))
    return 2 * elements(out) * dim(g.getA(), g.getTransA() ? 0 : 1);
  if (auto c = dyn_cast<ConvOp>(op)) {
    auto w = cast<RankedTensorType>(c.getWeight().getType());
    return w.hasStaticShape()
               ? 2 * elements(out) * (w.getNumElements() / std::max<int64_t>(w.getDimSize(0), 1))
               : 0;
  }
  if (auto c = dyn_cast<ConvTransposeOp>(op)) {
    // Every input element times the M/group x K... weights of its channel.
    auto w = cast<RankedTensorType>(c.getWeight().getType());
    return w.hasStaticShape()
               ? 2 * elements(c.getInput()) *
                     (w.getNumElements() / std::max<int64_t>(w.getDimSize(0), 1))
               : 0;
  }
  if (auto r = dyn_cast<RecurrentOp>(op))
    // Per step and batch row, the gates' products with the input (W) and
    // the hidden state (R), every direction.
    return 2 * dim(r.getInput(), 0) * dim(r.getInput(), 1) *
           (elements(r.getW()) + elements(r.getR()));
  if (auto a = dyn_cast<AttentionOp>(op)) {
    int64_t b = dim(a.getQ(), 0), s = dim(a.getQ(), 1), t = dim(a.getK(), 1),
            e = dim(a.getQ(), 2), ev = dim(a.getV(), 2);
    return 2 * b * s * t * (e + ev) + 5 * b * a.getNumHeads() * s * t;
  }
  if (isa<LayerNormOp>(op))
    return 8 * elements(out);
  if (isa<SoftmaxOp, LogSoftmaxOp>(op))
    return 5 * elements(out);
  if (isElementwise(op))
    return elements(out);
  if (isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp>(op))
    return elements(op->getOperand(0));
  if (auto p = dyn_cast<MaxPoolOp>(op))
    return elements(out) * staticProduct(p.getKernelShape());
  if (auto p = dyn_cast<AveragePoolOp>(op))
    return elements(out) * staticProduct(p.getKernelShape());
  return 0;
}

} // namespace kiln

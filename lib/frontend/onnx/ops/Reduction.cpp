//===- Reduction.cpp - importers of Reduce* operators ---------------------===//
#include "lib/frontend/onnx/ops/Builders.h"
#include <type_traits>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

/// What a reduction applies to its input before reducing, and to the
/// result after: ReduceL2 is sqrt(sum(x * x)), and so on.
enum class Around { None, Abs, Square, Exp, Sqrt, Log };

FailureOr<Value> applyAround(NodeImporter &n, Around what, Value v) {
  switch (what) {
  case Around::None:
    return v;
  case Around::Abs:
    return n.build<AbsOp>({v});
  case Around::Square:
    return n.build<MulOp>({v, v});
  case Around::Exp:
    return n.build<ExpOp>({v});
  case Around::Sqrt:
    return n.build<SqrtOp>({v});
  case Around::Log:
    return n.build<LogOp>({v});
  }
  return v;
}

/// `x` reduced as ONNX's reductions describe: `axes` is an attribute until
/// it became an input (opset 13 for ReduceSum, 18 for the others). No axes
/// means all axes, unless noop_with_empty_axes, which makes it the identity.
template <typename OpTy, int axesInputSince>
FailureOr<Value> reduceValue(NodeImporter &n, Value x) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<int64_t> axes;
  OpBuilder &b = n.builder();
  auto keepdims = n.named("keepdims", b.getBoolAttr(n.intAttr("keepdims", 1) != 0));
  if (n.opset() >= axesInputSince) {
    if (n.hasInput(1)) {
      Value axesInput = n.input(1);
      if (!axesInput)
        return failure();
      auto given = n.maybeConstantInts(1);
      auto axesType = cast<RankedTensorType>(axesInput.getType());
      if (axesType.getRank() != 1)
        return n.error() << "axes must be a 1-D tensor";
      if (!given && !axesType.isDynamicDim(0) && axesType.getDimSize(0) > 0)
        // Axes known only at run time: the lowering decides per dimension.
        return n.build<OpTy>({x, axesInput},
                             {n.named("axes", n.i64Array({})), keepdims});
      if (!given && axesType.isDynamicDim(0))
        return n.error() << "axes of unknown length are not supported";
      if (given)
        axes = *given;
    }
  } else if (auto given = n.intsAttr("axes")) {
    axes = *given;
  }
  if (axes.empty()) {
    if (n.intAttr("noop_with_empty_axes", 0) != 0)
      return x;
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  for (int64_t &a : axes) {
    if (a < -rank || a >= rank)
      return n.error() << "axis " << a << " out of range for rank " << rank;
    if (a < 0)
      a += rank;
  }
  llvm::sort(axes);
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    return n.error() << "axes repeat an axis";
  return n.build<OpTy>({x}, {n.named("axes", n.i64Array(axes)), keepdims});
}

/// A reduction with the element-wise steps `before` and `after` around it
/// (ReduceL2 is sqrt(sum(x * x)), and so on).
template <typename OpTy, int axesInputSince, Around before = Around::None,
          Around after = Around::None>
LogicalResult importReduce(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  // Opset 20 allows bool for ReduceMax and ReduceMin (any, all): reduce the
  // values as 0/1 bytes and turn the result back into bool.
  constexpr bool kMinMax = std::is_same_v<OpTy, ReduceMaxOp> ||
                           std::is_same_v<OpTy, ReduceMinOp>;
  Type boolType = elementOf(x);
  bool isBool = kMinMax && boolType.isInteger(1);
  if (isBool) {
    auto bytes = n.build<CastOp>(
        {x}, {n.named("to", TypeAttr::get(IntegerType::get(
                                 n.context(), 8, IntegerType::Unsigned)))});
    if (failed(bytes))
      return failure();
    x = *bytes;
  }
  auto pre = applyAround(n, before, x);
  if (failed(pre))
    return failure();
  auto reduced = reduceValue<OpTy, axesInputSince>(n, *pre);
  if (failed(reduced))
    return failure();
  auto post = applyAround(n, after, *reduced);
  if (failed(post))
    return failure();
  if (isBool)
    return bindResult(n, n.build<CastOp>({*post}, {n.named("to", TypeAttr::get(boolType))}));
  n.setOutput(0, *post);
  return success();
}

const OpImporter kImporters[] = {
    {"ReduceSum", importReduce<ReduceSumOp, 13>},
    {"ReduceMean", importReduce<ReduceMeanOp, 18>},
    {"ReduceMax", importReduce<ReduceMaxOp, 18>},
    {"ReduceMin", importReduce<ReduceMinOp, 18>},
    {"ReduceProd", importReduce<ReduceProdOp, 18>},
    {"ReduceL1", importReduce<ReduceSumOp, 18, Around::Abs>},
    {"ReduceL2", importReduce<ReduceSumOp, 18, Around::Square, Around::Sqrt>},
    {"ReduceSumSquare", importReduce<ReduceSumOp, 18, Around::Square>},
    {"ReduceLogSum", importReduce<ReduceSumOp, 18, Around::None, Around::Log>},
    {"ReduceLogSumExp", importReduce<ReduceSumOp, 18, Around::Exp, Around::Log>},
};

} // namespace

ArrayRef<OpImporter> reductionImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
